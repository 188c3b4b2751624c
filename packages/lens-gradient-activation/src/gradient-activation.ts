import { UnitRateLens, type GradientEvent } from '@monitorch/core';
import { GRADIENT_WORDING, gradientTable, parameterQuantities } from './gradient-table.js';
import { resolveOptions, type ParameterGradientActivationOptions } from './options.js';

/**
 * Activation and death rate of parameter gradients (semantics §2.3), per epoch, layer and
 * parameter.
 *
 * Each gradient of a watched parameter is reduced to per-neuron active counts (|g| > eps),
 * the neuron being dim 0 (output unit / output channel). With r_o the fraction of neuron o's
 * gradient entries that are active, the step gives activation = mean_o r_o and death =
 * mean_o [r_o = 0] — the share of neurons that received no gradient at all, i.e. did not learn
 * in that step. An epoch summarises its steps per (layer, parameter) in rows
 * `<parameter>_activation_rate` and `<parameter>_death_rate`; the death row also names the
 * neurons that received no gradient in ANY step of the epoch (`dead_count`, `dead_neurons`).
 * The whole-model rows `worst_activation_rate` / `worst_death_rate` take the worst over all
 * layers AND parameters (`worst_module`, `parameter` name where).
 *
 * Rows come phase by phase, layers in forward order and parameters in option order; a layer
 * without gradients in an epoch has no row that epoch.
 */
export class ParameterGradientActivation extends UnitRateLens {
  /** The watched parameter names, in order. */
  readonly parameters: readonly string[];

  /**
   * @param options - parameters, threshold, plot
   * @throws MonitorchError `INVALID_ARGUMENT` for bad options
   */
  constructor(options: ParameterGradientActivationOptions = {}) {
    const o = resolveOptions(options);
    super({
      id: o.id,
      request: {
        select: { of: 'gradient', parameters: o.parameters },
        reduction: { op: 'activeCount', per: 'neuron', eps: o.eps },
      },
      table: gradientTable({ name: o.id, parameters: o.parameters, line: o.aggregation, warningPlot: o.warningPlot }),
      wording: GRADIENT_WORDING,
      quantities: (parameter) => parameterQuantities(parameter ?? ''),
      parameters: o.parameters,
      aggregation: o.aggregation,
      warningPlot: o.warningPlot,
      trackDead: o.trackDeadNeurons,
    });
    this.parameters = o.parameters;
  }

  /** Adds one step's activation and death samples of a watched parameter's gradient. */
  foldGradient(event: GradientEvent): void {
    this.fold(event);
  }
}
