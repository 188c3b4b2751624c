import {
  booleanOption,
  parameterRequests,
  parametersOption,
  reductionKey,
  titleCase,
  type Reduction,
  type UpdateEvent,
} from '@monitorch/core';
import { GeometryLens, geometryReduction } from './geometry-lens.js';
import { resolveGeometry, type GeometryOptions } from './geometry-options.js';

/** Options of {@link ParameterUpdateGeometry}. */
export interface ParameterUpdateGeometryOptions extends GeometryOptions {
  /** Parameters to watch, each in every module that has it. Default `['weight', 'bias']`. */
  readonly parameters?: readonly string[];
  /**
   * Also record the update-to-parameter ratio `‖ΔP‖₂/‖P‖₂` (P before the step) per step
   * (`<p>_update_ratio`, drawn on a log axis). Needs updates reported as `{ before, after }`.
   * Default true.
   */
  readonly updateRatio?: boolean;
}

const LENS = 'ParameterUpdateGeometry';
const RATIO: Reduction = { op: 'updateRatio' };

/**
 * How optimizer steps move the weights (semantics §2.8): per watched update ΔP, `‖ΔP‖₂`
 * (`<p>_update_norm` / `<p>_update_rms`), `cos(ΔP_prev, ΔP)` (`<p>_update_correlation`) and the
 * update-to-parameter ratio `‖ΔP‖₂/‖P‖₂` (`<p>_update_ratio`; monitorch lacks it — about 10⁻³
 * is the classic healthy range for SGD). Every step is measured from the first (the adapter
 * reports each update; monitorch misses the first), and the previous update is carried across
 * epochs. With plain SGD the update norm is lr × the gradient norm and the update correlation
 * equals the gradient correlation.
 *
 * Panels per parameter p: `<P> Update Norm`, `<P> Update Correlation` and `<P> Update Ratio`.
 */
export class ParameterUpdateGeometry extends GeometryLens {
  private readonly ratioKey = reductionKey(RATIO);

  /**
   * @param options - see {@link ParameterUpdateGeometryOptions}
   * @throws MonitorchError `INVALID_ARGUMENT` for a bad option
   */
  constructor(options: ParameterUpdateGeometryOptions = {}) {
    const o = resolveGeometry(options, LENS);
    const parameters = parametersOption(options.parameters, LENS, ['weight', 'bias']);
    const ratio = booleanOption(options.updateRatio, 'updateRatio', LENS, true);
    const reductions = [geometryReduction(o.correlation), ...(ratio ? [RATIO] : [])];
    super({
      id: options.id ?? 'update-geometry',
      options: o,
      requests: parameterRequests('update', parameters, o.modules, reductions, o.sampling),
      parameters,
      prefix: (p) => `${p ?? ''}_update`,
      titles: parameters.map((p) => ({ parameter: p, stem: `${titleCase(p)} Update` })),
      ...(ratio
        ? {
            extra: {
              quantity: (p: string | undefined) => `${p ?? ''}_update_ratio`,
              panels: parameters.map((p) => ({
                title: `${titleCase(p)} Update Ratio`,
                size: 'small' as const,
                kind: 'numerical' as const,
                quantities: [`${p}_update_ratio`],
                line: o.line,
                bands: o.bands,
                yScale: 'log' as const,
              })),
            },
          }
        : {}),
    });
  }

  /** Adds one update's samples. */
  foldUpdate(event: UpdateEvent): void {
    this.foldGeometry(event);
    const r = event.reductions.get(this.ratioKey);
    if (r?.op === 'updateRatio') this.add(event, `${event.parameter}_update_ratio`, r.value);
  }
}
