import {
  WARNING_QUANTITIES,
  rateColumns,
  rateTable,
  type ColumnSpec,
  type PanelSpec,
  type RateWording,
  type TableSpec,
} from '@monitorch/core';

export { WARNING_QUANTITIES };

/** Quantities of the per-layer rows. */
export const LAYER_QUANTITIES = ['activation_rate', 'death_rate'] as const;

/** How the output-activation table words its columns. */
export const ACTIVATION_WORDING: RateWording = {
  units: 'channels',
  nonFinite: "NaN or infinite output entries in the epoch's batches; they never count as active.",
  unitCount: 'Channels of the layer output (death_rate rows only).',
  deadCount: 'Channels that were zero in every batch of the epoch (death_rate rows only).',
  deadUnits: 'Indices of the channels that were zero in every batch of the epoch (death_rate rows only).',
};

/** Columns of the output-activation table after the summary columns. */
export const ACTIVATION_COLUMNS: readonly ColumnSpec[] = rateColumns(ACTIVATION_WORDING);

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
  return rateTable(ACTIVATION_WORDING, {
    name: o.name,
    panels: [
      {
        title: 'Output Activations',
        size: 'small',
        kind: 'probability',
        quantities: [...LAYER_QUANTITIES],
        line: o.line,
      },
    ],
    ...(o.warningPlot ? { warningTitle: 'Warning Output Activations' } : {}),
  });
}
