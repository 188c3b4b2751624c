import { MonitorchError } from '../errors.js';
import { closestObservationRank } from './closest-observation.js';

/** Options of {@link QuantileSketch}. */
export interface QuantileSketchOptions {
  /**
   * Samples kept exactly, and the size of each compactor level beyond that. An even integer
   * ≥ 8; default 4096. Larger means smaller rank error and more memory (see the class docs).
   */
  readonly capacity?: number;
}

/** A sorted, weighted view of the retained samples (built lazily for queries). */
interface SortedView {
  readonly values: Float64Array;
  /** cumulative[i] = total weight of values[0..i]. */
  readonly cumulative: Float64Array;
}

const DEFAULT_CAPACITY = 4096;

/**
 * Streaming, mergeable quantiles (median, quartiles) of a series of numbers.
 *
 * **Exact while small.** Up to `capacity` samples (default 4096) every sample is kept and
 * `quantile(q)` is the closest-observation quantile of semantics §3.2 (Hyndman–Fan type 3,
 * monitorch's list mode): always an observed value; `[1,2,3,4]` → median 2, Q1 1, Q3 3.
 *
 * **Bounded beyond that.** A compactor hierarchy in the style of KLL / Agarwal et al.: level h
 * holds samples of weight 2^h; when a level exceeds `capacity` it is sorted and every other
 * sample (random start) moves up with twice the weight. Quantiles are read from the weighted,
 * sorted retained samples with the same closest-observation rank rule.
 *
 * **Documented rank error.** Each compaction at level h moves the weighted rank of any value
 * by at most 2^h. The sketch sums those amounts, so {@link QuantileSketch.rankError} is a
 * guaranteed bound for this very sketch: the value returned for q has a true rank within
 * `rankError() · count` of the rank the exact rule would pick. A priori, with n samples and
 * capacity k, the bound never exceeds {@link QuantileSketch.maxRankError}
 * `= (⌊log2(n/k)⌋ + 1) / k` (0 for n ≤ k); e.g. 8/4096 ≈ 0.2 % for n = 10⁶, k = 4096.
 * Typical errors are far smaller because the random starts cancel (see the tests). Memory is
 * at most `k · (⌊log2(n/k)⌋ + 2)` retained numbers (≈ 36 864 for n = 10⁶). Merging keeps both
 * bounds, with n the total count.
 *
 * NaN and ±Infinity are left out and counted in `nonFinite`, like {@link RunningStats}.
 * Compaction starts come from a fixed-seed generator, so results are deterministic for a given
 * sequence of calls.
 *
 * @example
 * ```ts
 * const q = new QuantileSketch();
 * for (const x of [5, 1, 4, 2, 3, 10]) q.add(x);
 * [q.q1(), q.median(), q.q3()]; // [2, 3, 4]
 * ```
 */
export class QuantileSketch {
  /** Exact-mode limit and per-level size (even, ≥ 8). */
  readonly capacity: number;
  /** Number of NaN / ±Infinity samples that were offered and left out. */
  nonFinite = 0;
  private levels: Float64Array[] = [new Float64Array(16)];
  private sizes: number[] = [0];
  private total = 0;
  private errorWeight = 0;
  private seed = 0x9e3779b9;
  private view: SortedView | null = null;

