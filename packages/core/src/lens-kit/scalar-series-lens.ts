import type { TensorEvent } from '../events.js';
import type { Lens } from '../lens.js';
import type { ModuleInfo } from '../module-info.js';
import type { Phase } from '../phase.js';
import type { ReductionRequest } from '../reduction.js';
import { SeriesStats } from '../stats/series-stats.js';
import type { TableRow, TableSpec } from '../tables/table-spec.js';
import type { Aggregation } from './aggregation.js';
import { orderPhases } from './phase-order.js';
import { shareCells } from './scalar-series-table.js';
import { summaryCells } from './summary-cells.js';

/** Shares of one quantity across modules, as monitorch's comparison plots (semantics §2.4–2.5). */
export interface ComparisonConfig {
  /** The per-module quantity compared, for a tensor's parameter (undefined for outputs). */
  readonly quantity: (parameter: string | undefined) => string;
  /** The share rows' quantity. */
  readonly share: (parameter: string | undefined) => string;
  /** Which statistic of each module's series is compared. */
  readonly by: Aggregation;
  /**
   * The one phase whose modules are compared. A relations panel stacks one band per module, so
   * shares of two phases would collide in it; lenses compare their first phase (train).
   */
  readonly phase: Phase;
}

/** What a concrete lens tells {@link ScalarSeriesLens}. */
export interface ScalarSeriesLensConfig {
  /** Lens id and table name. */
  readonly id: string;
  /** The lens's requests. */
  readonly requests: readonly ReductionRequest[];
  /** The table (columns from `scalarSeriesColumns`). */
  readonly table: TableSpec;
  /** Watched parameter names in row order; set for parameter lenses (adds the `parameter` cells). */
  readonly parameters?: readonly string[];
  /** The row order of a tensor's quantities. */
  readonly quantities: (parameter: string | undefined) => readonly string[];
  /** Share rows, when the lens draws a comparison panel. */
  readonly comparison?: ComparisonConfig;
}

/** One watched tensor's series in one epoch. */
interface TensorSeries {
  readonly module: ModuleInfo;
  readonly parameter: string | undefined;
  readonly series: Map<string, SeriesStats>;
}

/**
 * The machinery every lens shares whose batches each give one or a few scalars — norms,
 * correlations, ratios (semantics §2.4–2.9): per epoch, phase, watched tensor and quantity a
 * {@link SeriesStats}; at the tick one summary row per series and, when configured, share rows
 * comparing modules. Non-finite samples are left out of the statistics and counted in
 * `non_finite`; a tensor with no sample in an epoch has no row (never a stale one); shares are
 * taken over the modules measured that epoch.
 *
 * Rows come phase by phase (`train`, `val`, then others), tensors in forward order (then
 * parameters in option order), quantities in the configured order, each phase's share rows last.
 */
export abstract class ScalarSeriesLens implements Lens {
  /** Lens id and table name. */
  readonly id: string;
  /** The lens's requests. */
  readonly requests: readonly ReductionRequest[];
  /** Table schema and plot. */
  readonly table: TableSpec;
  private readonly config: ScalarSeriesLensConfig;
  private state = new Map<Phase, Map<string, TensorSeries>>();

  /** @param config - requests, table, quantities and comparison of the concrete lens */
  protected constructor(config: ScalarSeriesLensConfig) {
    this.config = config;
    this.id = config.id;
    this.requests = config.requests;
    this.table = config.table;
  }

  /** Forgets the current epoch. */
  reset(): void {
    this.state = new Map();
  }

  /** Rows of epoch `epoch` (see the class docs for their order). */
  tick(epoch: number): TableRow[] {
    const rows: TableRow[] = [];
    for (const phase of orderPhases(this.state.keys())) {
      const tensors = [...(this.state.get(phase)?.values() ?? [])].sort((a, b) => this.compare(a, b));
      for (const t of tensors) rows.push(...this.tensorRows(epoch, phase, t));
      const comparison = this.config.comparison;
      if (comparison?.phase === phase) rows.push(...this.shareRows(epoch, phase, tensors, comparison));
    }
    this.state = new Map();
    return rows;
  }

  /**
   * Adds one sample of `quantity` for the tensor of `event`. NaN and ±Infinity are counted in
   * the row's `non_finite` and left out of its statistics.
   */
  protected add(event: TensorEvent, quantity: string, value: number): void {
    const parameter = 'parameter' in event ? event.parameter : undefined;
    let byTensor = this.state.get(event.phase);
    if (byTensor === undefined) this.state.set(event.phase, (byTensor = new Map<string, TensorSeries>()));
    // Module names are unique and dotted; a NUL cannot occur in either part.
    const key = parameter === undefined ? event.module.name : `${event.module.name}\u0000${parameter}`;
    let t = byTensor.get(key);
    if (t === undefined) byTensor.set(key, (t = { module: event.module, parameter, series: new Map() }));
    let s = t.series.get(quantity);
    if (s === undefined) t.series.set(quantity, (s = new SeriesStats()));
    s.add(value);
  }

  private tensorRows(epoch: number, phase: Phase, t: TensorSeries): TableRow[] {
    const rows: TableRow[] = [];
    const base = { epoch, phase, module: t.module.name, ...this.parameterCell(t.parameter) };
    for (const quantity of this.config.quantities(t.parameter)) {
      const s = t.series.get(quantity);
      if (s === undefined) continue;
      rows.push({ ...base, quantity, ...summaryCells(s), non_finite: s.nonFinite });
    }
    return rows;
  }

  /** One share row per module with a finite value, per parameter; none when the total is 0. */
  private shareRows(epoch: number, phase: Phase, tensors: readonly TensorSeries[], c: ComparisonConfig): TableRow[] {
    const groups = new Map<string | undefined, { t: TensorSeries; v: number }[]>();
    for (const t of tensors) {
      const v = t.series.get(c.quantity(t.parameter))?.summary()[c.by];
      if (v === undefined || v === null || !Number.isFinite(v) || v < 0) continue;
      let g = groups.get(t.parameter);
      if (g === undefined) groups.set(t.parameter, (g = []));
      g.push({ t, v });
    }
    const rows: TableRow[] = [];
    for (const [parameter, g] of groups) {
      const total = g.reduce((sum, x) => sum + x.v, 0);
      if (!(total > 0)) continue;
      for (const { t, v } of g) {
        rows.push({
          epoch,
          phase,
          module: t.module.name,
          ...this.parameterCell(parameter),
          quantity: c.share(parameter),
          ...shareCells(v / total),
        });
      }
    }
    return rows;
  }

  /** `{ parameter }` for parameter lenses, nothing for output lenses. */
  private parameterCell(parameter: string | undefined): TableRow {
    return this.config.parameters === undefined ? {} : { parameter: parameter ?? null };
  }

  /** Forward order, then module name (ties), then the parameter's place in the options. */
  private compare(a: TensorSeries, b: TensorSeries): number {
    const parameters = this.config.parameters ?? [];
    return (
      a.module.order - b.module.order ||
      (a.module.name === b.module.name ? 0 : a.module.name < b.module.name ? -1 : 1) ||
      parameters.indexOf(a.parameter ?? '') - parameters.indexOf(b.parameter ?? '')
    );
  }
}
