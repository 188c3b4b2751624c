import type { Adapter, AdapterConnection, AdapterReport } from '@monitorch/core';
import type { ToWorker } from './protocol.js';

/**
 * The page's side of the training worker: an Adapter whose reports come from the worker. The
 * Inspector attaches to it as to any trainer; it tells the worker what the lenses request, and
 * the page hands it each report the worker posts.
 */
export class WorkerAdapter implements Adapter {
  private connection: AdapterConnection | undefined;

  /** @param send - posts a message to the worker */
  constructor(private readonly send: (message: ToWorker) => void) {}

  /** @inheritdoc */
  connect(connection: AdapterConnection): void {
    this.connection = connection;
    // Plain copies: the clock is a live view of the Inspector's bus, which cannot be posted.
    const { epoch, step } = connection.clock;
    this.send({ type: 'connect', requests: connection.requests, clock: { epoch, step } });
  }

  /** @inheritdoc */
  disconnect(): void {
    this.connection = undefined;
  }

  /** Passes one of the worker's reports on to the Inspector (dropped when detached). */
  report(report: AdapterReport): void {
    this.connection?.emitter.emit('report', report);
  }
}
