import {
  ScalarSeriesLens,
  aggregationOption,
  bandsOption,
  booleanOption,
  defineTable,
  entriesFrom,
  moduleSelectorOption,
  orderPhases,
  phasesOption,
  reductionKey,
  samplingOption,
  scalarSeriesColumns,
  type Aggregation,
  type BandKind,
  type OutputEvent,
  type PanelSpec,
  type Phase,
  type Reduction,
  type Sampling,
  type TableSpec,
} from '@monitorch/core';

/** Options of {@link OutputNorm}. */
export interface OutputNormOptions {
  /** Divide each sample's norm by √(entries per sample): the per-sample RMS (`output_rms`). Default false. */
  readonly normalizeBySize?: boolean;
  /** Draw the norm panel on a log y axis (values are never logged). Default false. */
  readonly logScale?: boolean;
  /** Watch activation modules (ReLU, Sigmoid, …). Default true. */
  readonly activation?: boolean;
  /** Also watch these module kinds (e.g. `'linear'`) or full module names. */
  readonly include?: readonly string[];
  /** Never watch these module kinds or names (wins over everything). */
  readonly exclude?: readonly string[];
  /** Phases to record, each its own series. Default `['train']`. */
  readonly phases?: readonly Phase[];
  /** Line of the norm panel. Default `mean`. */
  readonly lineAggregation?: Aggregation;
  /** Bands under the line. Default `['std', 'min-max']` (monitorch's). */
  readonly bands?: readonly BandKind[];
  /** Write share rows and draw the comparison panel. Default true. */
  readonly comparisonPlot?: boolean;
  /** Statistic compared across layers. Default: `lineAggregation`. */
  readonly comparisonAggregation?: Aggregation;
  /** Which steps and epochs to watch (default: the Inspector's, else all). */
  readonly sampling?: Sampling;
  /** Lens id and table name (default `output-norm`). */
  readonly id?: string;
}

const LENS = 'OutputNorm';
const SAMPLE_L2: Reduction = { op: 'sampleL2' };

/**
 * Size of layer outputs (semantics §2.4): per forward pass of a watched layer, the batch mean
 * of the per-sample Euclidean norms `mean_b ‖y[b]‖₂` (or the per-sample RMS with
 * `normalizeBySize`: divided by √(entries of one sample)). Per epoch, phase and layer one
 * `output_norm` (`output_rms`) row summarising the batches, and — with `comparisonPlot` — one
 * `output_norm_share` row per layer: its value over the sum of all layers measured that epoch
 * (in the first recorded phase, train by default: one relations panel shows one phase).
 *
 * Panels: `Output Norm` (small, numerical, log y with `logScale`) and
 * `<Mean> Output[ Log] Norm Comparison` (big, relations).
 *
 * @example
 * ```ts
 * new Inspector({ lenses: [new OutputNorm({ normalizeBySize: true, include: ['linear'] })] });
 * ```
 */
export class OutputNorm extends ScalarSeriesLens {
  private readonly normalize: boolean;
  private readonly quantity: string;
  private readonly key = reductionKey(SAMPLE_L2);

  /**
   * @param options - see {@link OutputNormOptions}
   * @throws MonitorchError `INVALID_ARGUMENT` for a bad option
   */
  constructor(options: OutputNormOptions = {}) {
    const normalize = booleanOption(options.normalizeBySize, 'normalizeBySize', LENS, false);
    const logScale = booleanOption(options.logScale, 'logScale', LENS, false);
    const activation = booleanOption(options.activation, 'activation', LENS, true);
    const comparison = booleanOption(options.comparisonPlot, 'comparisonPlot', LENS, true);
    const line = aggregationOption(options.lineAggregation, LENS);
    const by =
      options.comparisonAggregation === undefined ? line : aggregationOption(options.comparisonAggregation, LENS);
    const bands = bandsOption(options.bands, LENS, ['std', 'min-max']);
    const modules = moduleSelectorOption(options.include, options.exclude, LENS, activation ? ['activation'] : []);
    const phases = phasesOption(options.phases, LENS);
    const sampling = samplingOption(options.sampling, LENS);
    const id = options.id ?? 'output-norm';
    const quantity = normalize ? 'output_rms' : 'output_norm';
    const share = `${quantity}_share`;
    super({
      id,
      requests: [
        { select: { of: 'output', modules, phases }, reduction: SAMPLE_L2, ...(sampling ? { sampling } : {}) },
      ],
      table: outputNormTable({ id, quantity, share, line, bands, logScale, comparison, by }),
      quantities: () => [quantity],
      ...(comparison
        ? { comparison: { quantity: () => quantity, share: () => share, by, phase: orderPhases(phases)[0] ?? 'train' } }
        : {}),
    });
    this.normalize = normalize;
    this.quantity = quantity;
  }

  /** Adds one batch's mean per-sample norm of a watched layer. */
  foldOutput(event: OutputEvent): void {
    const r = event.reductions.get(this.key);
    if (r?.op !== 'sampleL2') return;
    this.add(event, this.quantity, this.normalize ? r.value / Math.sqrt(entriesFrom(event.shape, 1)) : r.value);
  }
}

/** Table and panels of {@link OutputNorm}. */
function outputNormTable(o: {
  id: string;
  quantity: string;
  share: string;
  line: Aggregation;
  bands: readonly BandKind[];
  logScale: boolean;
  comparison: boolean;
  by: Aggregation;
}): TableSpec {
  const panels: PanelSpec[] = [
    {
      title: 'Output Norm',
      size: 'small',
      kind: 'numerical',
      quantities: [o.quantity],
      line: o.line,
      bands: o.bands,
      ...(o.logScale ? { yScale: 'log' as const } : {}),
    },
  ];
  if (o.comparison) {
    panels.push({
      title: `${o.by[0]?.toUpperCase() ?? ''}${o.by.slice(1)} Output ${o.logScale ? 'Log ' : ''}Norm Comparison`,
      size: 'big',
      kind: 'relations',
      quantities: [o.share],
      line: 'mean',
    });
  }
  return defineTable(o.id, scalarSeriesColumns(false), { panels });
}
