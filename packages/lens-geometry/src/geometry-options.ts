import {
  aggregationOption,
  bandsOption,
  booleanOption,
  moduleSelectorOption,
  samplingOption,
  type Aggregation,
  type BandKind,
  type ModuleKind,
  type ModuleSelector,
  type Sampling,
} from '@monitorch/core';

/** Options every geometry lens takes (monitorch's, §2.6–2.8, plus module selection and sampling). */
export interface GeometryOptions {
  /** Divide each norm by √(entries of the tensor): an RMS (`…_rms` quantities). Default false. */
  readonly normalizeBySize?: boolean;
  /** Draw the norm panels on a log y axis. Default false. */
  readonly logScale?: boolean;
  /** Also record the cosine with the previous watched tensor (`…_correlation`). Default true. */
  readonly computeCorrelation?: boolean;
  /** Line of the panels. Default `mean`. */
  readonly lineAggregation?: Aggregation;
  /** Bands under the lines. Default `['std', 'min-max']`. */
  readonly bands?: readonly BandKind[];
  /** Only watch these module kinds or names (kinds add to the lens's defaults). */
  readonly include?: readonly string[];
  /** Never watch these module kinds or names. */
  readonly exclude?: readonly string[];
  /** Which steps and epochs to watch (default: the Inspector's, else all). */
  readonly sampling?: Sampling;
  /** Lens id and table name. */
  readonly id?: string;
}

/** {@link GeometryOptions} with defaults applied and checked. */
export interface ResolvedGeometry {
  /** `normalizeBySize`. */
  readonly normalize: boolean;
  /** `logScale`. */
  readonly logScale: boolean;
  /** `computeCorrelation`. */
  readonly correlation: boolean;
  /** `lineAggregation`. */
  readonly line: Aggregation;
  /** `bands`. */
  readonly bands: readonly BandKind[];
  /** The module selector built from `include`/`exclude`. */
  readonly modules: ModuleSelector;
  /** `sampling`, checked. */
  readonly sampling: Sampling | undefined;
}

/**
 * Applies defaults and checks the shared options.
 *
 * @param defaults - module kinds watched by default (undefined: every module)
 * @throws MonitorchError `INVALID_ARGUMENT` for a bad option
 */
export function resolveGeometry(o: GeometryOptions, lens: string, defaults?: readonly ModuleKind[]): ResolvedGeometry {
  return {
    normalize: booleanOption(o.normalizeBySize, 'normalizeBySize', lens, false),
    logScale: booleanOption(o.logScale, 'logScale', lens, false),
    correlation: booleanOption(o.computeCorrelation, 'computeCorrelation', lens, true),
    line: aggregationOption(o.lineAggregation, lens),
    bands: bandsOption(o.bands, lens, ['std', 'min-max']),
    modules: moduleSelectorOption(o.include, o.exclude, lens, defaults),
    sampling: samplingOption(o.sampling, lens),
  };
}
