import { MODULE_KINDS, MonitorchError, type ModuleKind, type ModuleSelector, type Phase } from '@monitorch/core';

/** The statistic of a layer's per-batch samples drawn as its line and compared for the warning rows. */
export type Aggregation = 'mean' | 'median' | 'min' | 'max';

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

const AGGREGATIONS: readonly Aggregation[] = ['mean', 'median', 'min', 'max'];

/**
 * Applies defaults and checks the options.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` for a bare string where a list is expected, a bad
 *   eps, an unknown aggregation, or a selection that can match no module
 */
export function resolveOptions(o: OutputActivationOptions): ResolvedOptions {
  const include = list(o.include, 'include');
  const exclude = list(o.exclude, 'exclude');
  const phases = list(o.phases, 'phases') ?? ['train'];
  const kinds: ModuleKind[] = [];
  if (o.activation ?? true) kinds.push('activation');
  if (o.dropout ?? true) kinds.push('dropout');
  const names: string[] = [];
  for (const item of include ?? []) {
    if (isKind(item)) {
      if (!kinds.includes(item)) kinds.push(item);
    } else names.push(item);
  }
  const excludeKinds = (exclude ?? []).filter(isKind);
  const excludeNames = (exclude ?? []).filter((x) => !isKind(x));
  if (kinds.length === 0 && names.length === 0) {
    throw new MonitorchError('INVALID_ARGUMENT',
      'OutputActivation watches no module: activation and dropout are off and include is empty. Turn one on or list module kinds/names in include.',
      { activation: o.activation, dropout: o.dropout, include: o.include });
  }
  const eps = o.eps ?? 1e-8;
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0) {
    throw new MonitorchError('INVALID_ARGUMENT', `OutputActivation: eps must be a finite number >= 0 (default 1e-8), got ${String(eps)}.`, { eps });
  }
  const aggregation = o.aggregation ?? 'mean';
  if (!AGGREGATIONS.includes(aggregation)) {
    throw new MonitorchError('INVALID_ARGUMENT',
      `OutputActivation: aggregation must be one of ${AGGREGATIONS.join(', ')}, got ${JSON.stringify(aggregation)}. (The std of a rate is in the std column of every row.)`,
      { aggregation });
  }
  if (phases.length === 0) {
    throw new MonitorchError('INVALID_ARGUMENT', "OutputActivation: phases is empty, so nothing would be recorded. Use e.g. ['train'] or ['train', 'val'].", { phases });
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
    eps,
    phases: [...new Set(phases)],
    aggregation,
    warningPlot: o.warningPlot ?? true,
    trackDeadChannels: o.trackDeadChannels ?? true,
  };
}

function isKind(x: string): x is ModuleKind {
  return (MODULE_KINDS as readonly string[]).includes(x);
}

function list(value: unknown, option: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new MonitorchError('INVALID_ARGUMENT',
      `OutputActivation: ${option} must be an array of strings, got ${JSON.stringify(value)}. Write ${option}: [${JSON.stringify(value)}].`,
      { [option]: value });
  }
  return value as string[];
}
