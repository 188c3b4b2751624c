import { MonitorchError } from '../errors.js';

/**
 * The flat, row-major element buffer the CPU kernels read. Both float widths are accepted so
 * that a hand-written loop can pass whatever its framework hands out without copying.
 */
export type TensorData = Float32Array | Float64Array;

/**
 * Checks that `shape` describes `data` and returns the element count.
 *
 * Every dimension must be a non-negative integer (`INVALID_ARGUMENT` otherwise) and their
 * product must equal `data.length` (`SHAPE_MISMATCH` otherwise, naming both). Checking here,
 * once per call, keeps the hot loops free of bounds worries.
 *
 * @param data - the element buffer
 * @param shape - its dimensions, outermost first
 * @param what - what the caller was computing, for the message
 * @param context - extra error details naming the tensor (e.g. `{ module }`)
 * @returns the number of elements (`data.length`)
 */
export function checkShape(
  data: TensorData,
  shape: readonly number[],
  what: string,
  context: Readonly<Record<string, unknown>> = {},
): number {
  let product = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (d === undefined || !Number.isInteger(d) || d < 0) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `${what}: dimension ${i} of shape [${shape.join(', ')}] is ${String(d)}; ` +
          "every dimension must be a non-negative integer. Pass the tensor's real shape.",
        { ...context, shape: [...shape], dim: i, value: d },
      );
    }
    product *= d;
  }
  if (product !== data.length) {
    throw new MonitorchError(
      'SHAPE_MISMATCH',
      `${what}: shape [${shape.join(', ')}] has ${product} elements but the data has ${data.length}. ` +
        'Pass the shape of exactly this buffer (row-major, outermost dimension first).',
      { ...context, shape: [...shape], expected: product, actual: data.length },
    );
  }
  return product;
}

/** Product of `shape[from..to)`; 1 for an empty range. Assumes a checked shape. */
export function productOf(shape: readonly number[], from: number, to: number = shape.length): number {
  let p = 1;
  for (let i = from; i < to; i++) p *= shape[i] ?? 1;
  return p;
}
