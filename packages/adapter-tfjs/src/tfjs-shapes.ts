import type { Tensor, Variable } from '@tensorflow/tfjs-core';

/**
 * The parts of tfjs-layers objects the adapter reads, as structural types: a model or layer
 * from another copy of tfjs-layers (a bundle, a second install) works as long as it has these.
 * Several are private in tfjs's own typings (a Dense layer's `activation`), hence these types.
 */

/** A tfjs `LayerVariable`: a layer's weight. */
export interface LayerVariableLike {
  /** Unique name, also the name of the `tf.Variable` it holds (`dense_1/kernel`). */
  readonly name: string;
  /** The name before tfjs made it unique (`dense_1/kernel`, `conv/conv1/bias`). */
  readonly originalName: string;
  readonly shape: readonly (number | null)[];
  /** The variable itself. */
  read(): Variable;
}

/** A tfjs activation function object (`relu`, `linear`, …). */
export interface ActivationLike {
  getClassName(): string;
}

/** A tfjs layer. */
export interface LayerLike {
  readonly name: string;
  getClassName(): string;
  call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[];
  readonly trainableWeights: readonly LayerVariableLike[];
  /** Layers of a container (a nested model). */
  readonly layers?: readonly LayerLike[];
  /** The fused activation of Dense and conv layers. */
  readonly activation?: ActivationLike;
  /** `channelsLast` (tfjs's default) or `channelsFirst`. */
  readonly dataFormat?: string;
  readonly outputShape?: unknown;
}

/** A tfjs optimizer: what `minimize()` and `fit()` end in. */
export interface OptimizerLike {
  applyGradients(variableGradients: Record<string, Tensor> | { name: string; tensor: Tensor }[]): void;
}

/** A compiled or uncompiled tfjs `LayersModel` (a `Sequential` is one). */
export interface LayersModelLike extends LayerLike {
  readonly layers: readonly LayerLike[];
  readonly optimizer?: OptimizerLike | string;
}
