import {
  MODULE_KINDS,
  MonitorchError,
  aggregationOption,
  epsOption,
  phasesOption,
  stringListOption,
  type Aggregation,
  type ModuleKind,
  type ModuleSelector,
  type Phase,
} from '@monitorch/core';

export type { Aggregation };

/** Options of {@link OutputActivation}. */
export interface OutputActivationOptions {
  /** Watch activation modules (ReLU, Sigmoid, Softmax, …). Default true. */
  readonly activation?: boolean;
  /** Watch dropout modules. Default true. */
  readonly dropout?: boolean;
  /** Also watch these module kinds (e.g. `'linear'`) or full module names (e.g. `'dense.lin1'`). */
  readonly include?: readonly string[];
  /** Never watch these module kinds or names (wins over everything). */
  readonly exclude?: readonly string[];
  /** Channels are the last dimension (`[N, T, F]`, `[N, H, W, C]`) instead of dim 1. Default false. */
  readonly channelsLast?: boolean;
  /** An entry is active when |x| > eps. Default 1e-8 (monitorch's threshold). */
  readonly eps?: number;
  /** Phases to record, each its own series. Default `['train']`. */
  readonly phases?: readonly Phase[];
  /** Line of the per-layer panels and the value compared for the warning rows. Default `mean`. */
  readonly aggregation?: Aggregation;
  /** Write the `worst_*` rows and draw the warning panel. Default true. */
  readonly warningPlot?: boolean;
  /** Name the channels dead in every batch of an epoch (`dead_count`, `dead_channels`). Default true. */
  readonly trackDeadChannels?: boolean;
  /** Lens id and table name (default `output-activation`); change it to run two of these lenses. */
  readonly id?: string;
}

/** Options with defaults applied and checked. */
export interface ResolvedOptions {
  readonly id: string;
  readonly selector: ModuleSelector;
  readonly channelsLast: boolean;
  readonly eps: number;
  readonly phases: readonly Phase[];
  readonly aggregation: Aggregation;
  readonly warningPlot: boolean;
  readonly trackDeadChannels: boolean;
}

const LENS = 'OutputActivation';

/**
 * Applies defaults and checks the options.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` for a bare string where a list is expected, a bad
 *   eps, an unknown aggregation, or a selection that can match no module
 */
export function resolveOptions(o: OutputActivationOptions): ResolvedOptions {
  const include = stringListOption(o.include, 'include', LENS) ?? [];
  const exclude = stringListOption(o.exclude, 'exclude', LENS) ?? [];
  const phases = phasesOption(o.phases, LENS);
  const kinds: ModuleKind[] = [];
  if (o.activation ?? true) kinds.push('activation');
  if (o.dropout ?? true) kinds.push('dropout');
  const names: string[] = [];
  for (const item of include) {
    if (isKind(item)) {
      if (!kinds.includes(item)) kinds.push(item);
    } else names.push(item);
  }
  const excludeKinds = exclude.filter(isKind);
  const excludeNames = exclude.filter((x) => !isKind(x));
  if (kinds.length === 0 && names.length === 0) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${LENS} watches no module: activation and dropout are off and include is empty. Turn one on or list module kinds/names in include.`,
      { activation: o.activation, dropout: o.dropout, include: o.include },
    );
  }
  return {
    id: o.id ?? 'output-activation',
    selector: {
      kinds,
      names,
      ...(excludeKinds.length > 0 ? { excludeKinds } : {}),
      ...(excludeNames.length > 0 ? { excludeNames } : {}),
    },
    channelsLast: o.channelsLast ?? false,
    eps: epsOption(o.eps, LENS),
    phases,
    aggregation: aggregationOption(o.aggregation, LENS),
    warningPlot: o.warningPlot ?? true,
    trackDeadChannels: o.trackDeadChannels ?? true,
  };
}

function isKind(x: string): x is ModuleKind {
  return (MODULE_KINDS as readonly string[]).includes(x);
}
