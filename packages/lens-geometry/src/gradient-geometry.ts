import { parameterRequests, parametersOption, titleCase, type GradientEvent } from '@monitorch/core';
import { GeometryLens, geometryReduction } from './geometry-lens.js';
import { resolveGeometry, type GeometryOptions } from './geometry-options.js';

/** Options of {@link ParameterGradientGeometry}. */
export interface ParameterGradientGeometryOptions extends GeometryOptions {
  /** Parameters to watch, each in every module that has it. Default `['weight', 'bias']`. */
  readonly parameters?: readonly string[];
}

const LENS = 'ParameterGradientGeometry';

/**
 * Parameter gradients' size and direction (semantics §2.6): per watched gradient report,
 * `‖G‖₂` (`<p>_gradient_norm`, or `<p>_gradient_rms` normalised by √numel) and
 * `cos(G_prev, G)` (`<p>_gradient_correlation`) with the previous watched gradient of the same
 * parameter — carried across epochs, so only the run's first correlation is skipped.
 *
 * Panels per parameter p: `<P> Gradient Norm` and `<P> Gradient Correlation` (small, numerical;
 * the correlation axis fixed to [−1, 1]).
 */
export class ParameterGradientGeometry extends GeometryLens {
  /**
   * @param options - see {@link ParameterGradientGeometryOptions}
   * @throws MonitorchError `INVALID_ARGUMENT` for a bad option
   */
  constructor(options: ParameterGradientGeometryOptions = {}) {
    const o = resolveGeometry(options, LENS);
    const parameters = parametersOption(options.parameters, LENS, ['weight', 'bias']);
    super({
      id: options.id ?? 'gradient-geometry',
      options: o,
      requests: parameterRequests('gradient', parameters, o.modules, [geometryReduction(o.correlation)], o.sampling),
      parameters,
      prefix: (p) => `${p ?? ''}_gradient`,
      titles: parameters.map((p) => ({ parameter: p, stem: `${titleCase(p)} Gradient` })),
    });
  }

  /** Adds one gradient's samples. */
  foldGradient(event: GradientEvent): void {
    this.foldGeometry(event);
  }
}
