import { defineTable, type ColumnSpec, type PanelSpec, type TableSpec } from '../tables/table-spec.js';
import { QUANTILE_COLUMNS } from './summary-cells.js';

/** The quantities of the whole-model warning rows (module `''`) of every rate lens. */
export const WARNING_QUANTITIES = ['worst_activation_rate', 'worst_death_rate'] as const;

/**
 * How a rate lens words its table: what its units are (they name two columns, e.g.
 * `channels` and `dead_channels`) and what its columns mean.
 */
export interface RateWording {
  /** The units counted, plural: channels of an output, neurons of a parameter. */
  readonly units: 'channels' | 'neurons';
  /** Description of `non_finite`. */
  readonly nonFinite: string;
  /** Description of the unit-count column (`channels` / `neurons`). */
  readonly unitCount: string;
  /** Description of `dead_count`. */
  readonly deadCount: string;
  /** Description of the dead-unit list (`dead_channels` / `dead_neurons`). */
  readonly deadUnits: string;
}

/** What {@link rateTable} needs besides the wording. */
export interface RateTableOptions {
  /** Table name (the lens id). */
  readonly name: string;
  /** Columns that go right after the quantile columns (e.g. `parameter`). */
  readonly leading?: readonly ColumnSpec[];
  /** The small per-layer panels. */
  readonly panels: readonly PanelSpec[];
  /** Title of the big warning panel; omit to draw none. */
  readonly warningTitle?: string;
}

/**
 * The columns of a rate table after the summary columns: quantiles, the lens's leading
 * columns, `non_finite`, the unit count, `dead_count`, the dead-unit indices, `worst_module`.
 */
export function rateColumns(wording: RateWording, leading: readonly ColumnSpec[] = []): ColumnSpec[] {
  return [
    ...QUANTILE_COLUMNS,
    ...leading,
    { name: 'non_finite', type: 'int32', nullable: false, description: wording.nonFinite },
    { name: wording.units, type: 'int32', nullable: true, description: wording.unitCount },
    { name: 'dead_count', type: 'int32', nullable: true, description: wording.deadCount },
    { name: `dead_${wording.units}`, type: 'int32list', nullable: true, description: wording.deadUnits },
    {
      name: 'worst_module',
      type: 'utf8',
      nullable: true,
      description: 'The layer with the worst value (worst_* rows only).',
    },
  ];
}

/**
 * A rate lens's table: {@link rateColumns}, its small panels and, when `warningTitle` is
 * given, the big probability panel of the `worst_*` rows.
 */
export function rateTable(wording: RateWording, o: RateTableOptions): TableSpec {
  const panels: PanelSpec[] = [...o.panels];
  if (o.warningTitle !== undefined) {
    panels.push({
      title: o.warningTitle,
      size: 'big',
      kind: 'probability',
      quantities: [...WARNING_QUANTITIES],
      line: 'mean',
    });
  }
  return defineTable(o.name, rateColumns(wording, o.leading), { panels });
}
