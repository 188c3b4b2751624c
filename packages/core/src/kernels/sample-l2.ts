import { MonitorchError } from '../errors.js';
import { checkShape, productOf, type TensorData } from './tensor-data.js';

/**
 * The batch mean of the per-sample Euclidean norms, `mean_b ‖x[b]‖₂`, of a batch-first tensor
 * `[B, ...]` (monitorch's `OutputNorm` sample, semantics §2.4). Each sample is the flattened
 * `x[b]`; a rank-1 tensor `[B]` has one entry per sample (so the answer is `mean_b |x_b|`).
 *
 * NaN when any entry is NaN or ±Infinity (a lens leaves such a batch out and counts it) and
 * when the batch is empty (no sample to average). Sums are float64; float64 samples whose
 * squares overflow are rescaled, so a finite tensor always gets a finite answer.
 *
 * @example
 * ```ts
 * sampleL2(new Float32Array([3, 4, 0, 1]), [2, 2]); // (5 + 1) / 2 = 3
 * ```
 * @param data - the tensor's elements, row-major
 * @param shape - its shape, batch first; at least one dimension
 * @throws MonitorchError `SHAPE_MISMATCH` / `INVALID_ARGUMENT` for a bad or scalar shape
 */
export function sampleL2(data: TensorData, shape: readonly number[]): number {
  checkShape(data, shape, 'sampleL2');
  if (shape.length === 0) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      'sampleL2: a scalar (shape []) has no batch dimension; pass a batch-first tensor [B, ...].',
      { shape: [] },
    );
  }
  const samples = shape[0] ?? 0;
  if (samples === 0) return Number.NaN;
  const size = productOf(shape, 1);
  let total = 0;
  for (let b = 0, start = 0; b < samples; b++, start += size) total += rangeNorm(data, start, start + size);
  return total / samples;
}

/**
 * ‖data[start..end)‖₂ in float64; NaN when an entry is not finite. Rescales by the largest
 * |x| when the plain sum of squares overflows (only float64 data can).
 */
export function rangeNorm(data: TensorData, start: number, end: number): number {
  let a = 0;
  let b = 0;
  const end2 = end - ((end - start) % 2);
  for (let i = start; i < end2; i += 2) {
    const x = data[i] as number;
    const y = data[i + 1] as number;
    a += x * x;
    b += y * y;
  }
  if (end2 < end) {
    const x = data[end2] as number;
    a += x * x;
  }
  const plain = Math.sqrt(a + b);
  if (Number.isFinite(plain)) return plain;
  let largest = 0;
  for (let i = start; i < end; i++) {
    const x = Math.abs(data[i] as number);
    // NaN and ±Infinity entries: the norm is not a number we can trust.
    if (!(x <= Number.MAX_VALUE)) return Number.NaN;
    if (x > largest) largest = x;
  }
  let scaled = 0;
  for (let i = start; i < end; i++) {
    const x = (data[i] as number) / largest;
    scaled += x * x;
  }
  return largest * Math.sqrt(scaled);
}
