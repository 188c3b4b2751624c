import { MonitorchError } from '../errors.js';
import { checkShape, type TensorData } from './tensor-data.js';

/** The answer of a `histogram` reduction. */
export interface HistogramResult {
  /** One count per bin; bin k covers `[lo + k·w, lo + (k+1)·w)`, `w = (hi − lo)/bins`. */
  readonly counts: Float64Array;
  /** Finite entries below `lo`. */
  readonly below: number;
  /** Finite entries at or above `hi`. */
  readonly above: number;
  /** NaN and ±Infinity entries (in no bin, not below or above). */
  readonly nonFinite: number;
}

/** The most bins a histogram may have: enough for any heat map, small enough to keep per epoch. */
export const MAX_HISTOGRAM_BINS = 10_000;

/**
 * Counts the entries of a tensor in `bins` equal-width bins over `[lo, hi)`. An entry x with
 * `lo ≤ x < hi` goes to bin `k = floor((x − lo) · bins / (hi − lo))` (clamped to `bins − 1`
 * against rounding just below `hi`); entries below `lo`, at or above `hi`, and non-finite ones
 * are counted apart. `Σcounts + below + above + nonFinite` is the tensor's size.
 *
 * @example
 * ```ts
 * histogram(new Float32Array([-1, 0, 0.5, 2]), [4], 0, 1, 2); // counts [1, 1], below 1, above 1
 * ```
 * @param data - the tensor's elements
 * @param shape - its shape (checked against `data.length`)
 * @param lo - the lower edge, finite
 * @param hi - the upper edge, finite, > lo (and `hi − lo` finite)
 * @param bins - how many bins, a whole number in [1, {@link MAX_HISTOGRAM_BINS}]
 * @throws MonitorchError `INVALID_ARGUMENT` for bad edges or bins, `SHAPE_MISMATCH` for a bad shape
 */
export function histogram(
  data: TensorData,
  shape: readonly number[],
  lo: number,
  hi: number,
  bins: number,
): HistogramResult {
  checkShape(data, shape, 'histogram');
  const problem = histogramProblem(lo, hi, bins);
  if (problem !== undefined) throw new MonitorchError('INVALID_ARGUMENT', `histogram: ${problem}`, { lo, hi, bins });
  const counts = new Float64Array(bins);
  const scale = bins / (hi - lo);
  const last = bins - 1;
  let below = 0;
  let above = 0;
  let nonFinite = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i] as number;
    if (x >= lo) {
      if (x < hi) {
        // (x − lo)·scale is in [0, bins] here, so truncation is floor (and much cheaper).
        const k = ((x - lo) * scale) | 0;
        const bin = k > last ? last : k;
        counts[bin] = (counts[bin] as number) + 1;
      } else if (x === Number.POSITIVE_INFINITY) nonFinite++;
      else above++;
    } else if (x === Number.NEGATIVE_INFINITY || x !== x) nonFinite++;
    else below++;
  }
  return { counts, below, above, nonFinite };
}

/**
 * What is wrong with a histogram's edges and bin count, or undefined when they are usable. Shared
 * by the kernel and the request check so both refuse the same requests with the same words.
 *
 * @param lo - the lower edge
 * @param hi - the upper edge
 * @param bins - the bin count
 */
export function histogramProblem(lo: unknown, hi: unknown, bins: unknown): string | undefined {
  if (typeof lo !== 'number' || typeof hi !== 'number' || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    return `lo and hi must be finite numbers, got lo=${String(lo)}, hi=${String(hi)}.`;
  }
  if (!(lo < hi) || !Number.isFinite(hi - lo)) {
    return `need lo < hi with a finite width hi − lo, got lo=${lo}, hi=${hi}.`;
  }
  if (typeof bins !== 'number' || !Number.isInteger(bins) || bins < 1 || bins > MAX_HISTOGRAM_BINS) {
    return `bins must be a whole number from 1 to ${MAX_HISTOGRAM_BINS}, got ${String(bins)}.`;
  }
  return undefined;
}
