import { MonitorchError, aggregationOption, epsOption, type Aggregation } from '@monitorch/core';

export type { Aggregation };

/** Options of {@link ParameterGradientActivation}. */
export interface ParameterGradientActivationOptions {
  /**
   * Parameters to watch (default `['weight', 'bias']`). Only modules that own EVERY listed
   * parameter are watched. Must be an array: a bare string is an error.
   */
  readonly parameters?: readonly string[];
  /** A gradient entry is active when |g| > eps. Default 1e-8 (monitorch's threshold). */
  readonly eps?: number;
  /** Line of the per-layer panels and the value compared for the warning rows. Default `mean`. */
  readonly aggregation?: Aggregation;
  /** Write the `worst_*` rows and draw the warning panel. Default true. */
  readonly warningPlot?: boolean;
  /** Name the neurons whose gradient was zero in every step of an epoch. Default true. */
  readonly trackDeadNeurons?: boolean;
  /** Lens id and table name (default `gradient-activation`). */
  readonly id?: string;
}

/** Options with defaults applied and checked. */
export interface ResolvedOptions {
  readonly id: string;
  readonly parameters: readonly string[];
  readonly eps: number;
  readonly aggregation: Aggregation;
  readonly warningPlot: boolean;
  readonly trackDeadNeurons: boolean;
}

const LENS = 'ParameterGradientActivation';

/**
 * Applies defaults and checks the options.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` for a bare string or empty list as `parameters`,
 *   a bad eps or an unknown aggregation
 */
export function resolveOptions(o: ParameterGradientActivationOptions): ResolvedOptions {
  const parameters: unknown = o.parameters ?? ['weight', 'bias'];
  if (
    !Array.isArray(parameters) ||
    parameters.length === 0 ||
    parameters.some((p) => typeof p !== 'string' || p === '')
  ) {
    const hint = typeof parameters === 'string' ? ` Write parameters: [${JSON.stringify(parameters)}].` : '';
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${LENS}: parameters must be a non-empty array of parameter names, got ${JSON.stringify(parameters)}.${hint}`,
      { parameters },
    );
  }
  return {
    id: o.id ?? 'gradient-activation',
    parameters: [...new Set(parameters as string[])],
    eps: epsOption(o.eps, LENS),
    aggregation: aggregationOption(o.aggregation, LENS),
    warningPlot: o.warningPlot ?? true,
    trackDeadNeurons: o.trackDeadNeurons ?? true,
  };
}
