import { QuantileSketch, type QuantileSketchOptions } from './quantile-sketch.js';
import { RunningStats, type StatsSummary } from './running-stats.js';

/** {@link StatsSummary} plus closest-observation median and quartiles (null when empty). */
export interface SeriesSummary extends StatsSummary {
  /** Closest-observation median, or null when empty. */
  readonly median: number | null;
  /** Closest-observation first quartile, or null when empty. */
  readonly q1: number | null;
  /** Closest-observation third quartile, or null when empty. */
  readonly q3: number | null;
}

/**
 * Everything a lens keeps about one series in one epoch: {@link RunningStats} (count, mean,
 * std, min, max — exact and mergeable) plus a {@link QuantileSketch} (median, Q1, Q3 —
 * exact up to its capacity, bounded rank error beyond). Non-finite samples are counted in
 * `nonFinite` and left out of every statistic.
 *
 * @example
 * ```ts
 * const s = new SeriesStats();
 * for (const x of [0.25, 0.375, 1]) s.add(x);
 * s.summary(); // { count: 3, mean: 0.541…, std: 0.328…, min: 0.25, max: 1, median: 0.375, q1: 0.25, q3: 0.375 }
 * ```
 */
export class SeriesStats {
  /** Moments and extremes. */
  readonly stats: RunningStats;
  /** Median and quartiles. */
  readonly quantiles: QuantileSketch;

  /** @param options - options of the quantile sketch */
  constructor(options: QuantileSketchOptions = {}) {
    this.stats = new RunningStats();
    this.quantiles = new QuantileSketch(options);
  }

  /** Number of finite samples. */
  get count(): number {
    return this.stats.count;
  }

  /** Number of NaN / ±Infinity samples left out. */
  get nonFinite(): number {
    return this.stats.nonFinite;
  }

  /**
   * Adds one sample to both summaries.
   *
   * @param x - the sample
   */
  add(x: number): void {
    this.stats.add(x);
    this.quantiles.add(x);
  }

  /**
   * Absorbs another series' summaries (e.g. another worker's). `other` is not changed.
   *
   * @param other - the summaries to merge in
   * @returns this, for chaining
   */
  merge(other: SeriesStats): this {
    this.stats.merge(other.stats);
    this.quantiles.merge(other.quantiles);
    return this;
  }

  /** count, mean, std, min, max, median, q1, q3 — nulls when no finite sample was seen. */
  summary(): SeriesSummary {
    return {
      ...this.stats.summary(),
      median: this.quantiles.median(),
      q1: this.quantiles.q1(),
      q3: this.quantiles.q3(),
    };
  }
}
