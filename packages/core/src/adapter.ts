import type { EventEmitter } from 'eventemitter3';
import type { AdapterReport } from './events.js';
import type { ReductionRequest, TensorSource } from './reduction.js';

/** Events an adapter emits. Adapters need no RxJS: they call `emitter.emit('report', r)`. */
export interface AdapterEvents {
  report: [report: AdapterReport];
  /**
   * Sent by the Inspector just before it closes an epoch (and on detach): an adapter that
   * holds reports back (the loop adapter during a model's first step, an asynchronous backend)
   * reports them now, so they land in the epoch they belong to. Adapters that hold nothing
   * may ignore it.
   */
  flush: [];
  /**
   * Sent by the Inspector when parameter snapshots are due: just before it closes an epoch
   * (before `flush`, `reason: 'epoch'`) and when a lens or the user asks (`reason: 'request'`),
   * and only while some lens requests `parameter` tensors. An adapter that can read its
   * parameters reports one `parameter` report per watched parameter, synchronously; one that
   * cannot ignores it (the Inspector then warns that the lens got no snapshot).
   */
  snapshot: [reason: 'epoch' | 'request'];
  /**
   * Sent by an adapter (once per source per epoch is enough) when the loop gave it a tensor of
   * `source` that no lens wanted — a module no lens watches — so the Inspector knows the source
   * is reported and does not warn `SOURCE_NOT_REPORTED`. Tensor reports count as seen anyway.
   */
  seen: [source: TensorSource];
}

/**
 * What an adapter receives when an Inspector attaches to it: the emitter to report on and the
 * union of all lenses' reduction requests (compute exactly these, nothing else).
 */
export interface AdapterConnection {
  /** Report events here. */
  readonly emitter: EventEmitter<AdapterEvents>;
  /** All lenses' requests (each with its `sampling`, the Inspector's filled in). */
  readonly requests: readonly ReductionRequest[];
  /**
   * The bus's clock: the epoch the next tick closes (1-based) and the optimizer steps done so
   * far. Adapters read it to skip requests whose `sampling` does not watch the coming step.
   */
  readonly clock: { readonly epoch: number; readonly step: number };
}

/**
 * Anything that produces training events: the loop adapter for hand-written loops, the ONNX
 * trainer, a future PyTorch bridge. `connect` is called by `inspector.attach`, `disconnect`
 * by `detach`.
 */
export interface Adapter {
  /** Start reporting to `connection`. A later call replaces the previous connection. */
  connect(connection: AdapterConnection): void;
  /** Stop reporting. */
  disconnect(): void;
}
