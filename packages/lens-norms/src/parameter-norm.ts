import {
  MonitorchError,
  ScalarSeriesLens,
  aggregationOption,
  booleanOption,
  defineTable,
  entriesFrom,
  moduleSelectorOption,
  parameterRequests,
  parametersOption,
  reductionKey,
  samplingOption,
  scalarSeriesColumns,
  titleCase,
  type Aggregation,
  type LensHost,
  type PanelSpec,
  type ParameterEvent,
  type Reduction,
  type Sampling,
  type TableSpec,
} from '@monitorch/core';

/** Options of {@link ParameterNorm}. */
export interface ParameterNormOptions {
  /** Parameters to watch, each in every module that has it. Default `['weight', 'bias']`. */
  readonly parameters?: readonly string[];
  /** Divide each norm by √(entries): the parameter's RMS (`<p>_rms`). Default false. */
  readonly normalizeBySize?: boolean;
  /** Draw the norm panels on a log y axis. Default false. */
  readonly logScale?: boolean;
  /** Write share rows and draw one comparison panel per parameter. Default true. */
  readonly comparisonPlot?: boolean;
  /** Line of the panels and the statistic compared (monitorch's `aggregation_method`). Default `mean`. */
  readonly aggregation?: Aggregation;
  /** Only watch these module kinds or names (default: every module with the parameter). */
  readonly include?: readonly string[];
  /** Never watch these module kinds or names. */
  readonly exclude?: readonly string[];
  /** Which epochs to watch (snapshots are gated by epoch only). Default: the Inspector's, else all. */
  readonly sampling?: Sampling;
  /** Lens id and table name (default `parameter-norm`). */
  readonly id?: string;
}

const LENS = 'ParameterNorm';
const L2: Reduction = { op: 'l2' };

/**
 * Size of the weights (semantics §2.5): per parameter snapshot, `‖P‖₂` (or the RMS
 * `‖P‖₂/√numel` with `normalizeBySize`). A snapshot is taken as each watched epoch closes
 * (the adapter reports the parameters just before the tick) and whenever {@link collect} is
 * called, so with no explicit calls every epoch has one sample: the norm at the epoch's end.
 * Rows per epoch, module and parameter: `<p>_norm` (`<p>_rms`) and, with `comparisonPlot`,
 * `<p>_norm_share` (the module's share of the sum over the modules measured that epoch).
 *
 * Panels per parameter p: `<P> Norm` (small, numerical) and `<P>[ Log] Norm Comparison` (big,
 * relations).
 */
export class ParameterNorm extends ScalarSeriesLens {
  private readonly normalize: boolean;
  private readonly key = reductionKey(L2);
  private host: LensHost | undefined;

  /**
   * @param options - see {@link ParameterNormOptions}
   * @throws MonitorchError `INVALID_ARGUMENT` for a bad option
   */
  constructor(options: ParameterNormOptions = {}) {
    const parameters = parametersOption(options.parameters, LENS, ['weight', 'bias']);
    const normalize = booleanOption(options.normalizeBySize, 'normalizeBySize', LENS, false);
    const logScale = booleanOption(options.logScale, 'logScale', LENS, false);
    const comparison = booleanOption(options.comparisonPlot, 'comparisonPlot', LENS, true);
    const by = aggregationOption(options.aggregation, LENS);
    const modules = moduleSelectorOption(options.include, options.exclude, LENS, undefined);
    const sampling = samplingOption(options.sampling, LENS);
    const id = options.id ?? 'parameter-norm';
    const quantity = (p: string | undefined): string => `${p ?? ''}_${normalize ? 'rms' : 'norm'}`;
    const share = (p: string | undefined): string => `${quantity(p)}_share`;
    const panels: PanelSpec[] = parameters.map((p) => ({
      title: `${titleCase(p)} Norm`,
      size: 'small',
      kind: 'numerical',
      quantities: [quantity(p)],
      line: by,
      ...(logScale ? { yScale: 'log' as const } : {}),
    }));
    if (comparison) {
      for (const p of parameters) {
        panels.push({
          title: `${titleCase(p)} ${logScale ? 'Log ' : ''}Norm Comparison`,
          size: 'big',
          kind: 'relations',
          quantities: [share(p)],
          line: 'mean',
        });
      }
    }
    const table: TableSpec = defineTable(id, scalarSeriesColumns(true), { panels });
    super({
      id,
      requests: parameterRequests('parameter', parameters, modules, [L2], sampling),
      table,
      parameters,
      quantities: (p) => [quantity(p)],
      // Snapshots are reported in the default phase, train.
      ...(comparison ? { comparison: { quantity, share, by, phase: 'train' } } : {}),
    });
    this.normalize = normalize;
  }

  /** Called by the Inspector at attach: {@link collect} asks it for snapshots. */
  bind(host: LensHost): void {
    this.host = host;
  }

  /**
   * Takes one more snapshot of the watched parameters now (monitorch's `collect_data()`), e.g.
   * after each optimizer step: each call adds one sample to the epoch's rows.
   *
   * @throws MonitorchError `NOT_ATTACHED` when the lens's Inspector was never attached
   */
  collect(): void {
    if (this.host === undefined) {
      throw new MonitorchError(
        'NOT_ATTACHED',
        'ParameterNorm.collect() needs the lens in an attached Inspector: pass it in `lenses` and call inspector.attach(adapter) first.',
      );
    }
    this.host.snapshotParameters();
  }

  /** Adds one snapshot's norm of a watched parameter. */
  foldParameter(event: ParameterEvent): void {
    const r = event.reductions.get(this.key);
    if (r?.op !== 'l2') return;
    const value = this.normalize ? r.value / Math.sqrt(entriesFrom(event.shape, 0)) : r.value;
    this.add(event, `${event.parameter}_${this.normalize ? 'rms' : 'norm'}`, value);
  }
}
