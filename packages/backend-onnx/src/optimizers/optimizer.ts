import type { GraphBuilder } from '../onnx/graph-builder.js';

/** Graph tensors shared by every parameter's update in one step. */
export interface UpdateContext {
  /** The graph under construction. */
  readonly g: GraphBuilder;
  /** The learning rate (a float32 scalar graph input, so it can change between steps). */
  readonly lr: string;
  /** Optimizer steps finished before this one (float32 scalar; 0 on the first step). */
  readonly step: string;
  /** This step's number, step + 1 (Adam's t). */
  readonly t: string;
}

/** One parameter's new value and new optimizer state (by slot). */
export interface ParameterUpdate {
  /** The parameter's new value. */
  readonly param: string;
  /** The new value of each state slot, by slot name. */
  readonly state: Readonly<Record<string, string>>;
}

/**
 * An optimizer with PyTorch semantics, expressed as graph ops. State tensors (momentum
 * buffers, Adam moments) are graph inputs named `<param>.<slot>` that start at zero and are
 * replaced by the matching `.new` outputs after each step.
 */
export interface Optimizer {
  /** PyTorch-like name (`Adam`). */
  readonly name: string;
  /** The initial learning rate. */
  readonly learningRate: number;
  /** State slots kept per parameter (e.g. `['m', 'v']`). */
  readonly stateSlots: readonly string[];
  /** Builds one parameter's update from its value, gradient and state. */
  update(ctx: UpdateContext, param: string, grad: string, state: Readonly<Record<string, string>>): ParameterUpdate;
}
