import type { ModuleInfo, Phase, Reduction, TensorSource } from '@monitorch/core';

/** Element types used at the graph boundary. */
export type GraphDType = 'float32' | 'int64' | 'int32' | 'bool';

/**
 * What a graph input is for. The runner feeds `x`/`y` from the data loader, `param` and
 * `optState` from the previous step's outputs, `hyper` from the trainer (learning rate, Adam
 * step, dropout keys…), and `mask` with a dropout keep mask it draws from the input's `hyper`
 * key (see {@link GraphInput.dropoutP}), and `geometryState` with what the last run of a graph
 * that had it returned (a `previousDot` statistic's previous tensor and norm; zeros at first,
 * after a change of shape, and never from a step that skipped its update). Geometry state is
 * monitoring state, not training state: it is not part of the engine's `getState` or of
 * checkpoints.
 */
export type GraphInputRole = 'x' | 'y' | 'param' | 'optState' | 'hyper' | 'mask' | 'geometryState';

/** One input of a generated graph. */
export interface GraphInput {
  /** The input's name in the graph. */
  readonly name: string;
  /** What the runner feeds it with. */
  readonly role: GraphInputRole;
  /** Its element type. */
  readonly dtype: GraphDType;
  /** Shape; `-1` marks the dynamic batch dimension. */
  readonly shape: readonly number[];
  /** For `param`/`optState`: the parameter's full name, e.g. `dense.lin1.weight`. */
  readonly parameter?: string;
  /**
   * For `hyper`: which hyper-parameter (e.g. `lr`, `step`). For `mask`: the hyper-parameter
   * holding the mask's key.
   */
  readonly hyper?: string;
  /**
   * For `mask`: the drop probability. The runner feeds a bool tensor of the input's shape
   * whose entry i is `keeps(i, key, dropoutP)` (the same masks the CPU graph's hash draws).
   */
  readonly dropoutP?: number;
  /**
   * For `y` holding class indices: how many classes the model outputs (labels must be in
   * 0..classes−1).
   */
  readonly classes?: number;
  /**
   * For `geometryState`: the inputs that belong together (a previous tensor and its norm). The
   * engine resets all of a group to zeros when one of them has no value of the right shape.
   */
  readonly stateGroup?: string;
}

/**
 * What a graph output is for. `paramNew`/`optStateNew` feed the next step's inputs,
 * `geometryStateNew` the next watched step's (see {@link GraphInputRole}); `debug`
 * outputs (raw gradients, masks…) exist only when a test asked for them; `updateApplied`
 * (train graphs) is a float32 scalar, 0 when the step skipped its update because its loss or a
 * gradient was NaN or infinite.
 */
export type GraphOutputRole =
  'loss' | 'prediction' | 'paramNew' | 'optStateNew' | 'geometryStateNew' | 'stat' | 'debug' | 'updateApplied';

/**
 * Where a statistic's parts lie when they travel packed: one float32 graph output holding the
 * parts of many statistics end to end (see {@link StatOutput.packed}).
 */
export interface PackedParts {
  /** The graph output (role `stat`) holding every packed part. */
  readonly output: string;
  /** Per part, in `outputs` order: its first element and its length in that output. */
  readonly slices: readonly (readonly [offset: number, length: number])[];
}

/** One output of a generated graph. */
export interface GraphOutput {
  /** The output's name in the graph. */
  readonly name: string;
  /** What the output holds. */
  readonly role: GraphOutputRole;
  /** For `paramNew`/`optStateNew`/`geometryStateNew`: the input it replaces next step. */
  readonly feeds?: string;
}

/**
 * A statistic the graph computes for a lens request: which tensor (source, module, parameter,
 * phase), which reduction, and the graph outputs that hold the answer. `decodeStat` turns the
 * fetched outputs into a core `ReductionResult`.
 */
export interface StatOutput {
  /** The tensor reduced: a module output, its gradient, a parameter gradient or update. */
  readonly source: TensorSource;
  /** The module the tensor belongs to. */
  readonly module: ModuleInfo;
  /** For parameter gradients and updates: the parameter's name in its module (`weight`). */
  readonly parameter?: string;
  /** The phase the statistic is reported in (the first of {@link phases}). */
  readonly phase: Phase;
  /**
   * Every phase this output serves (an eval graph serves all non-train phases the lenses
   * ask for); `phase` is the first. Absent means `[phase]`.
   */
  readonly phases?: readonly Phase[];
  /** The reduction computed, as the lens asked for it. */
  readonly reduction: Reduction;
  /**
   * Names of the parts holding the answer (e.g. counts, nonFinite count): graph outputs of
   * their own, or — when {@link packed} is set — names of slices of one packed output.
   */
  readonly outputs: readonly string[];
  /**
   * Set when the parts are slices of one packed output instead of outputs of their own: a
   * step then fetches, posts and decodes one small array rather than dozens (the per-output
   * costs, not the arithmetic, were most of what statistics cost a step).
   */
  readonly packed?: PackedParts;
  /**
   * Entries each count was taken over (for `activeCount`), known at compile time per batch
   * size 1: multiply by the batch size for outputs.
   */
  readonly sizePerSample?: number;
  /** Shape of the tensor reduced, `-1` for the batch dimension. */
  readonly shape: readonly number[];
}

/** A generated ONNX graph and everything a runner needs to drive it. */
export interface CompiledGraph {
  /** `train`: forward, loss, backward, update, stats. `eval`: forward, loss, stats. */
  readonly kind: 'train' | 'eval';
  /** Serialized ONNX ModelProto. */
  readonly bytes: Uint8Array;
  /** Every input, with what to feed it. */
  readonly inputs: readonly GraphInput[];
  /** Every output, with what it holds. */
  readonly outputs: readonly GraphOutput[];
  /** The statistics computed for the lens requests, and the outputs holding them. */
  readonly stats: readonly StatOutput[];
  /** Modules of the network in forward order. */
  readonly modules: readonly ModuleInfo[];
}
