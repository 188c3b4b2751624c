import { checkShape, type TensorData } from './tensor-data.js';

/**
 * Smallest entry. NaN if any entry is NaN (a NaN must not hide behind a plausible minimum);
 * +Infinity for an empty tensor (the identity of min, as ONNX ReduceMin).
 *
 * @param data - the tensor's elements
 * @param shape - its shape (checked against `data.length`)
 * @throws MonitorchError `SHAPE_MISMATCH` / `INVALID_ARGUMENT` for a bad shape
 */
export function min(data: TensorData, shape: readonly number[]): number {
  checkShape(data, shape, 'min');
  let m = Number.POSITIVE_INFINITY;
  let poison = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i] as number;
    if (x < m) m = x;
    poison += x - x;
  }
  return poison === poison ? m : anyNaN(data) ? Number.NaN : m;
}

/**
 * Largest entry. NaN if any entry is NaN; -Infinity for an empty tensor.
 *
 * @param data - the tensor's elements
 * @param shape - its shape (checked against `data.length`)
 * @throws MonitorchError `SHAPE_MISMATCH` / `INVALID_ARGUMENT` for a bad shape
 */
export function max(data: TensorData, shape: readonly number[]): number {
  checkShape(data, shape, 'max');
  let m = Number.NEGATIVE_INFINITY;
  let poison = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i] as number;
    if (x > m) m = x;
    poison += x - x;
  }
  return poison === poison ? m : anyNaN(data) ? Number.NaN : m;
}

// `x - x` is NaN for ±Infinity too, so the cheap check only tells us to look closer.
function anyNaN(data: TensorData): boolean {
  for (let i = 0; i < data.length; i++) {
    const x = data[i] as number;
    if (x !== x) return true;
  }
  return false;
}
