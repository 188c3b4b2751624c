import {
  defineTable,
  type BandKind,
  type ColumnSpec,
  type PanelSpec,
  type TableSpec,
  QUANTILE_COLUMNS,
} from '@monitorch/core';

/** Columns of the loss table after the summary columns. */
export const LOSS_COLUMNS: readonly ColumnSpec[] = [
  ...QUANTILE_COLUMNS,
  {
    name: 'non_finite',
    type: 'int32',
    nullable: false,
    description: 'NaN or infinite values reported in the epoch; counted here, never averaged into the statistics.',
  },
];

/** A line a panel can draw. */
export type LineKind = PanelSpec['line'];

/** What {@link lossTable} needs to know. */
export interface LossTableOptions {
  readonly name: string;
  readonly metrics: readonly string[];
  readonly separate: boolean;
  readonly line: LineKind;
  readonly bands: readonly BandKind[];
  readonly metricsLine: LineKind;
  readonly metricsBands: readonly BandKind[];
}

/**
 * The loss table: one row per (epoch, phase, quantity) where quantity is `loss` or a metric
 * name. Drawn as one big `Loss` panel and one big `Metrics` panel, or as a single
 * `Loss & Metrics` panel (then the loss's line and bands apply to both).
 */
export function lossTable(o: LossTableOptions): TableSpec {
  const panels: PanelSpec[] = [];
  if (o.separate) {
    panels.push({ title: 'Loss', size: 'big', kind: 'numerical', quantities: ['loss'], line: o.line, bands: o.bands });
    if (o.metrics.length > 0) {
      panels.push({
        title: 'Metrics',
        size: 'big',
        kind: 'numerical',
        quantities: o.metrics,
        line: o.metricsLine,
        bands: o.metricsBands,
      });
    }
  } else {
    panels.push({
      title: 'Loss & Metrics',
      size: 'big',
      kind: 'numerical',
      quantities: ['loss', ...o.metrics],
      line: o.line,
      bands: o.bands,
    });
  }
  return defineTable(o.name, LOSS_COLUMNS, { panels });
}
