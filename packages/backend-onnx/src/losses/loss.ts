import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { SymbolicTensor } from '../model/symbolic-tensor.js';

/** The labels a loss expects: int32 class indices `[N]` or float targets shaped like the output. */
export interface TargetSpec {
  /** `int32` class indices or `float32` targets. */
  readonly dtype: 'int32' | 'float32';
  /** Shape with `-1` for the batch. */
  readonly shape: readonly number[];
}

/** What a loss gets to build its ops. */
export interface LossContext {
  /** The graph under construction. */
  readonly g: GraphBuilder;
  /** N as a float32 scalar tensor. */
  batchSize(): string;
}

/** A loss's graph tensors: the scalar mean loss, and dL/d(output) when asked for. */
export interface LossOps {
  /** The scalar mean loss. */
  readonly loss: string;
  /** dL/d(output), shaped like the output (when asked for). */
  readonly grad?: string;
}

/**
 * A training loss (mean over the batch, as PyTorch's default `reduction='mean'`). Builds its
 * forward and its hand-derived gradient with respect to the model output.
 */
export interface Loss {
  /** PyTorch-like name (`CrossEntropyLoss`). */
  readonly name: string;
  /**
   * The labels input for a model output shape.
   *
   * @throws MonitorchError `SHAPE_MISMATCH` when the output shape does not suit the loss
   */
  target(outputShape: readonly number[]): TargetSpec;
  /** Adds the loss ops; `wantGrad` also adds the output gradient. */
  build(ctx: LossContext, output: SymbolicTensor, target: string, wantGrad: boolean): LossOps;
}
