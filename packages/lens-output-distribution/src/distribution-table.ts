import { QUANTILE_COLUMNS, defineTable, type ColumnSpec, type TableSpec } from '@monitorch/core';

/** The quantity of every distribution row. */
export const DISTRIBUTION_QUANTITY = 'output_distribution';

/** Columns of the output-distribution table after the summary columns. */
export const DISTRIBUTION_COLUMNS: readonly ColumnSpec[] = [
  ...QUANTILE_COLUMNS,
  {
    name: 'non_finite',
    type: 'int32',
    nullable: false,
    description: "NaN or infinite output entries in the epoch's batches; in no bin and left out of every share.",
  },
  { name: 'lo', type: 'float64', nullable: false, description: 'Lower edge of the binned range (inclusive).' },
  { name: 'hi', type: 'float64', nullable: false, description: 'Upper edge of the binned range (exclusive).' },
  {
    name: 'fractions',
    type: 'float64list',
    nullable: true,
    description:
      "Share of the epoch's finite output entries in each of the equal-width bins over [lo, hi), summed over " +
      'its batches; null when no entry was finite.',
  },
  { name: 'below', type: 'float64', nullable: true, description: 'Share of finite entries below lo.' },
  { name: 'above', type: 'float64', nullable: true, description: 'Share of finite entries at or above hi.' },
];

/**
 * The output-distribution table: per (epoch, phase, layer) one `output_distribution` row with
 * the bin shares; `count` is the number of batches, the summary statistics are null. Drawn as a
 * small `distribution` panel `Output Distribution` (a heat map per layer: epochs across, values
 * up, colour the share).
 *
 * @param id - table name
 */
export function distributionTable(id: string): TableSpec {
  return defineTable(id, DISTRIBUTION_COLUMNS, {
    panels: [
      {
        title: 'Output Distribution',
        size: 'small',
        kind: 'distribution',
        quantities: [DISTRIBUTION_QUANTITY],
        line: 'mean',
      },
    ],
  });
}
