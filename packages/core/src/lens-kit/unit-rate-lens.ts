import type { TensorEvent } from '../events.js';
import type { Lens } from '../lens.js';
import type { Phase } from '../phase.js';
import { reductionKey, type ReductionRequest } from '../reduction.js';
import type { TableRow, TableSpec } from '../tables/table-spec.js';
import type { Aggregation } from './aggregation.js';
import { orderPhases } from './phase-order.js';
import type { RateWording } from './rate-table.js';
import { summaryCells } from './summary-cells.js';
import { UnitRateEpoch } from './unit-rate-epoch.js';
import { oneValueRow, worst } from './worst-rows.js';

/** What a concrete rate lens tells {@link UnitRateLens}. */
export interface UnitRateLensConfig {
  /** Lens id and table name. */
  readonly id: string;
  /** The one request: an `activeCount` reduction of the watched tensors. */
  readonly request: ReductionRequest;
  /** The table (see `rateTable`), worded with `wording`. */
  readonly table: TableSpec;
  /** The table's wording; its `units` name the unit-count and dead-unit columns. */
  readonly wording: RateWording;
  /** The two per-tensor quantities, e.g. `['activation_rate', 'death_rate']`. */
  readonly quantities: (parameter: string | undefined) => readonly [activation: string, death: string];
  /** Watched parameter names in row order; set for parameter tensors (adds the `parameter` cells). */
  readonly parameters?: readonly string[];
  /** The line drawn and compared for the warning rows. */
  readonly aggregation: Aggregation;
  /** Write the `worst_*` rows. */
  readonly warningPlot: boolean;
  /** Name the units dead in every batch of an epoch. */
  readonly trackDead: boolean;
}

/**
 * The machinery every activation-and-death-rate lens shares (semantics §2.2–2.3): per epoch,
 * phase and watched tensor, the batches' activation and death rates, the units dead all
 * epoch, and the whole-model `worst_*` rows. A concrete lens supplies its request and its
 * wording ({@link UnitRateLensConfig}) and names the fold its tensors arrive on.
 *
 * Rows come phase by phase (`train`, `val`, then others), tensors in forward order (then
 * parameters in option order), each phase closed by its warning rows; a tensor with no batch
 * in an epoch has no row that epoch.
 */
export abstract class UnitRateLens implements Lens {
  /** Lens id and table name. */
  readonly id: string;
  /** The lens's one request. */
  readonly requests: readonly ReductionRequest[];
  /** Table schema and plot. */
  readonly table: TableSpec;
  private readonly config: UnitRateLensConfig;
  private readonly key: string;
  private state = new Map<Phase, Map<string, UnitRateEpoch>>();

  /** @param config - request, table, wording and row options of the concrete lens */
  protected constructor(config: UnitRateLensConfig) {
    this.config = config;
    this.id = config.id;
    this.requests = [config.request];
    this.table = config.table;
    this.key = reductionKey(config.request.reduction);
  }

  /** Forgets the current epoch. */
  reset(): void {
    this.state = new Map();
  }

  /** Rows of epoch `epoch` (see the class docs for their order). */
  tick(epoch: number): TableRow[] {
    const rows: TableRow[] = [];
    for (const phase of orderPhases(this.state.keys())) {
      const entries = [...(this.state.get(phase) ?? new Map<string, UnitRateEpoch>()).values()]
        .filter((e) => e.activation.count > 0)
        .sort((a, b) => this.compare(a, b));
      for (const e of entries) rows.push(...this.tensorRows(epoch, phase, e));
      if (this.config.warningPlot && entries.length > 0) rows.push(...this.warningRows(epoch, phase, entries));
    }
    this.state = new Map();
    return rows;
  }

  /** Folds one batch of a watched tensor (the Inspector routes only watched tensors here). */
  protected fold(event: TensorEvent): void {
    const parameter = event.type === 'gradient' || event.type === 'update' ? event.parameter : undefined;
    this.entryOf(event, parameter).add(event, this.key);
  }

  private tensorRows(epoch: number, phase: Phase, e: UnitRateEpoch): TableRow[] {
    const { units } = this.config.wording;
    const [activationQ, deathQ] = this.config.quantities(e.parameter);
    const base = { epoch, phase, module: e.module.name, ...this.parameterCell(e.parameter), non_finite: e.nonFinite };
    const dead = this.config.trackDead ? e.dead.dead() : null;
    return [
      { ...base, quantity: activationQ, ...summaryCells(e.activation) },
      {
        ...base,
        quantity: deathQ,
        ...summaryCells(e.death),
        [units]: this.config.trackDead ? e.dead.units : null,
        dead_count: dead === null ? null : dead.length,
        [`dead_${units}`]: dead,
      },
    ];
  }

  private warningRows(epoch: number, phase: Phase, entries: readonly UnitRateEpoch[]): TableRow[] {
    const by = this.config.aggregation;
    const rows: TableRow[] = [];
    const lowest = worst(
      entries,
      (e) => e.activation.summary()[by],
      (a, b) => a < b,
    );
    const highest = worst(
      entries,
      (e) => e.death.summary()[by],
      (a, b) => a > b,
    );
    for (const [quantity, w] of [
      ['worst_activation_rate', lowest],
      ['worst_death_rate', highest],
    ] as const) {
      if (w === undefined) continue;
      const { units } = this.config.wording;
      rows.push(
        oneValueRow(epoch, phase, quantity, w.value, {
          ...this.parameterCell(w.entry.parameter),
          non_finite: 0,
          [units]: null,
          dead_count: null,
          [`dead_${units}`]: null,
          worst_module: w.entry.module.name,
        }),
      );
    }
    return rows;
  }

  /** `{ parameter }` for parameter lenses, nothing for output lenses. */
  private parameterCell(parameter: string | undefined): TableRow {
    return this.config.parameters === undefined ? {} : { parameter: parameter ?? null };
  }

  /** Forward order, then module name (ties), then the parameter's place in the options. */
  private compare(a: UnitRateEpoch, b: UnitRateEpoch): number {
    const parameters = this.config.parameters ?? [];
    return (
      a.module.order - b.module.order ||
      (a.module.name === b.module.name ? 0 : a.module.name < b.module.name ? -1 : 1) ||
      parameters.indexOf(a.parameter ?? '') - parameters.indexOf(b.parameter ?? '')
    );
  }

  private entryOf(event: TensorEvent, parameter: string | undefined): UnitRateEpoch {
    let byTensor = this.state.get(event.phase);
    if (byTensor === undefined) this.state.set(event.phase, (byTensor = new Map<string, UnitRateEpoch>()));
    // Module names are unique and dotted; a NUL cannot occur in either part.
    const key = parameter === undefined ? event.module.name : `${event.module.name}\u0000${parameter}`;
    let entry = byTensor.get(key);
    if (entry === undefined) {
      entry = new UnitRateEpoch(event.module, parameter, this.config.trackDead);
      byTensor.set(key, entry);
    }
    return entry;
  }
}
