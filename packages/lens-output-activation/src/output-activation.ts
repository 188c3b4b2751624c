import {
  MonitorchError,
  SeriesStats,
  reductionKey,
  requestWants,
  type ForwardEvent,
  type Lens,
  type ModuleInfo,
  type Phase,
  type ReductionRequest,
  type TableRow,
  type TableSpec,
  DeadUnits,
  summaryCells,
  unitRates,
} from '@monitorch/core';
import { activationTable } from './activation-table.js';
import { resolveOptions, type Aggregation, type OutputActivationOptions } from './options.js';

/** What one layer gathered in one phase during the current epoch. */
interface LayerEpoch {
  readonly module: ModuleInfo;
  readonly activation: SeriesStats;
  readonly death: SeriesStats;
  readonly dead: DeadUnits;
  nonFinite: number;
}

/**
 * Activation and death rate of layer outputs (semantics §2.2), per epoch, phase and layer.
 *
 * Each forward output of a watched layer (activation and dropout modules by default) is
 * reduced to per-channel active counts (|y| > eps; negative outputs count as active). With
 * r_c the fraction of (sample, position) pairs where channel c is active, the batch gives two
 * samples: activation = mean_c r_c and death = mean_c [r_c = 0]. An epoch summarises its
 * batches per layer: rows `activation_rate` and `death_rate` (mean, population std, min, max,
 * count of batches, closest-observation median / q1 / q3); the death row also names the
 * channels that were zero in EVERY batch of the epoch (`dead_count`, `dead_channels`). The
 * whole-model rows `worst_activation_rate` (lowest layer) and `worst_death_rate` (highest
 * layer) feed the warning panel, with `worst_module` naming the layer.
 *
 * Rows are in forward order; a layer with no batch in an epoch has no row that epoch.
 *
 * @example
 * ```ts
 * const inspector = new Inspector({ lenses: [new OutputActivation({ phases: ['train', 'val'] })] });
 * ```
 */
export class OutputActivation implements Lens {
  /** Lens id and table name. */
  readonly id: string;
  /** One request: per-channel active counts of the watched outputs. */
  readonly requests: readonly ReductionRequest[];
  /** Table schema and plot (see {@link activationTable}). */
  readonly table: TableSpec;
  private readonly request: ReductionRequest;
  private readonly key: string;
  private readonly phases: readonly Phase[];
  private readonly aggregation: Aggregation;
  private readonly warningPlot: boolean;
  private readonly trackDead: boolean;
  private layers = new Map<Phase, Map<string, LayerEpoch>>();

  /**
   * @param options - which modules and phases to watch, threshold, layout, plot
   * @throws MonitorchError `INVALID_ARGUMENT` for bad options (see {@link OutputActivationOptions})
   */
  constructor(options: OutputActivationOptions = {}) {
    const o = resolveOptions(options);
    this.id = o.id;
    this.phases = o.phases;
    this.aggregation = o.aggregation;
    this.warningPlot = o.warningPlot;
    this.trackDead = o.trackDeadChannels;
    this.request = {
      select: { of: 'output', modules: o.selector, phases: o.phases },
      reduction: o.channelsLast
        ? { op: 'activeCount', per: 'channel', eps: o.eps, channelsLast: true }
        : { op: 'activeCount', per: 'channel', eps: o.eps },
    };
    this.key = reductionKey(this.request.reduction);
    this.requests = [this.request];
    this.table = activationTable({ name: o.id, line: o.aggregation, warningPlot: o.warningPlot });
  }

  /** Forgets the current epoch. */
  reset(): void {
    this.layers = new Map();
  }

