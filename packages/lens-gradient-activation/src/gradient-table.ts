import {
  WARNING_QUANTITIES,
  rateColumns,
  rateTable,
  type ColumnSpec,
  type PanelSpec,
  type RateWording,
  type TableSpec,
} from '@monitorch/core';
import { titleCase } from './title-case.js';

export { WARNING_QUANTITIES };

/** The per-layer quantities of one parameter, e.g. `weight_activation_rate`, `weight_death_rate`. */
export function parameterQuantities(parameter: string): readonly [string, string] {
  return [`${parameter}_activation_rate`, `${parameter}_death_rate`];
}

/** How the gradient-activation table words its columns. */
export const GRADIENT_WORDING: RateWording = {
  units: 'neurons',
  nonFinite: "NaN or infinite gradient entries in the epoch's steps; they never count as active.",
  unitCount: 'Neurons (dim 0 of the parameter) (death_rate rows only).',
  deadCount: 'Neurons whose whole gradient row was zero in every step of the epoch (death_rate rows only).',
  deadUnits: 'Indices of the neurons whose gradient row was zero in every step of the epoch (death_rate rows only).',
};

/** The column naming the parameter a row measures. */
const PARAMETER_COLUMN: ColumnSpec = {
  name: 'parameter',
  type: 'utf8',
  nullable: true,
  description: 'Parameter whose gradient the row measures (on worst_* rows: the worst one).',
};

/** Columns of the gradient-activation table after the summary columns. */
export const GRADIENT_COLUMNS: readonly ColumnSpec[] = rateColumns(GRADIENT_WORDING, [PARAMETER_COLUMN]);

/** What {@link gradientTable} needs to know. */
export interface GradientTableOptions {
  readonly name: string;
  readonly parameters: readonly string[];
  readonly line: PanelSpec['line'];
  readonly warningPlot: boolean;
}

/**
 * The gradient-activation table: per (epoch, phase, layer, parameter) a
 * `<parameter>_activation_rate` and a `<parameter>_death_rate` row, and the whole-model
 * `worst_*` rows. Drawn as one small probability column per parameter (`Weight Gradient
 * Activation`, `Bias Gradient Activation`, one panel per layer) and one big probability panel
 * `Warning Gradient Activations` (worst over all layers and parameters).
 */
export function gradientTable(o: GradientTableOptions): TableSpec {
  return rateTable(GRADIENT_WORDING, {
    name: o.name,
    leading: [PARAMETER_COLUMN],
    panels: o.parameters.map((p) => ({
      title: `${titleCase(p)} Gradient Activation`,
      size: 'small',
      kind: 'probability',
      quantities: [...parameterQuantities(p)],
      line: o.line,
    })),
    ...(o.warningPlot ? { warningTitle: 'Warning Gradient Activations' } : {}),
  });
}
