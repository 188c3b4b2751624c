import { MonitorchError } from '../errors.js';
import { checkShape, type TensorData } from '../kernels/tensor-data.js';

/** `loop.gradient('lin1', 'weight')`, for messages (built only when something is wrong). */
export function callName(source: string, module: string, parameter?: string): string {
  return parameter === undefined ? `loop.${source}('${module}')` : `loop.${source}('${module}', '${parameter}')`;
}

/** Whether `x` is one of the element buffers the kernels read. */
export function isTensorData(x: unknown): x is TensorData {
  return x instanceof Float32Array || x instanceof Float64Array;
}

/**
 * Checks a parameter name.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` unless it is a non-empty string
 */
export function checkParameterName(source: string, module: string, parameter: string): void {
  if (typeof parameter !== 'string' || parameter === '') {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `loop.${source}('${module}'): the parameter name must be a non-empty string such as 'weight'.`,
      { module, parameter },
    );
  }
}

/**
 * Checks the data type and that `shape` describes `data` (with the kernels' own shape check);
 * returns the element count.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` for a buffer that is not a Float32Array or
 *   Float64Array or a shape that is not an array of dimensions, `SHAPE_MISMATCH` when the
 *   shape's size is not the buffer's (see `checkShape`)
 */
export function checkTensor(
  source: string,
  module: string,
  parameter: string | undefined,
  data: TensorData,
  shape: readonly number[],
): number {
  const call = callName(source, module, parameter);
  if (!isTensorData(data)) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${call}: data must be a Float32Array or Float64Array (got ${describe(data)}). ` +
        'Wrap plain arrays with Float32Array.from(…).',
      { module },
    );
  }
  if (!Array.isArray(shape)) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${call}: shape must be an array of dimensions such as [batch, features].`,
      {
        module,
      },
    );
  }
  return checkShape(data, shape, call, { module });
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return x.constructor?.name ?? 'object';
  return typeof x;
}
