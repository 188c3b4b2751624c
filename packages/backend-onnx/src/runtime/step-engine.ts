import type { CompiledGraph } from '../graph/compiled-graph.js';
import type { Device } from './device.js';
import type { SessionTuning } from './session-options.js';

/** Element types that cross the engine boundary. */
export type PayloadDType = 'float32' | 'int32' | 'int64' | 'bool' | 'uint8' | 'float64';

/** A tensor as plain data, so it can be posted to and from a worker. */
export interface TensorPayload {
  /** The element type. */
  readonly dtype: PayloadDType;
  /** The shape. */
  readonly dims: readonly number[];
  /** The elements, row-major. */
  readonly data: Float32Array | Int32Array | BigInt64Array | Uint8Array | Float64Array;
}

/** The two graphs of one (network, lens requests) pair. */
export interface EngineGraphs {
  /** Forward, loss, backward, optimizer update, and the train-phase statistics. */
  readonly train: CompiledGraph;
  /** Forward and loss (no dropout, no update), and the statistics of the other phases. */
  readonly eval: CompiledGraph;
  /**
   * Names this pair for reuse: an engine keeps the sessions of the last
   * {@link SESSIONS_KEPT} keys it loaded, so loading a key again (an Inspector detached and
   * re-attached) switches to warm sessions instead of building new ones. Equal keys must mean
   * equal graphs. Without a key, every load builds new sessions.
   */
  readonly key?: string;
}

/**
 * How many loaded graph pairs an engine keeps warm (see {@link EngineGraphs.key}): three, so a
 * sampled lens (steps that watch it and steps that do not run different graphs) and an Inspector
 * detached now and then (the graphs without statistics) switch without a rebuild.
 */
export const SESSIONS_KEPT = 3;

/** Where and how to run the graphs. */
export interface EngineConfig {
  /** The device the user asked for. */
  readonly device: Device;
  /** Run on the CPU when `device` cannot start (reported, never silent). */
  readonly allowCpuFallback: boolean;
  /** Session tuning. */
  readonly tuning: SessionTuning;
}

/** The device the sessions actually run on. */
export interface LoadResult {
  /** The device the sessions run on. */
  readonly device: Device;
  /** Why the requested device was not used (set only on a fallback). */
  readonly fallbackReason?: string;
}

/** Kept sessions switched back to by {@link StepEngine.reuse}: the graphs they run, and where. */
export interface ReusedGraphs {
  /** The graph pair loaded under the key (its statistics tell the trainer what each run returns). */
  readonly graphs: EngineGraphs;
  /** The device the sessions run on. */
  readonly device: Device;
}

/** One batch for a graph run. */
export interface BatchPayload {
  /** Samples, flat. */
  readonly x: Float32Array;
  /** `[N, ...sampleShape]`. */
  readonly xShape: readonly number[];
  /** Labels: class indices or targets, flat. */
  readonly y: Int32Array | Float32Array;
  /** `[N, ...labelShape]`. */
  readonly yShape: readonly number[];
}

/** A run of the train or eval graph. */
export interface RunRequest {
  /** The batch to run. */
  readonly batch: BatchPayload;
  /** Hyper-parameter values by name (`lr`, `step`, …), fed to the graph's `hyper` inputs. */
  readonly hypers: Readonly<Record<string, number>>;
  /** Also return the `prediction` output (eval: accuracy and `predict`). */
  readonly wantPrediction: boolean;
  /** Also return the `stat` outputs. */
  readonly wantStats: boolean;
}

/** What a run returns. Parameters and optimizer state stay inside the engine. */
export interface RunResult {
  /** The batch loss (may be NaN/Infinity; the trainer decides what to do). */
  readonly loss: number;
  /**
   * Train runs: true when the step's loss or a gradient was NaN or infinite, so the graph left
   * the parameters, the optimizer state and its step count as they were.
   */
  readonly updateSkipped?: boolean;
  /** The model output, when asked for. */
  readonly prediction?: TensorPayload;
  /** Statistic outputs by graph output name. */
  readonly stats: Readonly<Record<string, TensorPayload>>;
}

/**
 * Runs the generated graphs and owns the training state (parameters, optimizer state) between
 * steps: the outputs of step t are fed as the inputs of step t+1 without copying. Implemented
 * in-process ({@link LocalStepEngine}) and in a worker thread (`WorkerStepEngine`), which
 * speak this same interface, so the trainer does not care where the steps run.
 */
export interface StepEngine {
  /**
   * Creates (or re-creates, after lens requests changed) the sessions, or switches back to kept
   * ones with the same {@link EngineGraphs.key}. State already held is kept and mapped onto the
   * graphs by input name.
   */
  load(graphs: EngineGraphs, config: EngineConfig): Promise<LoadResult>;
  /**
   * Switches to the kept sessions of `key` (see {@link EngineGraphs.key}) and returns their
   * graphs, or `undefined` when the engine no longer keeps them: then compile the graphs and
   * {@link StepEngine.load} them. The engine is the one place that remembers loaded graphs, so a
   * caller never holds a second cache that could disagree with the sessions.
   */
  reuse(key: string): Promise<ReusedGraphs | undefined>;
  /** Replaces state tensors, keyed by train-graph input name (params and optimizer state). */
  setState(state: Readonly<Record<string, TensorPayload>>): Promise<void>;
  /**
   * Copies of state tensors, keyed by train-graph input name: all of them, or only `names`
   * (e.g. just the parameters, for a snapshot).
   */
  getState(names?: readonly string[]): Promise<Record<string, TensorPayload>>;
  /**
   * Forgets the geometry state (`previousDot`'s previous tensors): a new monitoring run starts
   * without a previous tensor, as the Inspector's runs do.
   */
  clearGeometry(): Promise<void>;
  /** Runs one batch through the train graph (one optimizer step) or the eval graph. */
  run(kind: 'train' | 'eval', request: RunRequest): Promise<RunResult>;
  /** Releases the sessions (and the worker). */
  close(): Promise<void>;
}
