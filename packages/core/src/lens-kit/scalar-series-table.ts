import type { ColumnSpec, TableRow } from '../tables/table-spec.js';
import { QUANTILE_COLUMNS } from './summary-cells.js';

/** The `parameter` column of parameter lenses' tables. */
export const PARAMETER_COLUMN: ColumnSpec = {
  name: 'parameter',
  type: 'utf8',
  nullable: true,
  description: 'Parameter name (weight, bias, …); null on rows about module outputs.',
};

/** The `non_finite` column of scalar-series tables. */
export const NON_FINITE_SAMPLES_COLUMN: ColumnSpec = {
  name: 'non_finite',
  type: 'int32',
  nullable: false,
  description: 'Samples of the epoch that were NaN or infinite; they are left out of every statistic.',
};

/**
 * The columns after the summary columns of a table whose rows summarise one scalar per batch
 * (norms, correlations, ratios): quantiles, `non_finite`, and `parameter` when asked.
 *
 * @param withParameter - add the `parameter` column (parameter lenses)
 */
export function scalarSeriesColumns(withParameter: boolean): ColumnSpec[] {
  return [...QUANTILE_COLUMNS, NON_FINITE_SAMPLES_COLUMN, ...(withParameter ? [PARAMETER_COLUMN] : [])];
}

/**
 * The cells of a share row (a `relations` panel's data): the share in every location column a
 * line may be drawn from, so the panel shows it whatever its `line`; `count` is 1 (one value).
 */
export function shareCells(share: number): TableRow {
  return {
    mean: share,
    std: null,
    min: share,
    max: share,
    count: 1,
    median: share,
    q1: share,
    q3: share,
    non_finite: 0,
  };
}
