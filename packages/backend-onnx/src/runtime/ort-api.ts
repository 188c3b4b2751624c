import type { InferenceSession, Tensor, TensorConstructor } from 'onnxruntime-common';

/**
 * The part of an ONNX Runtime JS package the trainer uses. `onnxruntime-node` and
 * `onnxruntime-web` both provide it, so the runtime is injected rather than imported: the
 * in-process engine never pulls a Node-only module into a browser bundle.
 *
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-web';
 * const trainer = await Trainer.create({ model, loss, optimizer, ort, worker: false });
 * ```
 */
export interface OrtApi {
  /** Session factory. */
  readonly InferenceSession: {
    create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession>;
  };
  /** Tensor constructor. */
  readonly Tensor: TensorConstructor;
}

/** An ORT session and tensor, re-exported as types for the rest of the runtime. */
export type { InferenceSession, Tensor };

/**
 * Loads `onnxruntime-node`. The specifier is computed so that browser bundlers do not try to
 * follow it; this function is only called in Node.
 */
export async function loadNodeOrt(): Promise<OrtApi> {
  const specifier = ['onnxruntime', 'node'].join('-');
  return (await import(specifier)) as OrtApi;
}

/** True when running in Node.js (not a browser). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}
