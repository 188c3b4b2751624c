import type { ReductionResult } from '../reduction.js';

/** A `previousDot` answer. */
type PreviousDot = Extract<ReductionResult, { op: 'previousDot' }>;

/**
 * The cosine between a tensor and its previous watched report, or undefined when it is not
 * defined: no previous tensor (the first report of a run), or either tensor all zero — a
 * correlation is *skipped* then, never recorded as 0 (docs/semantics-decisions.md). NaN when an
 * entry was not finite (the lens counts it in `non_finite`). Rounding can push |cos| a hair past
 * 1; it is clamped to [−1, 1]. No epsilon in the denominator (monitorch adds 1e-8, which biases
 * the cosine of small tensors toward 0).
 *
 * @param r - the answer of a `previousDot` reduction
 */
export function correlationSample(r: PreviousDot): number | undefined {
  if (!Number.isFinite(r.dot) || !Number.isFinite(r.norm) || !Number.isFinite(r.previousNorm)) return Number.NaN;
  if (r.norm === 0 || r.previousNorm === 0) return undefined;
  const c = r.dot / (r.norm * r.previousNorm);
  return c > 1 ? 1 : c < -1 ? -1 : c;
}

/**
 * The number of entries of a tensor of this shape from dimension `from` on (1 for none):
 * `from = 0` for the whole tensor, 1 for one sample of a batch. `normalizeBySize` divides a
 * norm by its square root (an RMS).
 */
export function entriesFrom(shape: readonly number[], from: number): number {
  let n = 1;
  for (let i = from; i < shape.length; i++) n *= shape[i] ?? 1;
  return n;
}
