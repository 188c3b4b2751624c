/**
 * The five summary numbers of a series, as tables write them. Every statistic is `null` when
 * no finite sample was seen: a table cell says "no value", never a stale or a fake 0.
 */
export interface StatsSummary {
  /** Number of finite samples summarised. */
  readonly count: number;
  /** Arithmetic mean, or null when empty. */
  readonly mean: number | null;
  /** Population standard deviation (divisor n), or null when empty. */
  readonly std: number | null;
  /** Smallest sample, or null when empty. */
  readonly min: number | null;
  /** Largest sample, or null when empty. */
  readonly max: number | null;
}

/** The plain-data state of {@link RunningStats}, for sending between workers (JSON-safe when non-empty). */
export interface RunningStatsState {
  readonly count: number;
  readonly mean: number;
  readonly m2: number;
  readonly min: number;
  readonly max: number;
  readonly nonFinite: number;
}

/**
 * Mergeable running statistics of a stream of numbers: count, mean, M2 (sum of squared
 * deviations from the mean), min and max, in O(1) memory.
 *
 * - `add` uses Welford's update, so the mean and variance stay accurate for long series and
 *   large offsets (no Σx² cancellation).
 * - `merge` uses Chan et al.'s pairwise formula, which is exact in real arithmetic: merging
 *   the summaries of parts equals the summary of the whole, in any order, up to float
 *   rounding. That is what lets several workers or processes combine their epochs.
 * - Non-finite samples (NaN, ±Infinity) are NOT averaged in: they increment `nonFinite` and
 *   leave every moment untouched, so one exploding batch shows up as a count instead of
 *   turning the epoch's mean into NaN.
 *
 * The fields are public for speed and for serialisation; treat them as read-only.
 *
 * @example
 * ```ts
 * const s = new RunningStats();
 * for (const x of [1, 2, 3, 4]) s.add(x);
 * s.mean;       // 2.5
 * s.std;        // 1.118033988749895 (population)
 * s.summary();  // { count: 4, mean: 2.5, std: 1.118…, min: 1, max: 4 }
 * ```
 */
export class RunningStats {
  /** Number of finite samples. */
  count = 0;
  /** Mean of the finite samples (0 while empty; read `summary()` for a null). */
  mean = 0;
  /** Sum of squared deviations from the mean (Welford's M2). */
  m2 = 0;
  /** Smallest finite sample (+Infinity while empty). */
  min = Number.POSITIVE_INFINITY;
  /** Largest finite sample (-Infinity while empty). */
  max = Number.NEGATIVE_INFINITY;
  /** Number of NaN / ±Infinity samples that were offered and left out. */
  nonFinite = 0;

  /**
   * Summarises `values` in one go.
   *
   * @param values - the samples
   */
  static of(values: Iterable<number>): RunningStats {
    const s = new RunningStats();
    for (const x of values) s.add(x);
    return s;
  }

  /**
   * Rebuilds statistics from {@link RunningStats.state} output (e.g. received from a worker).
   *
   * @param state - a state produced by `state()`
   */
  static fromState(state: RunningStatsState): RunningStats {
    const s = new RunningStats();
    s.count = state.count;
    s.mean = state.mean;
    s.m2 = state.m2;
    s.min = state.min;
    s.max = state.max;
    s.nonFinite = state.nonFinite;
    return s;
  }

  /**
   * Adds one sample (Welford). NaN and ±Infinity only increment `nonFinite`.
   *
   * @param x - the sample
   */
  add(x: number): void {
    if (x - x !== 0) {
      this.nonFinite++;
      return;
    }
    const n = this.count + 1;
    const delta = x - this.mean;
    this.count = n;
    this.mean += delta / n;
    // delta and (x - new mean) have the same sign, so M2 never goes negative.
    this.m2 += delta * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  /**
   * Merges another summary into this one (Chan et al.): afterwards this describes the union
   * of both series. `other` is not changed; merging a summary into itself doubles it.
   *
   * @param other - the statistics to absorb
   * @returns this, for chaining
   */
  merge(other: RunningStats): this {
    const nb = other.count;
    this.nonFinite += other.nonFinite;
    if (nb === 0) return this;
    const na = this.count;
    if (na === 0) {
      this.count = nb;
      this.mean = other.mean;
      this.m2 = other.m2;
      this.min = other.min;
      this.max = other.max;
      return this;
    }
    const n = na + nb;
    const delta = other.mean - this.mean;
    // mean_a + δ·n_b/n rather than (n_a·mean_a + n_b·mean_b)/n: no large products to cancel.
    this.mean += delta * (nb / n);
    this.m2 += other.m2 + delta * delta * ((na * nb) / n);
    this.count = n;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    return this;
  }

  /** Population variance (divisor n); 0 when empty. */
  get variance(): number {
    return this.count === 0 ? 0 : this.m2 / this.count;
  }

  /** Population standard deviation; 0 when empty. */
  get std(): number {
    return Math.sqrt(this.variance);
  }

  /** Count, mean, std, min and max, with nulls when no finite sample was seen. */
  summary(): StatsSummary {
    if (this.count === 0) return { count: 0, mean: null, std: null, min: null, max: null };
    return { count: this.count, mean: this.mean, std: this.std, min: this.min, max: this.max };
  }

  /** An independent copy. */
  clone(): RunningStats {
    return RunningStats.fromState(this.state());
  }

  /** The plain-data state (count, mean, m2, min, max, nonFinite). */
  state(): RunningStatsState {
    return { count: this.count, mean: this.mean, m2: this.m2, min: this.min, max: this.max, nonFinite: this.nonFinite };
  }
}