  /**
   * @param options - see {@link QuantileSketchOptions}
   * @throws MonitorchError `INVALID_ARGUMENT` for a capacity that is not an even integer ≥ 8
   */
  constructor(options: QuantileSketchOptions = {}) {
    const k = options.capacity ?? DEFAULT_CAPACITY;
    if (!Number.isInteger(k) || k < 8 || k % 2 !== 0) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `QuantileSketch: capacity ${String(k)} must be an even integer >= 8 (default ${DEFAULT_CAPACITY}).`,
        { capacity: k },
      );
    }
    this.capacity = k;
  }

  /**
   * The a-priori worst-case normalised rank error for `n` samples at capacity `k`:
   * `(⌊log2(n/k)⌋ + 1) / k`, or 0 when `n ≤ k` (exact).
   *
   * @param n - number of samples
   * @param k - capacity
   */
  static maxRankError(n: number, k: number = DEFAULT_CAPACITY): number {
    return n <= k ? 0 : (Math.floor(Math.log2(n / k)) + 1) / k;
  }

  /** Number of finite samples summarised. */
  get count(): number {
    return this.total;
  }

  /** True while every sample is kept, i.e. quantiles are exact. */
  get isExact(): boolean {
    return this.errorWeight === 0;
  }

  /** Numbers currently held (memory use is 8 bytes per retained number plus slack). */
  get retained(): number {
    let r = 0;
    for (const s of this.sizes) r += s;
    return r;
  }

  /**
   * Guaranteed normalised rank error of this sketch's answers: the accumulated compaction
   * error divided by `count`. 0 while exact.
   */
  rankError(): number {
    return this.total === 0 ? 0 : this.errorWeight / this.total;
  }

  /**
   * Adds one sample. NaN and ±Infinity only increment `nonFinite`.
   *
   * @param x - the sample
   */
  add(x: number): void {
    if (x - x !== 0) {
      this.nonFinite++;
      return;
    }
    this.view = null;
    this.total++;
    this.push(0, x);
    if ((this.sizes[0] as number) > this.capacity) this.compress();
  }

  /**
   * Absorbs another sketch: afterwards this summarises both series. `other` is not changed.
   *
   * @param other - the sketch to merge in; its capacity may differ (this one's is kept)
   * @returns this, for chaining
   */
  merge(other: QuantileSketch): this {
    this.nonFinite += other.nonFinite;
    if (other.total === 0) return this;
    this.view = null;
    const levels = other.levels.slice();
    const sizes = other.sizes.slice();
    for (let h = 0; h < levels.length; h++) {
      const items = levels[h] as Float64Array;
      const size = sizes[h] as number;
      for (let i = 0; i < size; i++) this.push(h, items[i] as number);
    }
    this.total += other.total;
    this.errorWeight += other.errorWeight;
    this.compress();
    return this;
  }

  /**
   * The closest-observation quantile (semantics §3.2): exact while `isExact`, otherwise
   * within `rankError()` in rank. Null when no finite sample was seen.
   *
   * @param q - quantile in [0, 1]
   * @throws MonitorchError `INVALID_ARGUMENT` when q is outside [0, 1]
   */
  quantile(q: number): number | null {
    if (!(q >= 0 && q <= 1)) {
      throw new MonitorchError('INVALID_ARGUMENT', `quantile: q is ${String(q)}; pass a number in [0, 1].`, { q });
    }
    if (this.total === 0) return null;
    const { values, cumulative } = this.sorted();
    const rank = closestObservationRank(this.total, q);
    // First retained value whose cumulative weight reaches the rank.
    let lo = 0;
    let hi = values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) >= rank) hi = mid;
      else lo = mid + 1;
    }
    return values[lo] as number;
  }

  /** Closest-observation median (q = 0.5); null when empty. */
  median(): number | null {
    return this.quantile(0.5);
  }

  /** Closest-observation first quartile (q = 0.25); null when empty. */
  q1(): number | null {
    return this.quantile(0.25);
  }

  /** Closest-observation third quartile (q = 0.75); null when empty. */
  q3(): number | null {
    return this.quantile(0.75);
  }

  private push(level: number, x: number): void {
    while (this.levels.length <= level) {
      this.levels.push(new Float64Array(16));
      this.sizes.push(0);
    }
    let items = this.levels[level] as Float64Array;
    const size = this.sizes[level] as number;
    if (size === items.length) {
      const grown = new Float64Array(items.length * 2);
      grown.set(items);
      this.levels[level] = grown;
      items = grown;
    }
    items[size] = x;
    this.sizes[level] = size + 1;
  }

  /** Compacts every level that holds more than `capacity` samples, bottom up. */
  private compress(): void {
    for (let h = 0; h < this.levels.length; h++) {
      if ((this.sizes[h] as number) > this.capacity) this.compact(h);
    }
  }

  /**
   * Sorts level h and moves every other sample (random start) up one level with doubled
   * weight. For any value v, the weighted count of samples ≤ v changes by at most 2^h.
   */
  private compact(h: number): void {
    const items = this.levels[h] as Float64Array;
    const size = this.sizes[h] as number;
    const sorted = items.subarray(0, size).sort();
    const even = size - (size % 2);
    for (let i = this.nextBit(); i < even; i += 2) this.push(h + 1, sorted[i] as number);
    // An odd sample out stays behind, so weights always add up to the count.
    if (even < size) items[0] = sorted[even] as number;
    this.sizes[h] = size - even;
    this.errorWeight += 2 ** h;
  }

  /** xorshift32: cheap, deterministic coin flips for the compaction start. */
  private nextBit(): number {
    let s = this.seed;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.seed = s >>> 0;
    return (s >>> 7) & 1;
  }

  private sorted(): SortedView {
    if (this.view !== null) return this.view;
    // Each level is sorted on its own, then levels are merged: O(m log m) with no comparator calls.
    let values: Float64Array = new Float64Array(0);
    let cumulativeWeights: Float64Array = new Float64Array(0);
    for (let h = 0; h < this.levels.length; h++) {
      const size = this.sizes[h] as number;
      if (size === 0) continue;
      const level = (this.levels[h] as Float64Array).subarray(0, size).sort();
      [values, cumulativeWeights] = mergeLevel(values, cumulativeWeights, level, 2 ** h);
    }
    this.view = { values, cumulative: cumulativeWeights };
    return this.view;
  }
}

/**
 * Merges a sorted level (all of weight `w`) into a sorted weighted list kept as cumulative
 * weights, returning the new values and cumulative weights.
 */
function mergeLevel(
  values: Float64Array,
  cumulative: Float64Array,
  level: Float64Array,
  w: number,
): [Float64Array, Float64Array] {
  const n = values.length + level.length;
  const outValues = new Float64Array(n);
  const outCumulative = new Float64Array(n);
  let i = 0;
  let j = 0;
  let acc = 0;
  for (let k = 0; k < n; k++) {
    if (j >= level.length || (i < values.length && (values[i] as number) <= (level[j] as number))) {
      acc += (cumulative[i] as number) - (i === 0 ? 0 : (cumulative[i - 1] as number));
      outValues[k] = values[i] as number;
      i++;
    } else {
      acc += w;
      outValues[k] = level[j] as number;
      j++;
    }
    outCumulative[k] = acc;
  }
  return [outValues, outCumulative];
}
