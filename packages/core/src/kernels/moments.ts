import { checkShape, type TensorData } from './tensor-data.js';

/**
 * Sum of all entries, accumulated in float64. NaN/±Infinity propagate as IEEE arithmetic says
 * (ask for `nonFinite` to learn why a sum is not finite). 0 for an empty tensor.
 *
 * @param data - the tensor's elements
 * @param shape - its shape (checked against `data.length`)
 * @throws MonitorchError `SHAPE_MISMATCH` / `INVALID_ARGUMENT` for a bad shape
 */
export function sum(data: TensorData, shape: readonly number[]): number {
  checkShape(data, shape, 'sum');
  // Four independent accumulators: the adds pipeline instead of waiting on each other.
  const n = data.length;
  const n4 = n - (n % 4);
  let a = 0,
    b = 0,
    c = 0,
    d = 0;
  for (let i = 0; i < n4; i += 4) {
    a += data[i] as number;
    b += data[i + 1] as number;
    c += data[i + 2] as number;
    d += data[i + 3] as number;
  }
  for (let i = n4; i < n; i++) a += data[i] as number;
  return a + b + (c + d);
}

/**
 * Sum of squared entries, accumulated in float64 (0 for an empty tensor).
 *
 * @param data - the tensor's elements
 * @param shape - its shape (checked against `data.length`)
 * @throws MonitorchError `SHAPE_MISMATCH` / `INVALID_ARGUMENT` for a bad shape
 */
export function sumSquares(data: TensorData, shape: readonly number[]): number {
  checkShape(data, shape, 'sumSquares');
  return sumOfSquares(data, 1);
}

/**
 * Euclidean norm of all entries, √(Σx²). Float32 data cannot overflow the float64 sum; for
 * float64 data whose squares overflow, the sum is redone scaled by the largest |x| so a finite
 * tensor always gets a finite norm.
 *
 * @param data - the tensor's elements
 * @param shape - its shape (checked against `data.length`)
 * @throws MonitorchError `SHAPE_MISMATCH` / `INVALID_ARGUMENT` for a bad shape
 */
export function l2(data: TensorData, shape: readonly number[]): number {
  checkShape(data, shape, 'l2');
  const plain = Math.sqrt(sumOfSquares(data, 1));
  if (plain !== Number.POSITIVE_INFINITY) return plain;
  let largest = 0;
  for (let i = 0; i < data.length; i++) {
    const x = Math.abs(data[i] as number);
    if (x > largest) largest = x;
  }
  // A genuine infinity (or NaN) entry makes the norm infinite (or NaN) anyway.
  if (!Number.isFinite(largest)) return largest;
  return largest * Math.sqrt(sumOfSquares(data, 1 / largest));
}

function sumOfSquares(data: TensorData, scale: number): number {
  const n = data.length;
  const n4 = n - (n % 4);
  let a = 0,
    b = 0,
    c = 0,
    d = 0;
  if (scale === 1) {
    for (let i = 0; i < n4; i += 4) {
      const x = data[i] as number,
        y = data[i + 1] as number,
        z = data[i + 2] as number,
        w = data[i + 3] as number;
      a += x * x;
      b += y * y;
      c += z * z;
      d += w * w;
    }
    for (let i = n4; i < n; i++) {
      const x = data[i] as number;
      a += x * x;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const x = (data[i] as number) * scale;
      a += x * x;
    }
  }
  return a + b + (c + d);
}
