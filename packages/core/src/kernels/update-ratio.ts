import { MonitorchError } from '../errors.js';
import { checkShape, type TensorData } from './tensor-data.js';
import { rangeNorm } from './sample-l2.js';

/**
 * The update-to-parameter ratio of one optimizer step, `‖ΔP‖₂ / ‖P‖₂` with P the parameter
 * *before* the step. IEEE division: a parameter that was all zero gives +Infinity (or NaN for a
 * zero update), and non-finite entries give NaN; lenses leave non-finite ratios out and count them.
 *
 * @example
 * ```ts
 * updateRatio(delta, [128, 9216], before); // ~1e-3 is the classic healthy SGD range
 * ```
 * @param delta - the update ΔP = P_after − P_before, row-major
 * @param shape - its shape (also the parameter's)
 * @param before - the parameter before the step, same shape
 * @throws MonitorchError `SHAPE_MISMATCH` when `before` does not have the update's size,
 *   `INVALID_ARGUMENT` for a bad shape
 */
export function updateRatio(delta: TensorData, shape: readonly number[], before: TensorData): number {
  checkShape(delta, shape, 'updateRatio');
  if (before.length !== delta.length) {
    throw new MonitorchError(
      'SHAPE_MISMATCH',
      `updateRatio: the parameter before the step has ${before.length} entries but the update has ` +
        `${delta.length}. Pass the same parameter's value before the step.`,
      { shape: [...shape], expected: delta.length, actual: before.length },
    );
  }
  return rangeNorm(delta, 0, delta.length) / rangeNorm(before, 0, before.length);
}
