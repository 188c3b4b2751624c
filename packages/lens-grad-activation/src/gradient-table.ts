import {
  defineTable,
  type ColumnSpec,
  type PanelSpec,
  type TableSpec,
  QUANTILE_COLUMNS,
} from '@monitorch/core';
import { titleCase } from './title-case.js';

/** Quantities of the whole-model warning rows (module ''). */
export const WARNING_QUANTITIES = ['worst_activation_rate', 'worst_death_rate'] as const;

/** The per-layer quantities of one parameter, e.g. `weight_activation_rate`, `weight_death_rate`. */
export function parameterQuantities(parameter: string): readonly [string, string] {
  return [`${parameter}_activation_rate`, `${parameter}_death_rate`];
}

/** Columns of the gradient-activation table after the summary columns. */
export const GRADIENT_COLUMNS: readonly ColumnSpec[] = [
  ...QUANTILE_COLUMNS,
  {
    name: 'parameter', type: 'utf8', nullable: true,
    description: 'Parameter whose gradient the row measures (on worst_* rows: the worst one).',
  },
  {
    name: 'non_finite', type: 'int32', nullable: false,
    description: "NaN or infinite gradient entries in the epoch's steps; they never count as active.",
  },
  {
    name: 'neurons', type: 'int32', nullable: true,
    description: 'Neurons (dim 0 of the parameter) (death_rate rows only).',
  },
  {
    name: 'dead_count', type: 'int32', nullable: true,
    description: 'Neurons whose whole gradient row was zero in every step of the epoch (death_rate rows only).',
  },
  {
    name: 'dead_neurons', type: 'int32list', nullable: true,
    description: 'Indices of the neurons whose gradient row was zero in every step of the epoch (death_rate rows only).',
  },
  {
    name: 'worst_module', type: 'utf8', nullable: true,
    description: 'The layer with the worst value (worst_* rows only).',
  },
];

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
  const panels: PanelSpec[] = o.parameters.map((p) => ({
    title: `${titleCase(p)} Gradient Activation`, size: 'small', kind: 'probability', quantities: [...parameterQuantities(p)], line: o.line,
  }));
  if (o.warningPlot) {
    panels.push({ title: 'Warning Gradient Activations', size: 'big', kind: 'probability', quantities: [...WARNING_QUANTITIES], line: 'mean' });
  }
  return defineTable(o.name, GRADIENT_COLUMNS, { panels });
}
