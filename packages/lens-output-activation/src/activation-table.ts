import {
  defineTable,
  type ColumnSpec,
  type PanelSpec,
  type TableSpec,
  QUANTILE_COLUMNS,
} from '@monitorch/core';

/** Quantities of the per-layer rows. */
export const LAYER_QUANTITIES = ['activation_rate', 'death_rate'] as const;
/** Quantities of the whole-model warning rows (module ''). */
export const WARNING_QUANTITIES = ['worst_activation_rate', 'worst_death_rate'] as const;

/** Columns of the output-activation table after the summary columns. */
export const ACTIVATION_COLUMNS: readonly ColumnSpec[] = [
  ...QUANTILE_COLUMNS,
  {
    name: 'non_finite', type: 'int32', nullable: false,
    description: "NaN or infinite output entries in the epoch's batches; they never count as active.",
  },
  {
    name: 'channels', type: 'int32', nullable: true,
    description: 'Channels of the layer output (death_rate rows only).',
  },
  {
    name: 'dead_count', type: 'int32', nullable: true,
    description: 'Channels that were zero in every batch of the epoch (death_rate rows only).',
  },
  {
    name: 'dead_channels', type: 'int32list', nullable: true,
    description: 'Indices of the channels that were zero in every batch of the epoch (death_rate rows only).',
  },
  {
    name: 'worst_module', type: 'utf8', nullable: true,
    description: 'The layer with the worst value (worst_* rows only).',
  },
];

/** What {@link activationTable} needs to know. */
export interface ActivationTableOptions {
  readonly name: string;
  readonly line: PanelSpec['line'];
  readonly warningPlot: boolean;
}

/**
 * The output-activation table: per (epoch, phase, layer) an `activation_rate` and a
 * `death_rate` row, and per (epoch, phase) the whole-model `worst_*` rows. Drawn as a small
 * probability column `Output Activations` (one panel per layer) and a big probability panel
 * `Warning Output Activations`.
 */
export function activationTable(o: ActivationTableOptions): TableSpec {
  const panels: PanelSpec[] = [
    { title: 'Output Activations', size: 'small', kind: 'probability', quantities: [...LAYER_QUANTITIES], line: o.line },
  ];
  if (o.warningPlot) {
    panels.push({ title: 'Warning Output Activations', size: 'big', kind: 'probability', quantities: [...WARNING_QUANTITIES], line: 'mean' });
  }
  return defineTable(o.name, ACTIVATION_COLUMNS, { panels });
}
