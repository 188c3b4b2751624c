import {
  MonitorchError,
  booleanOption,
  histogramProblem,
  moduleSelectorOption,
  orderPhases,
  phasesOption,
  reductionKey,
  samplingOption,
  type Lens,
  type ModuleInfo,
  type OutputEvent,
  type Phase,
  type Reduction,
  type ReductionRequest,
  type Sampling,
  type TableRow,
  type TableSpec,
} from '@monitorch/core';
import { DISTRIBUTION_QUANTITY, distributionTable } from './distribution-table.js';

/** Options of {@link OutputDistribution}. */
export interface OutputDistributionOptions {
  /** Lower edge of the binned range. Default −4.05 (so that 0 is the middle of a bin). */
  readonly lo?: number;
  /** Upper edge (exclusive). Default 4.05. */
  readonly hi?: number;
  /** Number of equal-width bins over [lo, hi). Default 81 (width 0.1). At most 10 000. */
  readonly bins?: number;
  /** Watch activation modules (ReLU, Sigmoid, …). Default true. */
  readonly activation?: boolean;
  /** Also watch these module kinds (e.g. `'linear'`) or full module names. */
  readonly include?: readonly string[];
  /** Never watch these module kinds or names (wins over everything). */
  readonly exclude?: readonly string[];
  /** Phases to record, each its own rows. Default `['train']`. */
  readonly phases?: readonly Phase[];
  /** Which steps and epochs to watch (default: the Inspector's, else all). */
  readonly sampling?: Sampling;
  /** Lens id and table name (default `output-distribution`). */
  readonly id?: string;
}

/** Default range and bins: ±4.05 in 81 bins of 0.1, bin 40 = [−0.05, 0.05) centred on 0. */
export const DEFAULT_DISTRIBUTION = { lo: -4.05, hi: 4.05, bins: 81 } as const;

const LENS = 'OutputDistribution';

/** One layer's counts over one epoch. */
interface LayerCounts {
  readonly module: ModuleInfo;
  readonly counts: Float64Array;
  below: number;
  above: number;
  nonFinite: number;
  batches: number;
}

/**
 * How layer outputs spread (new; monitorch has no such lens): per layer and epoch, the
 * histogram of output values in equal-width bins over `[lo, hi)` merged over the epoch's
 * batches, as shares of the finite entries, plus the shares below `lo` and at or above `hi`.
 * Drawn as a heat map over epochs, it shows saturation (mass piling at ±1 or 0/1 for
 * tanh/sigmoid), collapse (everything in the bin around 0: dead ReLUs) and explosion (mass
 * leaving the range: `below`/`above` grow).
 *
 * Why these defaults: equal-width bins (what the `histogram` reduction computes on every
 * backend) of width 0.1 over ±4.05 put exact zeros — half of a healthy post-ReLU output — in
 * one bin centred on 0 instead of on a bin edge, resolve tanh/sigmoid saturation at ±1 and
 * 0/1, and keep the shares outside ±4 as the explosion signal. Use `lo`, `hi`, `bins` for
 * other ranges (logits, unnormalised inputs).
 *
 * Rows: one per (epoch, phase, layer), quantity `output_distribution`, columns `lo`, `hi`,
 * `fractions` (list), `below`, `above`, `non_finite`, `count` (batches).
 */
export class OutputDistribution implements Lens {
  /** Lens id and table name. */
  readonly id: string;
  /** The lens's one request: a histogram of watched outputs. */
  readonly requests: readonly ReductionRequest[];
  /** Table schema and plot. */
  readonly table: TableSpec;
  private readonly reduction: Extract<Reduction, { op: 'histogram' }>;
  private readonly key: string;
  private state = new Map<Phase, Map<string, LayerCounts>>();

  /**
   * @param options - see {@link OutputDistributionOptions}
   * @throws MonitorchError `INVALID_ARGUMENT` for a bad option (edges, bins, lists)
   */
  constructor(options: OutputDistributionOptions = {}) {
    const lo = options.lo ?? DEFAULT_DISTRIBUTION.lo;
    const hi = options.hi ?? DEFAULT_DISTRIBUTION.hi;
    const bins = options.bins ?? DEFAULT_DISTRIBUTION.bins;
    const problem = histogramProblem(lo, hi, bins);
    if (problem !== undefined) throw new MonitorchError('INVALID_ARGUMENT', `${LENS}: ${problem}`, { lo, hi, bins });
    const activation = booleanOption(options.activation, 'activation', LENS, true);
    const modules = moduleSelectorOption(options.include, options.exclude, LENS, activation ? ['activation'] : []);
    const phases = phasesOption(options.phases, LENS);
    const sampling = samplingOption(options.sampling, LENS);
    this.id = options.id ?? 'output-distribution';
    this.reduction = { op: 'histogram', lo, hi, bins };
    this.key = reductionKey(this.reduction);
    this.requests = [
      { select: { of: 'output', modules, phases }, reduction: this.reduction, ...(sampling ? { sampling } : {}) },
    ];
    this.table = distributionTable(this.id);
  }

  /** Forgets the current epoch. */
  reset(): void {
    this.state = new Map();
  }

  /** Adds one batch's bin counts of a watched layer. */
  foldOutput(event: OutputEvent): void {
    const r = event.reductions.get(this.key);
    if (r?.op !== 'histogram') return;
    let byLayer = this.state.get(event.phase);
    if (byLayer === undefined) this.state.set(event.phase, (byLayer = new Map<string, LayerCounts>()));
    let c = byLayer.get(event.module.name);
    if (c === undefined) {
      c = {
        module: event.module,
        counts: new Float64Array(this.reduction.bins),
        below: 0,
        above: 0,
        nonFinite: 0,
        batches: 0,
      };
      byLayer.set(event.module.name, c);
    }
    for (let k = 0; k < c.counts.length; k++) c.counts[k] = (c.counts[k] as number) + (r.counts[k] ?? 0);
    c.below += r.below;
    c.above += r.above;
    c.nonFinite += r.nonFinite;
    c.batches += 1;
  }

  /** Rows of epoch `epoch`: phases in reading order, layers in forward order. */
  tick(epoch: number): TableRow[] {
    const rows: TableRow[] = [];
    const { lo, hi } = this.reduction;
    for (const phase of orderPhases(this.state.keys())) {
      const layers = [...(this.state.get(phase)?.values() ?? [])].sort(
        (a, b) => a.module.order - b.module.order || (a.module.name < b.module.name ? -1 : 1),
      );
      for (const c of layers) {
        let finite = c.below + c.above;
        for (const k of c.counts) finite += k;
        const share = (x: number): number | null => (finite > 0 ? x / finite : null);
        rows.push({
          epoch,
          phase,
          module: c.module.name,
          quantity: DISTRIBUTION_QUANTITY,
          mean: null,
          std: null,
          min: null,
          max: null,
          count: c.batches,
          median: null,
          q1: null,
          q3: null,
          non_finite: c.nonFinite,
          lo,
          hi,
          fractions: finite > 0 ? Array.from(c.counts, (k) => k / finite) : null,
          below: share(c.below),
          above: share(c.above),
        });
      }
    }
    this.state = new Map();
    return rows;
  }
}
