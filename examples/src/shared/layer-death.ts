import type { Inspector } from '@monitorch/core';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import { lastEpochValues } from './last-epoch.js';

/** One layer's rates in the last epoch (fractions in [0, 1]). */
export interface LayerDeath {
  /** Share of the layer's output channels active, averaged over the epoch's batches. */
  readonly outputActivation: number | undefined;
  /** Share of output channels dead (zero for every sample of a batch), averaged over batches. */
  readonly outputDeath: number | undefined;
  /** Share of neurons whose weight gradient was zero for a whole batch, averaged over batches. */
  readonly weightGradientDeath: number | undefined;
  /** The same for the bias gradient. */
  readonly biasGradientDeath: number | undefined;
}

/** The last epoch's output and gradient rates of every watched layer, by module name. */
export function layerDeaths(inspector: Inspector): Map<string, LayerDeath> {
  const outputs = lastEpochValues(inspector.table(inspector.lens(OutputActivation)));
  const gradients = lastEpochValues(inspector.table(inspector.lens(ParameterGradientActivation)));
  const out = new Map<string, LayerDeath>();
  for (const module of new Set([...outputs.keys(), ...gradients.keys()])) {
    out.set(module, {
      outputActivation: outputs.get(module)?.get('activation_rate'),
      outputDeath: outputs.get(module)?.get('death_rate'),
      weightGradientDeath: gradients.get(module)?.get('weight_death_rate'),
      biasGradientDeath: gradients.get(module)?.get('bias_death_rate'),
    });
  }
  return out;
}
