import type { TensorData } from '../kernels/tensor-data.js';
import type { Phase } from '../phase.js';
import type { TensorSource } from '../reduction.js';

/**
 * The previous watched tensor of each (source, module, parameter, phase), for `previousDot`.
 * Only tensors some request reduces with `previousDot` are kept, one copy each, so the memory
 * is the size of the watched tensors (e.g. every watched weight's gradient once). Kept across
 * epochs — an epoch's first correlation compares with the last watched tensor of the epoch
 * before — and dropped when a new run starts.
 */
export class PreviousTensors {
  private readonly kept = new Map<string, { data: Float64Array | Float32Array; shape: string }>();

  /** Forget every kept tensor (a new run starts). */
  clear(): void {
    this.kept.clear();
  }

  /**
   * The previous tensor of this key when it had the same shape, else undefined.
   *
   * @param shape - the current tensor's shape
   */
  previous(key: string, shape: readonly number[]): TensorData | undefined {
    const k = this.kept.get(key);
    return k !== undefined && k.shape === shape.join(',') ? k.data : undefined;
  }

  /** Keeps a copy of `data` as the key's previous tensor (the caller may reuse its buffer). */
  keep(key: string, data: TensorData, shape: readonly number[]): void {
    const k = this.kept.get(key);
    const copy =
      k !== undefined && k.data.length === data.length && k.data.constructor === data.constructor
        ? k.data
        : data instanceof Float32Array
          ? new Float32Array(data.length)
          : new Float64Array(data.length);
    copy.set(data);
    this.kept.set(key, { data: copy, shape: shape.join(',') });
  }

  /** How many tensors are kept (for tests and the memory note in the README). */
  get size(): number {
    return this.kept.size;
  }
}

/** The key of a tensor: source, module, parameter, phase (NUL cannot occur in names). */
export function tensorKey(source: TensorSource, module: string, parameter: string | undefined, phase: Phase): string {
  return `${source}\u0000${module}\u0000${parameter ?? ''}\u0000${phase}`;
}
