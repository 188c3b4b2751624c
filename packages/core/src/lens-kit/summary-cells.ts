import type { SeriesStats } from '../stats/series-stats.js';
import type { ColumnSpec, TableRow } from '../tables/table-spec.js';

/** Quantile columns (median, q1, q3) a lens table may add after the summary columns. */
export const QUANTILE_COLUMNS: readonly ColumnSpec[] = [
  {
    name: 'median',
    type: 'float64',
    nullable: true,
    description: "Closest-observation median of the epoch's samples.",
  },
  {
    name: 'q1',
    type: 'float64',
    nullable: true,
    description: "Closest-observation first quartile of the epoch's samples.",
  },
  {
    name: 'q3',
    type: 'float64',
    nullable: true,
    description: "Closest-observation third quartile of the epoch's samples.",
  },
];

/**
 * The summary cells of one series (count, mean, std, min, max, median, q1, q3), nulls when
 * the epoch had no finite sample — never a stale or a made-up number.
 */
export function summaryCells(series: SeriesStats): TableRow {
  const s = series.summary();
  return { mean: s.mean, std: s.std, min: s.min, max: s.max, count: s.count, median: s.median, q1: s.q1, q3: s.q3 };
}
