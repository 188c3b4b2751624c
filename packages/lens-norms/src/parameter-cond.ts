import {
  ScalarSeriesLens,
  aggregationOption,
  defineTable,
  moduleSelectorOption,
  parameterRequests,
  parametersOption,
  reductionKey,
  samplingOption,
  scalarSeriesColumns,
  titleCase,
  type Aggregation,
  type ParameterEvent,
  type Reduction,
  type Sampling,
} from '@monitorch/core';

/** Options of {@link ParameterCond}. */
export interface ParameterCondOptions {
  /** Parameters to watch: matrices and conv kernels (rank ≥ 2), never biases. Default `['weight']`. */
  readonly parameters?: readonly string[];
  /** Line of the panels. Default `mean`. */
  readonly aggregation?: Aggregation;
  /** Only watch these module kinds or names (default: every module with the parameter). */
  readonly include?: readonly string[];
  /** Never watch these module kinds or names. */
  readonly exclude?: readonly string[];
  /** Which epochs to watch. Default: the Inspector's, else all. */
  readonly sampling?: Sampling;
  /** Lens id and table name (default `parameter-cond`). */
  readonly id?: string;
}

const LENS = 'ParameterCond';
const RATIO: Reduction = { op: 'singularRatio' };

/**
 * Conditioning of the weights (monitorch's unfinished `ParameterCond`, semantics §2.9, done):
 * per snapshot (each watched epoch's end, and `ParameterNorm.collect()` /
 * `inspector.snapshotParameters()`), `σ_min/σ_max` of each watched weight reshaped to
 * `[out, in·k…]` — the reciprocal of the 2-norm condition number, in [0, 1]: 1 for orthogonal
 * rows, toward 0 as the weight loses rank. Computed on the CPU from the float64 Gram matrix of
 * the smaller side by Jacobi rotations; ratios below ~√(k·2⁻⁵²) (≈1.7·10⁻⁷ for k = 128) read
 * as 0 (see `singularRatio` in @monitorch/core). A weight that is all zero or not finite gives a
 * non-finite sample (counted in `non_finite`). Biases (rank 1) are refused by the kernel.
 *
 * Rows per epoch, module and parameter: `<p>_cond`. Panel per parameter: `<P> Cond` (small,
 * numerical, y in [0, 1]).
 */
export class ParameterCond extends ScalarSeriesLens {
  private readonly key = reductionKey(RATIO);

  /**
   * @param options - see {@link ParameterCondOptions}
   * @throws MonitorchError `INVALID_ARGUMENT` for a bad option
   */
  constructor(options: ParameterCondOptions = {}) {
    const parameters = parametersOption(options.parameters, LENS, ['weight']);
    const line = aggregationOption(options.aggregation, LENS);
    const modules = moduleSelectorOption(options.include, options.exclude, LENS, undefined);
    const sampling = samplingOption(options.sampling, LENS);
    const id = options.id ?? 'parameter-cond';
    super({
      id,
      requests: parameterRequests('parameter', parameters, modules, [RATIO], sampling),
      table: defineTable(id, scalarSeriesColumns(true), {
        panels: parameters.map((p) => ({
          title: `${titleCase(p)} Cond`,
          size: 'small',
          kind: 'numerical',
          quantities: [`${p}_cond`],
          line,
          yDomain: [0, 1] as const,
        })),
      }),
      parameters,
      quantities: (p) => [`${p ?? ''}_cond`],
    });
  }

  /** Adds one snapshot's σ_min/σ_max of a watched parameter. */
  foldParameter(event: ParameterEvent): void {
    const r = event.reductions.get(this.key);
    if (r?.op !== 'singularRatio') return;
    this.add(event, `${event.parameter}_cond`, r.value);
  }
}
