import { booleanOption, type OutputGradientEvent } from '@monitorch/core';
import { GeometryLens, geometryReduction } from './geometry-lens.js';
import { resolveGeometry, type GeometryOptions } from './geometry-options.js';

/** Options of {@link OutputGradientGeometry}. */
export interface OutputGradientGeometryOptions extends GeometryOptions {
  /** Leave activation modules out (monitorch's `skip_activation`). Default true. */
  readonly skipActivation?: boolean;
}

const LENS = 'OutputGradientGeometry';

/**
 * Gradients with respect to layer outputs (semantics §2.7): per watched backward pass, the
 * norm of the whole batch's `∂L/∂y` (`output_gradient_norm`, or `output_gradient_rms` divided
 * by √(entries of the whole tensor, batch included)) and its cosine with the previous watched
 * one of the same layer (`output_gradient_correlation`). Every module is watched except
 * activations (with `skipActivation`) and `exclude`.
 *
 * Panels: `Output Gradient Norm` and `Output Gradient Correlation` (small, numerical).
 */
export class OutputGradientGeometry extends GeometryLens {
  /**
   * @param options - see {@link OutputGradientGeometryOptions}
   * @throws MonitorchError `INVALID_ARGUMENT` for a bad option
   */
  constructor(options: OutputGradientGeometryOptions = {}) {
    const skip = booleanOption(options.skipActivation, 'skipActivation', LENS, true);
    const exclude = [...(options.exclude ?? []), ...(skip ? ['activation'] : [])];
    const o = resolveGeometry({ ...options, exclude }, LENS);
    super({
      id: options.id ?? 'output-gradient-geometry',
      options: o,
      requests: [
        {
          select: { of: 'outputGradient', modules: o.modules },
          reduction: geometryReduction(o.correlation),
          ...(o.sampling === undefined ? {} : { sampling: o.sampling }),
        },
      ],
      prefix: () => 'output_gradient',
      titles: [{ parameter: undefined, stem: 'Output Gradient' }],
    });
  }

  /** Adds one output gradient's samples. */
  foldOutputGradient(event: OutputGradientEvent): void {
    this.foldGeometry(event);
  }
}