  /** Adds one batch's activation and death samples of a watched layer. */
  foldForward(event: ForwardEvent): void {
    if (!requestWants(this.request, 'output', event.module, undefined, event.phase)) return;
    const answer = event.reductions.get(this.key);
    if (answer === undefined || answer.op !== 'activeCount') {
      throw new MonitorchError('BACKEND_FAILED',
        `The output of "${event.module.name}" arrived without its ${this.key} answer. The adapter must compute every reduction in inspector.requests.`,
        { module: event.module.name, key: this.key });
    }
    const layer = this.layerOf(event.phase, event.module);
    layer.nonFinite += answer.nonFinite;
    const rates = unitRates(answer.counts, answer.size);
    if (rates === undefined) return;
    layer.activation.add(rates.activation);
    layer.death.add(rates.death);
    if (this.trackDead) layer.dead.add(answer.counts);
  }

  /** Rows of epoch `epoch`: per phase, layers in forward order, then the warning rows. */
  tick(epoch: number): TableRow[] {
    const rows: TableRow[] = [];
    for (const phase of this.phases) {
      const byName = this.layers.get(phase);
      if (byName === undefined) continue;
      const layers = [...byName.values()]
        .filter((l) => l.activation.count > 0)
        .sort((a, b) => a.module.order - b.module.order || (a.module.name < b.module.name ? -1 : 1));
      for (const l of layers) {
        const base = { epoch, phase, module: l.module.name, non_finite: l.nonFinite };
        rows.push({ ...base, quantity: 'activation_rate', ...summaryCells(l.activation) });
        const dead = this.trackDead ? l.dead.dead() : null;
        rows.push({
          ...base, quantity: 'death_rate', ...summaryCells(l.death),
          channels: this.trackDead ? l.dead.units : null,
          dead_count: dead === null ? null : dead.length,
          dead_channels: dead,
        });
      }
      if (this.warningPlot && layers.length > 0) rows.push(...this.warningRows(epoch, phase, layers));
    }
    this.layers = new Map();
    return rows;
  }

  private warningRows(epoch: number, phase: Phase, layers: readonly LayerEpoch[]): TableRow[] {
    const worstActivation = worst(layers, (l) => l.activation.summary()[this.aggregation], (a, b) => a < b);
    const worstDeath = worst(layers, (l) => l.death.summary()[this.aggregation], (a, b) => a > b);
    const rows: TableRow[] = [];
    if (worstActivation !== undefined) rows.push(oneValueRow(epoch, phase, 'worst_activation_rate', worstActivation));
    if (worstDeath !== undefined) rows.push(oneValueRow(epoch, phase, 'worst_death_rate', worstDeath));
    return rows;
  }

  private layerOf(phase: Phase, module: ModuleInfo): LayerEpoch {
    let byName = this.layers.get(phase);
    if (byName === undefined) {
      byName = new Map();
      this.layers.set(phase, byName);
    }
    let layer = byName.get(module.name);
    if (layer === undefined) {
      layer = { module, activation: new SeriesStats(), death: new SeriesStats(), dead: new DeadUnits(), nonFinite: 0 };
      byName.set(module.name, layer);
    }
    return layer;
  }
}

/** The layer whose value is worst by `worse` (the first in forward order on ties). */
function worst(
  layers: readonly LayerEpoch[],
  value: (l: LayerEpoch) => number | null,
  worse: (a: number, b: number) => boolean,
): { module: string; value: number } | undefined {
  let found: { module: string; value: number } | undefined;
  for (const l of layers) {
    const v = value(l);
    if (v === null) continue;
    if (found === undefined || worse(v, found.value)) found = { module: l.module.name, value: v };
  }
  return found;
}

/** A whole-model row holding one sample: the worst layer's value. */
function oneValueRow(epoch: number, phase: Phase, quantity: string, w: { module: string; value: number }): TableRow {
  const v = w.value;
  return {
    epoch, phase, module: '', quantity,
    mean: v, std: 0, min: v, max: v, count: 1, median: v, q1: v, q3: v,
    non_finite: 0, channels: null, dead_count: null, dead_channels: null, worst_module: w.module,
  };
}
