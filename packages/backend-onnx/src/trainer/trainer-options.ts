import type { Device } from '../runtime/device.js';
import type { OrtApi } from '../runtime/ort-api.js';
import type { NetworkCompiler } from './network-compiler.js';

/** What to do when a training batch's loss is NaN or infinite. */
export type NonFiniteLossPolicy = 'stop' | 'continue';

/** Options of {@link Trainer.create} that do not depend on how the network is declared. */
export interface RuntimeOptions {
  /** Where to run (default `cpu`). */
  readonly device?: Device;
  /**
   * When the device cannot start, train on the CPU instead of throwing. The fallback is
   * reported: a `DEVICE_FALLBACK` warning on the bus and `trainer.device === 'cpu'`.
   */
  readonly allowCpuFallback?: boolean;
  /** Seed of the parameter initialisation (default 0). */
  readonly seed?: number;
  /**
   * `stop` (default): a non-finite training loss ends `trainEpoch` with a `NON_FINITE_LOSS`
   * error after reporting it; `continue`: report it as a warning and train on. Either way the
   * step's update is skipped (parameters and optimizer state stay as before it), so a later
   * `trainEpoch` goes on from clean parameters.
   */
  readonly onNonFiniteLoss?: NonFiniteLossPolicy;
  /**
   * Run the ORT sessions in a worker thread (default: true in Node when `ort` is not given).
   * Set `false` to run in-process (simpler to debug; blocks the event loop during steps).
   */
  readonly worker?: boolean;
  /**
   * The ONNX Runtime package for in-process runs, e.g. `onnxruntime-web` in a browser
   * (default: `onnxruntime-node`). Giving it implies `worker: false`.
   */
  readonly ort?: OrtApi;
  /** ORT threads per operator (default: CPU cores). */
  readonly intraOpNumThreads?: number;
  /** Let idle ORT threads spin between operators (default true; see `SessionTuning.allowSpinning`). */
  readonly allowSpinning?: boolean;
}

/** {@link RuntimeOptions} plus an explicit network compiler (for custom front ends and tests). */
export interface CompilerTrainerOptions extends RuntimeOptions {
  /** Builds the graphs. */
  readonly compiler: NetworkCompiler;
}

/** Counters that make a run resumable (saved in checkpoints). */
export interface TrainerProgress {
  /** Optimizer steps finished. */
  readonly step: number;
  /** Epochs finished by `trainEpoch` (also the data-order index of the next epoch). */
  readonly epoch: number;
  /** Current learning rate. */
  readonly learningRate: number;
  /**
   * The seed of the run: it drew the initial parameters, and with the step it keys every
   * dropout mask (so a restored checkpoint carries it, and the masks continue exactly).
   */
  readonly seed: number;
}

/** Progress of an epoch, after each batch. */
export interface EpochProgress {
  /** Batches done in this epoch. */
  readonly batch: number;
  /** Batches in the epoch (undefined for an iterable of unknown length). */
  readonly batches: number | undefined;
  /** Loss of the last batch. */
  readonly loss: number;
  /** Trainer epoch index (0-based) of this epoch. */
  readonly epoch: number;
}

/** Options of `trainEpoch`. */
export interface TrainEpochOptions {
  /** Called after every batch; `true` prints a one-line progress bar to stderr (Node). */
  readonly progress?: boolean | ((progress: EpochProgress) => void);
}

/** Options of `evaluate`. */
export interface EvaluateOptions {
  /** Phase of the reported losses and outputs (default `val`). */
  readonly phase?: string;
}

/** What `trainEpoch` returns. */
export interface EpochSummary {
  /** Mean batch loss of the epoch (sample-weighted). */
  readonly loss: number;
  /** Batches run. */
  readonly batches: number;
  /** Samples seen. */
  readonly samples: number;
  /** Batches whose loss was NaN or infinite (only with `onNonFiniteLoss: 'continue'`). */
  readonly nonFiniteLosses: number;
  /**
   * Steps that left the parameters and optimizer state untouched because their loss or a
   * gradient was NaN or infinite (every non-finite loss is one).
   */
  readonly skippedUpdates: number;
}

/** What `evaluate` returns. */
export interface EvaluationResult {
  /** Mean loss over the samples. */
  readonly loss: number;
  /** Fraction of samples whose argmax prediction equals the label (NaN for non-class labels). */
  readonly accuracy: number;
  /** Samples evaluated. */
  readonly samples: number;
}
