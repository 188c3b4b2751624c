import {
  MonitorchError,
  SeriesStats,
  reductionKey,
  requestWants,
  type GradientEvent,
  type Lens,
  type ModuleInfo,
  type Phase,
  type ReductionRequest,
  type TableRow,
  type TableSpec,
  DeadUnits,
  orderPhases,
  summaryCells,
  unitRates,
} from '@monitorch/core';
import { gradientTable, parameterQuantities } from './gradient-table.js';
import { resolveOptions, type Aggregation, type ParameterGradientActivationOptions } from './options.js';

/** What one (layer, parameter) gathered in one phase during the current epoch. */
interface ParameterEpoch {
  readonly module: ModuleInfo;
  readonly parameter: string;
  readonly activation: SeriesStats;
  readonly death: SeriesStats;
  readonly dead: DeadUnits;
  nonFinite: number;
}

/**
 * Activation and death rate of parameter gradients (semantics §2.3), per epoch, layer and
 * parameter.
 *
 * Each gradient of a watched parameter is reduced to per-neuron active counts (|g| > eps),
 * the neuron being dim 0 (output unit / output channel). With r_o the fraction of neuron o's
 * gradient entries that are active, the step gives activation = mean_o r_o and death =
 * mean_o [r_o = 0] — the share of neurons that received no gradient at all, i.e. did not learn
 * in that step. An epoch summarises its steps per (layer, parameter) in rows
 * `<parameter>_activation_rate` and `<parameter>_death_rate`; the death row also names the
 * neurons that received no gradient in ANY step of the epoch (`dead_count`, `dead_neurons`).
 * The whole-model rows `worst_activation_rate` / `worst_death_rate` take the worst over all
 * layers AND parameters (`worst_module`, `parameter` name where).
 *
 * Rows are in forward order (parameters in option order); a layer without gradients in an
 * epoch has no row that epoch.
 */
export class ParameterGradientActivation implements Lens {
  /** Lens id and table name. */
  readonly id: string;
  /** One request: per-neuron active counts of the listed parameters' gradients. */
  readonly requests: readonly ReductionRequest[];
  /** Table schema and plot (see {@link gradientTable}). */
  readonly table: TableSpec;
  /** The watched parameter names, in order. */
  readonly parameters: readonly string[];
  private readonly request: ReductionRequest;
  private readonly key: string;
  private readonly aggregation: Aggregation;
  private readonly warningPlot: boolean;
  private readonly trackDead: boolean;
  private state = new Map<Phase, Map<string, ParameterEpoch>>();

  /**
   * @param options - parameters, threshold, plot
   * @throws MonitorchError `INVALID_ARGUMENT` for bad options
   */
  constructor(options: ParameterGradientActivationOptions = {}) {
    const o = resolveOptions(options);
    this.id = o.id;
    this.parameters = o.parameters;
    this.aggregation = o.aggregation;
    this.warningPlot = o.warningPlot;
    this.trackDead = o.trackDeadNeurons;
    this.request = {
      select: { of: 'gradient', parameters: o.parameters },
      reduction: { op: 'activeCount', per: 'neuron', eps: o.eps },
    };
    this.key = reductionKey(this.request.reduction);
    this.requests = [this.request];
    this.table = gradientTable({ name: o.id, parameters: o.parameters, line: o.aggregation, warningPlot: o.warningPlot });
  }

  /** Forgets the current epoch. */
  reset(): void {
    this.state = new Map();
  }

  /** Adds one step's activation and death samples of a watched parameter's gradient. */
  foldGradient(event: GradientEvent): void {
    if (!requestWants(this.request, 'gradient', event.module, event.parameter, event.phase)) return;
    const answer = event.reductions.get(this.key);
    if (answer === undefined || answer.op !== 'activeCount') {
      throw new MonitorchError('BACKEND_FAILED',
        `The gradient of "${event.module.name}.${event.parameter}" arrived without its ${this.key} answer. The adapter must compute every reduction in inspector.requests.`,
        { module: event.module.name, parameter: event.parameter, key: this.key });
    }
    const entry = this.entryOf(event.phase, event.module, event.parameter);
    entry.nonFinite += answer.nonFinite;
    const rates = unitRates(answer.counts, answer.size);
    if (rates === undefined) return;
    entry.activation.add(rates.activation);
    entry.death.add(rates.death);
    if (this.trackDead) entry.dead.add(answer.counts);
  }

