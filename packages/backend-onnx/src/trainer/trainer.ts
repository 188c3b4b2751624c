import { MonitorchError, watchesSource, type Adapter, type AdapterConnection } from '@monitorch/core';
import type { Checkpoint } from '../checkpoint/checkpoint-format.js';
import { readCheckpointFile, writeCheckpointFile } from '../checkpoint/checkpoint-file.js';
import { checkSavedState } from '../checkpoint/saved-state.js';
import type { BatchSource } from '../data/batch-source.js';
import { compileNetwork, type NetworkDeclaration } from '../graph/compile-network.js';
import { LensReporter } from '../reporting/lens-reporter.js';
import type { Device } from '../runtime/device.js';
import type { EngineGraphs, TensorPayload } from '../runtime/step-engine.js';
import { ActiveGraphs } from './active-graphs.js';
import { ParameterSnapshots } from './parameter-snapshots.js';
import { evaluate } from './evaluate.js';
import { predict } from './predict.js';
import { ProgressCounters } from './progress-counters.js';
import type { RunContext } from './run-context.js';
import { startEngine } from './start-engine.js';
import { trainEpoch } from './train-epoch.js';
import { WatchedRequests } from './watched-requests.js';
import type {
  CompilerTrainerOptions,
  EpochSummary,
  EvaluateOptions,
  EvaluationResult,
  RuntimeOptions,
  TrainEpochOptions,
  TrainerProgress,
} from './trainer-options.js';

/**
 * Trains a network with ONNX Runtime and reports to monitorch lenses: attach it to an
 * Inspector and the lenses' requests are compiled into the generated graphs, so each step
 * returns exactly the statistics asked for, and the trainer reports them as forward /
 * gradient / update / loss / step events. The lenses work unchanged.
 *
 * @example
 * ```ts
 * const trainer = await Trainer.create({ model, loss: crossEntropy(), optimizer: adam(), seed: 42 });
 * inspector.attach(trainer);
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   await trainer.trainEpoch(trainLoader);
 *   inspector.pushMetric('val_accuracy', (await trainer.evaluate(valLoader)).accuracy);
 *   await inspector.tickEpoch();
 * }
 * await trainer.close();
 * ```
 */
export class Trainer implements Adapter {
  private busy = false;
  private closed = false;
  /** The connection whose `snapshot` signal this trainer listens to. */
  private listening: AdapterConnection | undefined;
  private readonly onSnapshot = (): void => this.snapshot();

  private constructor(
    private readonly run: RunContext,
    private readonly snapshots: ParameterSnapshots,
  ) {}

  /**
   * Creates a trainer for a declared network: compiles its graphs (no statistics until an
   * Inspector attaches), starts the sessions on the device and sets the seeded initial
   * parameters (PyTorch's default initialisation).
   *
   * @example
   * ```ts
   * const trainer = await Trainer.create({
   *   model, inputShape: [-1, 1, 28, 28], loss: crossEntropy(), optimizer: adam(), seed: 42,
   * });
   * ```
   * @throws MonitorchError `DEVICE_UNAVAILABLE`, `BACKEND_FAILED` as {@link Trainer.fromCompiler};
   *   `SHAPE_MISMATCH` / `INVALID_ARGUMENT` / `UNSUPPORTED` for a bad declaration
   */
  static async create(options: NetworkDeclaration & RuntimeOptions): Promise<Trainer> {
    return Trainer.fromCompiler({ ...options, compiler: compileNetwork(options) });
  }

  /**
   * Creates a trainer from a {@link NetworkCompiler}: compiles the graphs (no statistics until
   * an Inspector attaches), starts the sessions on the device and sets the seeded initial
   * parameters.
   *
   * @throws MonitorchError `DEVICE_UNAVAILABLE` when the device cannot start and
   *   `allowCpuFallback` is not set; `BACKEND_FAILED` when ONNX Runtime refuses the graph
   */
  static async fromCompiler(options: CompilerTrainerOptions): Promise<Trainer> {
    const started = await startEngine(options);
    const { compiler } = options;
    const reporter = new LensReporter(compiler.decode);
    for (const warning of started.warnings) reporter.hold(warning);
    const snapshots = new ParameterSnapshots(started.engine);
    snapshots.hold(0, started.initialState); // the parameters are on the host already: no copy
    return new Trainer(
      {
        engine: started.engine,
        compiler,
        graphs: new ActiveGraphs(started.engine, compiler, started.config, started.graphs, started.device),
        reporter,
        counters: new ProgressCounters(compiler.learningRate, options.seed ?? 0),
        watched: new WatchedRequests(),
        nonFinite: options.onNonFiniteLoss ?? 'stop',
      },
      snapshots,
    );
  }

