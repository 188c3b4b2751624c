import { checkShape, type TensorData } from './tensor-data.js';

/** How many entries of a tensor are NaN and how many are ±Infinity. */
export interface NonFiniteCount {
  /** Entries that are NaN. */
  readonly nan: number;
  /** Entries that are +Infinity or -Infinity. */
  readonly inf: number;
}

/**
 * Counts the NaN and the ±Infinity entries of a tensor.
 *
 * @param data - the tensor's elements
 * @param shape - its shape (checked against `data.length`)
 * @throws MonitorchError `SHAPE_MISMATCH` / `INVALID_ARGUMENT` for a bad shape
 */
export function nonFinite(data: TensorData, shape: readonly number[]): NonFiniteCount {
  checkShape(data, shape, 'nonFinite');
  let poison = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i] as number;
    poison += x - x;
  }
  // All finite (the usual case): one cheap pass, no branches.
  if (poison === 0) return { nan: 0, inf: 0 };
  let nan = 0;
  let inf = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i] as number;
    if (x !== x) nan++;
    else if (x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY) inf++;
  }
  return { nan, inf };
}