  /** Rows of epoch `epoch`: per phase, layers in forward order and parameters in option order, then the warning rows. */
  tick(epoch: number): TableRow[] {
    const rows: TableRow[] = [];
    for (const phase of orderPhases(this.state.keys())) {
      const entries = [...(this.state.get(phase) as Map<string, ParameterEpoch>).values()]
        .filter((e) => e.activation.count > 0)
        .sort((a, b) => a.module.order - b.module.order
          || (a.module.name === b.module.name ? 0 : a.module.name < b.module.name ? -1 : 1)
          || this.parameters.indexOf(a.parameter) - this.parameters.indexOf(b.parameter));
      for (const e of entries) {
        const [activationQ, deathQ] = parameterQuantities(e.parameter);
        const base = { epoch, phase, module: e.module.name, parameter: e.parameter, non_finite: e.nonFinite };
        rows.push({ ...base, quantity: activationQ, ...summaryCells(e.activation) });
        const dead = this.trackDead ? e.dead.dead() : null;
        rows.push({
          ...base, quantity: deathQ, ...summaryCells(e.death),
          neurons: this.trackDead ? e.dead.units : null,
          dead_count: dead === null ? null : dead.length,
          dead_neurons: dead,
        });
      }
      if (this.warningPlot && entries.length > 0) rows.push(...this.warningRows(epoch, phase, entries));
    }
    this.state = new Map();
    return rows;
  }

  private warningRows(epoch: number, phase: Phase, entries: readonly ParameterEpoch[]): TableRow[] {
    const rows: TableRow[] = [];
    const a = worst(entries, (e) => e.activation.summary()[this.aggregation], (x, y) => x < y);
    const d = worst(entries, (e) => e.death.summary()[this.aggregation], (x, y) => x > y);
    if (a !== undefined) rows.push(oneValueRow(epoch, phase, 'worst_activation_rate', a));
    if (d !== undefined) rows.push(oneValueRow(epoch, phase, 'worst_death_rate', d));
    return rows;
  }

  private entryOf(phase: Phase, module: ModuleInfo, parameter: string): ParameterEpoch {
    let byKey = this.state.get(phase);
    if (byKey === undefined) {
      byKey = new Map();
      this.state.set(phase, byKey);
    }
    // Module names are unique and dotted; a NUL cannot occur in either part.
    const key = `${module.name}\u0000${parameter}`;
    let entry = byKey.get(key);
    if (entry === undefined) {
      entry = { module, parameter, activation: new SeriesStats(), death: new SeriesStats(), dead: new DeadUnits(), nonFinite: 0 };
      byKey.set(key, entry);
    }
    return entry;
  }
}

interface Worst {
  readonly entry: ParameterEpoch;
  readonly value: number;
}

/** The entry whose value is worst by `worse` (the first in row order on ties). */
function worst(
  entries: readonly ParameterEpoch[],
  value: (e: ParameterEpoch) => number | null,
  worse: (a: number, b: number) => boolean,
): Worst | undefined {
  let found: Worst | undefined;
  for (const entry of entries) {
    const v = value(entry);
    if (v === null) continue;
    if (found === undefined || worse(v, found.value)) found = { entry, value: v };
  }
  return found;
}

/** A whole-model row holding one sample: the worst (layer, parameter)'s value. */
function oneValueRow(epoch: number, phase: Phase, quantity: string, w: Worst): TableRow {
  const v = w.value;
  return {
    epoch, phase, module: '', quantity, parameter: w.entry.parameter,
    mean: v, std: 0, min: v, max: v, count: 1, median: v, q1: v, q3: v,
    non_finite: 0, neurons: null, dead_count: null, dead_neurons: null, worst_module: w.entry.module.name,
  };
}