  /** The device the graphs actually run on (`cpu` after a fallback). */
  get device(): Device {
    return this.run.graphs.device;
  }

  /** Step, epoch and learning rate counters. */
  get progress(): TrainerProgress {
    return this.run.counters.snapshot();
  }

  /** The graphs currently loaded (for inspection and debugging). */
  get compiledGraphs(): EngineGraphs {
    return this.run.graphs.current;
  }

  /** @inheritdoc */
  connect(connection: AdapterConnection): void {
    this.run.reporter.connect(connection);
    // A new run: no previous tensor yet (queued before any later step, in the worker too).
    this.run.engine.clearGeometry().catch(() => undefined);
    this.listening?.emitter.off('snapshot', this.onSnapshot);
    connection.emitter.on('snapshot', this.onSnapshot);
    this.listening = connection;
  }

  /** @inheritdoc */
  disconnect(): void {
    this.listening?.emitter.off('snapshot', this.onSnapshot);
    this.listening = undefined;
    this.run.reporter.disconnect();
  }

  /** Sets the learning rate of the following steps. */
  setLearningRate(learningRate: number): void {
    if (!(learningRate >= 0) || !Number.isFinite(learningRate)) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `setLearningRate: the learning rate must be a finite number ≥ 0, got ${learningRate}.`,
        { learningRate },
      );
    }
    this.run.counters.learningRate = learningRate;
  }

  /**
   * Trains one epoch: one optimizer step per batch, reporting each step's statistics, loss
   * and step to the attached Inspector. With a {@link DataLoader}, the data order is the
   * loader's order for this trainer's epoch index, so a resumed run sees the same order.
   *
   * @throws MonitorchError `NON_FINITE_LOSS` (after reporting it) when a loss is NaN or
   *   infinite and `onNonFiniteLoss` is `stop`; finished epochs stay recorded
   */
  async trainEpoch(source: BatchSource, options: TrainEpochOptions = {}): Promise<EpochSummary> {
    return this.exclusive(async () => {
      await this.prepareRun();
      const summary = await trainEpoch(this.run, source, options);
      await this.keepSnapshotCurrent();
      return summary;
    });
  }

  /**
   * Runs the eval graph (no dropout, no update) over the batches, reports each batch loss
   * and the output statistics lenses asked for in this phase, and returns the mean loss and
   * the accuracy.
   */
  async evaluate(source: BatchSource, options: EvaluateOptions = {}): Promise<EvaluationResult> {
    return this.exclusive(async () => {
      await this.prepareRun();
      return evaluate(this.run, source, options);
    });
  }

  /**
   * The model's output for samples `x` (batch dimension first), computed by the eval graph.
   *
   * @param x - samples, flat
   * @param shape - `[N, ...sampleShape]`
   */
  async predict(x: Float32Array, shape: readonly number[]): Promise<{ data: Float32Array; shape: number[] }> {
    return this.exclusive(async () => {
      await this.prepareRun();
      return predict(this.run, x, shape);
    });
  }

  /** Copies of the parameters and optimizer state, by train-graph input name. */
  async state(): Promise<Record<string, TensorPayload>> {
    return this.exclusive(() => this.run.engine.getState());
  }

  /**
   * Restores parameters, optimizer state and counters (what a checkpoint holds).
   *
   * @throws MonitorchError `SHAPE_MISMATCH` / `INVALID_ARGUMENT` when the state belongs to
   *   another network
   */
  async restore(
    state: Readonly<Record<string, TensorPayload>>,
    progress: Omit<TrainerProgress, 'seed'> & { readonly seed?: number },
  ): Promise<void> {
    return this.exclusive(async () => {
      checkSavedState(this.run.graphs.current.train, state);
      await this.run.engine.setState(state);
      this.run.counters.restore(progress);
      this.snapshots.hold(this.run.counters.step, state); // the restored parameters are on the host
    });
  }

  /**
   * The parameters, optimizer state and counters, to save or to restore later with
   * {@link Trainer.restoreCheckpoint}. `meta` is stored alongside (e.g. your loader seed).
   */
  async checkpoint(meta: Record<string, unknown> = {}): Promise<Checkpoint> {
    const tensors = await this.state();
    return { progress: this.progress, tensors, meta };
  }

  /**
   * Restores a {@link Trainer.checkpoint}. Training then continues exactly as the saved run
   * would have: same parameters and optimizer state, same step count (Adam's bias correction)
   * and the same epoch index, so a {@link DataLoader} with the same seed yields the same order,
   * and the same seed, so dropout masks continue as they would have (CPU and WebGPU graphs;
   * CUDA graphs draw masks with ORT's unsaved generator).
   */
  async restoreCheckpoint(checkpoint: Checkpoint): Promise<void> {
    await this.restore(checkpoint.tensors, checkpoint.progress);
  }

  /**
   * Saves a checkpoint file (Node only); see `encodeCheckpoint` for the format.
   *
   * @example
   * ```ts
   * await trainer.saveCheckpoint('runs/mnist/epoch-3.ckpt');
   * // later, in a fresh process:
   * const resumed = await Trainer.create({ model, loss, optimizer });
   * await resumed.loadCheckpoint('runs/mnist/epoch-3.ckpt');
   * ```
   */
  async saveCheckpoint(path: string, meta: Record<string, unknown> = {}): Promise<void> {
    await writeCheckpointFile(path, await this.checkpoint(meta));
  }

  /** Loads a checkpoint file into this trainer (Node only) and returns its `meta`. */
  async loadCheckpoint(path: string): Promise<Readonly<Record<string, unknown>>> {
    const checkpoint = await readCheckpointFile(path);
    await this.restoreCheckpoint(checkpoint);
    return checkpoint.meta ?? {};
  }

  /** Stops the worker and releases the sessions. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.run.engine.close();
  }

  /**
   * Answers the Inspector's `snapshot` signal: one `parameter` report per watched parameter,
   * from the host copy when it is current (at once, as the Inspector wants), else from a copy
   * read after the running step (reported when it arrives). Never throws into the Inspector:
   * a failed read becomes a warning report.
   */
  private snapshot(): void {
    const connection = this.run.reporter.connection;
    if (connection === undefined || !connection.requests.some((r) => r.select.of === 'parameter')) return;
    const graph = this.run.graphs.current.train;
    if (this.snapshots.isCurrent(this.run.counters.step)) {
      this.snapshots.report(connection, graph);
      return;
    }
    this.snapshots
      .refresh(graph, () => this.run.counters.step)
      .then(() => this.snapshots.report(connection, graph))
      .catch((e: unknown) => {
        connection.emitter.emit('report', {
          type: 'warning',
          code: 'BACKEND_FAILED',
          message: `The trainer could not read its parameters for a snapshot: ${e instanceof Error ? e.message : String(e)}`,
        });
      });
  }

  /**
   * After an epoch a request watches parameter values in: copies the parameters to the host
   * (one copy per epoch), so the snapshot the Inspector asks for as the epoch closes is answered
   * at once.
   */
  private async keepSnapshotCurrent(): Promise<void> {
    const connection = this.run.reporter.connection;
    if (connection === undefined || !epochWatchesParameters(connection)) return;
    await this.snapshots.refresh(this.run.graphs.current.train, () => this.run.counters.step);
  }

  /**
   * Before a run: held warnings (a device fallback) go out with its first reports. The graphs
   * follow the requests that watch each run as it starts (see `trainEpoch`, `evaluate`).
   */
  private prepareRun(): Promise<void> {
    this.run.reporter.releaseHeld();
    return Promise.resolve();
  }

  /** Runs one operation at a time: the engine's state is not meant for interleaved epochs. */
  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed)
      throw new MonitorchError('ALREADY_CLOSED', 'This trainer was closed. Create a new Trainer to train again.');
    if (this.busy) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        'The trainer is already running (trainEpoch/evaluate/predict). Await the previous call before starting another.',
      );
    }
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
    }
  }
}

/** Whether a request watches parameter values in the connection's current epoch. */
function epochWatchesParameters(connection: AdapterConnection): boolean {
  return connection.requests.some(
    (r) => r.select.of === 'parameter' && watchesSource(r.sampling, 'parameter', 0, connection.clock.epoch, 'train'),
  );
}
