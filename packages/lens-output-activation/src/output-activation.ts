import { UnitRateLens, type OutputEvent } from '@monitorch/core';
import { ACTIVATION_WORDING, LAYER_QUANTITIES, activationTable } from './activation-table.js';
import { resolveOptions, type OutputActivationOptions } from './options.js';

/**
 * Activation and death rate of layer outputs (semantics §2.2), per epoch, phase and layer.
 *
 * Each forward output of a watched layer (activation and dropout modules by default) is
 * reduced to per-channel active counts (|y| > eps; negative outputs count as active). With
 * r_c the fraction of (sample, position) pairs where channel c is active, the batch gives two
 * samples: activation = mean_c r_c and death = mean_c [r_c = 0]. An epoch summarises its
 * batches per layer: rows `activation_rate` and `death_rate` (mean, population std, min, max,
 * count of batches, closest-observation median / q1 / q3); the death row also names the
 * channels that were zero in EVERY batch of the epoch (`dead_count`, `dead_channels`). The
 * whole-model rows `worst_activation_rate` (lowest layer) and `worst_death_rate` (highest
 * layer) feed the warning panel, with `worst_module` naming the layer.
 *
 * Rows come phase by phase (`train`, `val`, then others), layers in forward order; a layer
 * with no batch in an epoch has no row that epoch.
 *
 * @example
 * ```ts
 * const inspector = new Inspector({ lenses: [new OutputActivation({ phases: ['train', 'val'] })] });
 * ```
 */
export class OutputActivation extends UnitRateLens {
  /**
   * @param options - which modules and phases to watch, threshold, layout, plot
   * @throws MonitorchError `INVALID_ARGUMENT` for bad options (see {@link OutputActivationOptions})
   */
  constructor(options: OutputActivationOptions = {}) {
    const o = resolveOptions(options);
    super({
      id: o.id,
      request: {
        select: { of: 'output', modules: o.selector, phases: o.phases },
        reduction: o.channelsLast
          ? { op: 'activeCount', per: 'channel', eps: o.eps, channelsLast: true }
          : { op: 'activeCount', per: 'channel', eps: o.eps },
      },
      table: activationTable({ name: o.id, line: o.aggregation, warningPlot: o.warningPlot }),
      wording: ACTIVATION_WORDING,
      quantities: () => LAYER_QUANTITIES,
      aggregation: o.aggregation,
      warningPlot: o.warningPlot,
      trackDead: o.trackDeadChannels,
    });
  }

  /** Adds one batch's activation and death samples of a watched layer. */
  foldOutput(event: OutputEvent): void {
    this.fold(event);
  }
}
