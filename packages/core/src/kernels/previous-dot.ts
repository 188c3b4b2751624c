import { checkShape, type TensorData } from './tensor-data.js';
import { rangeNorm } from './sample-l2.js';

/** The answer of a `previousDot` reduction: the pieces of `cos(prev, x)`. */
export interface PreviousDotResult {
  /** `⟨prev, x⟩`, float64; 0 when there is no previous tensor. */
  readonly dot: number;
  /** `‖x‖₂`. */
  readonly norm: number;
  /** `‖prev‖₂`; 0 when there is no previous tensor or it has another size. */
  readonly previousNorm: number;
}

/**
 * Geometry of a tensor against the same tensor's previous report (semantics §2.6–2.8): the dot
 * product `⟨prev, x⟩` and both Euclidean norms, from which a lens takes the cosine
 * `dot / (norm · previousNorm)` — undefined (skipped, not 0) when either norm is 0.
 *
 * `previous` must be the previous tensor of the same shape; the caller keeps it. When it is
 * missing or has another number of entries the answer says so with `previousNorm = 0` and
 * `dot = 0`. Non-finite entries propagate: NaN/±Infinity make `dot` and the norms NaN.
 *
 * @example
 * ```ts
 * const r = previousDot(g2, [3, 4], g1); // r.dot / (r.norm * r.previousNorm) is cos(g1, g2)
 * ```
 * @param data - the tensor's elements, row-major
 * @param shape - its shape
 * @param previous - the previous report's elements (same shape), or undefined
 * @throws MonitorchError `SHAPE_MISMATCH` / `INVALID_ARGUMENT` for a bad shape
 */
export function previousDot(data: TensorData, shape: readonly number[], previous?: TensorData): PreviousDotResult {
  checkShape(data, shape, 'previousDot');
  const norm = rangeNorm(data, 0, data.length);
  if (previous === undefined || previous.length !== data.length) return { dot: 0, norm, previousNorm: 0 };
  // One pass for the dot and the previous tensor's squares: both arrays are read once.
  let a = 0;
  let b = 0;
  let pp = 0;
  const n = data.length;
  for (let i = 0; i < n; i++) {
    const x = data[i] as number;
    const y = previous[i] as number;
    if (i & 1) b += x * y;
    else a += x * y;
    pp += y * y;
  }
  const previousNorm = Number.isFinite(pp) ? Math.sqrt(pp) : rangeNorm(previous, 0, n);
  return { dot: a + b, norm, previousNorm };
}
