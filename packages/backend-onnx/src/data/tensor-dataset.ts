import { MonitorchError } from '@monitorch/core';

/** Labels: class indices (`Int32Array`) or regression / one-hot targets (`Float32Array`). */
export type Labels = Int32Array | Float32Array;

/**
 * Samples and labels held in flat typed arrays, like PyTorch's `TensorDataset`.
 * Sample `i` is `x[i·∏sampleShape … (i+1)·∏sampleShape)`, its label `y[i·∏labelShape …]`.
 *
 * @example
 * ```ts
 * const data = new TensorDataset(xs, [2], ys);           // 2 features, one class label each
 * const [train, val] = randomSplit(data, [0.7, 0.3], 42);
 * ```
 */
export class TensorDataset {
  /** Sample values, row-major, sample after sample. */
  readonly x: Float32Array;
  /** Shape of one sample, without the batch dimension (e.g. `[1, 28, 28]`). */
  readonly sampleShape: readonly number[];
  /** Labels, sample after sample. */
  readonly y: Labels;
  /** Shape of one label (`[]` for one class index or value per sample). */
  readonly labelShape: readonly number[];
  /** Number of samples. */
  readonly length: number;

  /**
   * @param x - samples, flat
   * @param sampleShape - shape of one sample
   * @param y - labels, flat
   * @param labelShape - shape of one label (default `[]`)
   * @throws MonitorchError `INVALID_ARGUMENT` when `x` is not a Float32Array or `y` neither an
   *   Int32Array nor a Float32Array (a plain array would fail only later, at the first batch),
   *   `SHAPE_MISMATCH` when the arrays do not hold the same number of samples
   */
  constructor(x: Float32Array, sampleShape: readonly number[], y: Labels, labelShape: readonly number[] = []) {
    // JavaScript callers (and `as` casts) can pass plain arrays; batches are cut with
    // `subarray`, so say here what to pass instead of failing deep inside the loader.
    if (!isTyped(x, 'Float32Array')) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `TensorDataset: x must be a Float32Array, got ${describe(x)}. Wrap it: new TensorDataset(Float32Array.from(x), …).`,
        { x: describe(x) },
      );
    }
    if (!isTyped(y, 'Int32Array') && !isTyped(y, 'Float32Array')) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `TensorDataset: y must be an Int32Array (class indices) or a Float32Array (targets), got ${describe(y)}. Wrap it: Int32Array.from(y) or Float32Array.from(y).`,
        { y: describe(y) },
      );
    }
    const perSample = sizeOf(sampleShape);
    const perLabel = sizeOf(labelShape);
    if (perSample <= 0 || x.length % perSample !== 0) {
      throw new MonitorchError(
        'SHAPE_MISMATCH',
        `TensorDataset: x has ${x.length} values, which is not a whole number of samples of shape [${sampleShape.join(', ')}]. Pass the shape of ONE sample, without the batch dimension.`,
        { xLength: x.length, sampleShape },
      );
    }
    const n = x.length / perSample;
    if (y.length !== n * perLabel) {
      throw new MonitorchError(
        'SHAPE_MISMATCH',
        `TensorDataset: x holds ${n} samples but y holds ${y.length / perLabel} labels of shape [${labelShape.join(', ')}]. Give every sample exactly one label.`,
        { samples: n, yLength: y.length, labelShape },
      );
    }
    this.x = x;
    this.sampleShape = [...sampleShape];
    this.y = y;
    this.labelShape = [...labelShape];
    this.length = n;
  }

  /** Values per sample. */
  get sampleSize(): number {
    return sizeOf(this.sampleShape);
  }

  /** Values per label. */
  get labelSize(): number {
    return sizeOf(this.labelShape);
  }

  /** A new dataset holding copies of the samples at `indices`, in that order. */
  subset(indices: ArrayLike<number>): TensorDataset {
    const { x, y } = gatherSamples(this, indices);
    return new TensorDataset(x, this.sampleShape, y, this.labelShape);
  }
}

/** True for a typed array of that kind, from this realm or another (a worker, an iframe). */
function isTyped(value: unknown, kind: 'Float32Array' | 'Int32Array'): boolean {
  return Object.prototype.toString.call(value) === `[object ${kind}]`;
}

/** A value's kind for an error message: `a plain Array`, `a Float64Array`, `null`, … */
function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a plain Array';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return value === null ? 'null' : `a ${typeof value}`;
}

/** Copies the samples at `indices` (in order) into fresh arrays. */
export function gatherSamples(data: TensorDataset, indices: ArrayLike<number>): { x: Float32Array; y: Labels } {
  const xs = data.sampleSize;
  const ys = data.labelSize;
  const x = new Float32Array(indices.length * xs);
  const y = data.y instanceof Int32Array ? new Int32Array(indices.length * ys) : new Float32Array(indices.length * ys);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number;
    if (xs === 1) x[k] = data.x[i] as number;
    else x.set(data.x.subarray(i * xs, (i + 1) * xs), k * xs);
    if (ys === 1) y[k] = data.y[i] as number;
    else y.set(data.y.subarray(i * ys, (i + 1) * ys), k * ys);
  }
  return { x, y };
}

/** Product of a shape's dimensions (1 for `[]`). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
