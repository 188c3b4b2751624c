import { MonitorchError } from '@monitorch/core';
import type { Worker } from 'node:worker_threads';
import {
  errorFromData,
  transferables,
  unpackStats,
  type EngineCall,
  type EngineMethod,
  type EngineReply,
  type PackedRunResult,
} from './engine-protocol.js';
import type {
  EngineConfig,
  EngineGraphs,
  LoadResult,
  ReusedGraphs,
  RunRequest,
  RunResult,
  StepEngine,
  TensorPayload,
} from './step-engine.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * A {@link StepEngine} whose sessions live in a `worker_threads` Worker (`step-worker.js`), so
 * training never blocks this thread: the user's event loop (a live page, a progress bar) keeps
 * running during each step. Batches are moved to the worker as transferable buffers;
 * parameters stay in the worker; only the loss and the statistics come back.
 *
 * The worker does not keep the process alive while idle: a script that forgets
 * `trainer.close()` still exits.
 */
export class WorkerStepEngine implements StepEngine {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;

  private constructor(worker: Worker) {
    this.worker = worker;
    worker.unref();
    worker.on('message', (reply: EngineReply) => this.settle(reply));
    worker.on('error', (e) =>
      this.fail(new MonitorchError('BACKEND_FAILED', `The training worker crashed: ${e.message}`, {}, { cause: e })),
    );
    worker.on('exit', (code) =>
      this.fail(new MonitorchError('BACKEND_FAILED', `The training worker exited (code ${code}).`, { code })),
    );
  }

  /** Starts the worker thread (Node only). */
  static async start(): Promise<WorkerStepEngine> {
    const { Worker } = await import('node:worker_threads');
    return new WorkerStepEngine(
      new Worker(new URL('./step-worker.js', import.meta.url), { execArgv: workerExecArgv(process.execArgv) }),
    );
  }

  load(graphs: EngineGraphs, config: EngineConfig): Promise<LoadResult> {
    return this.call('load', [graphs, config], false) as Promise<LoadResult>;
  }

  reuse(key: string): Promise<ReusedGraphs | undefined> {
    return this.call('reuse', [key], false) as Promise<ReusedGraphs | undefined>;
  }

  setState(state: Readonly<Record<string, TensorPayload>>): Promise<void> {
    return this.call('setState', [state], false) as Promise<void>;
  }

  /** {@inheritDoc StepEngine.clearGeometry} */
  clearGeometry(): Promise<void> {
    return this.call('clearGeometry', [], false) as Promise<void>;
  }

  getState(names?: readonly string[]): Promise<Record<string, TensorPayload>> {
    return this.call('getState', names === undefined ? [] : [names], false) as Promise<Record<string, TensorPayload>>;
  }

  /**
   * Runs a batch in the worker. The batch arrays are MOVED (detached here) when they own their
   * whole buffer; pass copies if you still need them.
   */
  run(kind: 'train' | 'eval', request: RunRequest): Promise<RunResult> {
    return (this.call('run', [kind, request], true) as Promise<PackedRunResult>).then(unpackStats);
  }

  async close(): Promise<void> {
    if (this.failure === undefined) {
      try {
        await this.call('close', [], false);
      } catch {
        // closing is best effort: the thread is terminated below either way
      }
    }
    this.failure ??= new MonitorchError(
      'ALREADY_CLOSED',
      'This trainer was closed. Create a new Trainer to train again.',
    );
    await this.worker.terminate();
  }

  private call(method: EngineMethod, args: unknown[], transfer: boolean): Promise<unknown> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    const call: EngineCall = { id, method, args };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Keep the process alive only while a call is in flight.
      this.worker.ref();
      try {
        this.worker.postMessage(call, transfer ? transferables(args) : []);
      } catch (e) {
        this.pending.delete(id);
        this.idle();
        reject(
          new MonitorchError(
            'BACKEND_FAILED',
            `Could not send ${method} to the training worker: ${String(e)}`,
            {},
            { cause: e },
          ),
        );
      }
    });
  }

  private settle(reply: EngineReply): void {
    const p = this.pending.get(reply.id);
    if (p === undefined) return;
    this.pending.delete(reply.id);
    this.idle();
    if (reply.ok) p.resolve(reply.value);
    else p.reject(errorFromData(reply.error));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    this.idle();
  }

  private idle(): void {
    if (this.pending.size === 0) this.worker.unref();
  }
}

const HOOK_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

/**
 * The parent's Node flags without module hooks (test runners' TypeScript loaders, coverage
 * recorders): the worker runs plain built JavaScript, and those hooks made it start ~6× slower.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] as string;
    const flag = arg.split('=')[0] as string;
    if (!HOOK_FLAGS.has(flag)) {
      out.push(arg);
      continue;
    }
    if (!arg.includes('=')) i += 1; // the flag's value is the next argument
  }
  return out;
}
