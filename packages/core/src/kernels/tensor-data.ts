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
  // The loops walk every dimension, zero-sized or not: bound the others too, or an empty
  // tensor of shape [1e15, 0] would spin through its outer dimension.
  let extent = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (d === undefined || !Number.isSafeInteger(d) || d < 0) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `${what}: dimension ${i} of shape [${shape.join(', ')}] is ${String(d)}; ` +
          "every dimension must be a non-negative integer. Pass the tensor's real shape.",
        { ...context, shape: [...shape], dim: i, value: d },
      );
    }
    product *= d;
    if (d > 0) extent *= d;
    if (extent > MAX_TENSOR_ENTRIES) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `${what}: shape [${shape.join(', ')}] spans more than ${MAX_TENSOR_ENTRIES} entries (its non-zero ` +
          "dimensions multiply past what a typed array can index). Pass the tensor's real shape.",
        { ...context, shape: [...shape], limit: MAX_TENSOR_ENTRIES },
      );
    }
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

/**
 * The most entries a checked shape may span (its non-zero dimensions multiplied): the largest
 * typed-array length every JavaScript engine supports.
 */
export const MAX_TENSOR_ENTRIES = 2 ** 31 - 1;

/**
 * Per-unit counts of a kernel, zeroed. A shape may be valid yet name more units than memory
 * holds (an empty tensor `[0, 2**30]`): that is a typed error too, not a bare `RangeError`.
 *
 * @param units - channels or neurons
 * @param what - the kernel, for the message
 */
export function unitCounts(units: number, what: string): Float64Array {
  try {
    return new Float64Array(units);
  } catch (e) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${what}: the tensor has ${units} channels or neurons, more than memory holds for their counts. ` +
        "Pass the tensor's real shape.",
      { units },
      { cause: e },
    );
  }
}

/** Product of `shape[from..to)`; 1 for an empty range. Assumes a checked shape. */
export function productOf(shape: readonly number[], from: number, to: number = shape.length): number {
  let p = 1;
  for (let i = from; i < to; i++) p *= shape[i] ?? 1;
  return p;
}
