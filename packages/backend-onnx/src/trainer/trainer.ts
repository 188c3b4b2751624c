import {
  MonitorchError,
  type Adapter,
  type AdapterConnection,
  type AdapterReport,
  type Phase,
  type ReductionRequest,
} from '@monitorch/core';
import type { Checkpoint } from '../checkpoint/checkpoint-format.js';
import { readCheckpointFile, writeCheckpointFile } from '../checkpoint/checkpoint-file.js';
import { correctCount } from '../data/accuracy.js';
import { compileNetwork, type NetworkDeclaration } from '../graph/compile-network.js';
import { DataLoader, type Batch } from '../data/data-loader.js';
import { checkDevice, type Device } from '../runtime/device.js';
import { LocalStepEngine } from '../runtime/local-step-engine.js';
import { isNode, loadNodeOrt } from '../runtime/ort-api.js';
import type { EngineConfig, EngineGraphs, RunResult, StepEngine, TensorPayload } from '../runtime/step-engine.js';
import type { NetworkCompiler } from './network-compiler.js';
import { runPipelined } from './pipeline.js';
import { stderrProgressLine } from './stderr-progress-line.js';
import { statReports } from './stat-reports.js';
import type {
  CompilerTrainerOptions,
  EpochProgress,
  RuntimeOptions,
  EpochSummary,
  EvaluateOptions,
  EvaluationResult,
  NonFiniteLossPolicy,
  TrainEpochOptions,
} from './trainer-options.js';

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

/** Batches to train or evaluate on: a {@link DataLoader} (preferred) or any iterable of batches. */
export type BatchSource = DataLoader | Iterable<Batch>;

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
  private readonly compiler: NetworkCompiler;
  private readonly engine: StepEngine;
  private readonly config: EngineConfig;
  private readonly nonFinite: NonFiniteLossPolicy;
  private connection: AdapterConnection | undefined;
  private graphs: EngineGraphs;
  private graphsKey: string;
  private actualDevice: Device;
  private pendingWarnings: AdapterReport[] = [];
  private steps = 0;
  private epochs = 0;
  private lr: number;
  private seed: number;
  private busy = false;
  private closed = false;

  private constructor(
    compiler: NetworkCompiler,
    engine: StepEngine,
    config: EngineConfig,
    graphs: EngineGraphs & { readonly key: string },
    device: Device,
    nonFinite: NonFiniteLossPolicy,
    seed: number,
  ) {
    this.compiler = compiler;
    this.engine = engine;
    this.config = config;
    this.graphs = graphs;
    this.graphsKey = graphs.key;
    this.actualDevice = device;
    this.nonFinite = nonFinite;
    this.lr = compiler.learningRate;
    this.seed = seed;
  }

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
    const device = checkDevice(options.device ?? 'cpu');
    const config: EngineConfig = {
      device,
      allowCpuFallback: options.allowCpuFallback ?? false,
      tuning: {
        ...(options.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: options.intraOpNumThreads }),
        ...(options.allowSpinning === undefined ? {} : { allowSpinning: options.allowSpinning }),
      },
    };
    const useWorker = options.worker ?? (options.ort === undefined && isNode());
    if (useWorker && options.ort !== undefined) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        'Trainer: `ort` is only used in-process; with worker: true the worker loads onnxruntime-node itself. Drop one of the two options.',
      );
    }
    let engine: StepEngine;
    if (useWorker) {
      const { WorkerStepEngine } = await import('../runtime/worker-step-engine.js');
      engine = await WorkerStepEngine.start();
    } else {
      engine = new LocalStepEngine(options.ort ?? (await loadNodeOrt()));
    }
    try {
      let graphs = { ...options.compiler.compile([], { device }), key: graphsKey([], device) };
      let loaded = await engine.load(graphs, config);
      if (loaded.device !== device) {
        // A fallback: the sessions run on the CPU, so take the CPU form of the graphs (the engine
        // drops the pair built for the GPU, which never ran).
        graphs = { ...options.compiler.compile([], { device: loaded.device }), key: graphsKey([], loaded.device) };
        loaded = {
          ...(await engine.load(graphs, { ...config, device: loaded.device })),
          fallbackReason: loaded.fallbackReason,
        };
      }
      await engine.setState(initialState(graphs, options.compiler.initialParameters(options.seed ?? 0)));
      const trainer = new Trainer(
        options.compiler,
        engine,
        config,
        graphs,
        loaded.device,
        options.onNonFiniteLoss ?? 'stop',
        options.seed ?? 0,
      );
      if (loaded.fallbackReason !== undefined) {
        trainer.pendingWarnings.push({
          type: 'warning',
          code: 'DEVICE_FALLBACK',
          message: `Training on the CPU instead of '${device}' (allowCpuFallback). ${loaded.fallbackReason}`,
        });
      }
      return trainer;
    } catch (e) {
      await engine.close();
      throw e;
    }
  }

  /** The device the graphs actually run on (`cpu` after a fallback). */
  get device(): Device {
    return this.actualDevice;
  }

  /** Step, epoch and learning rate counters. */
  get progress(): TrainerProgress {
    return { step: this.steps, epoch: this.epochs, learningRate: this.lr, seed: this.seed };
  }

  /** The graphs currently loaded (for inspection and debugging). */
  get compiledGraphs(): EngineGraphs {
    return this.graphs;
  }

  /** @inheritdoc */
  connect(connection: AdapterConnection): void {
    this.connection = connection;
  }

  /** @inheritdoc */
  disconnect(): void {
    this.connection = undefined;
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
    this.lr = learningRate;
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
      await this.ensureGraphs();
      const progress =
        options.progress === true ? stderrProgressLine() : options.progress === false ? undefined : options.progress;
      const epoch = this.epochs;
      const batches = source instanceof DataLoader ? source.batches(epoch) : source[Symbol.iterator]();
      const total = source instanceof DataLoader ? source.length : undefined;
      const owned = source instanceof DataLoader; // loader batches are fresh copies: safe to move
      let lossSum = 0;
      let samples = 0;
      let finiteSamples = 0;
      let count = 0;
      let nonFiniteLosses = 0;
      let stop: MonitorchError | undefined;
      await runPipelined<Batch, StepOutcome>(batches, {
        start: (batch) => {
          const connection = this.connection;
          const result = this.engine.run('train', {
            batch: owned ? batch : copyBatch(batch),
            hypers: this.compiler.hypers(this.lr, this.steps, this.seed),
            wantPrediction: false,
            wantStats: connection !== undefined,
          });
          return result.then((r) => {
            this.steps += 1;
            return { result: r, step: this.steps, connection };
          });
        },
        settle: (batch, { result, step }) => {
          count += 1;
          samples += batch.size;
          if (Number.isFinite(result.loss)) {
            lossSum += result.loss * batch.size;
            finiteSamples += batch.size;
          } else {
            nonFiniteLosses += 1;
          }
          // The user's callback runs before the next step starts, so a learning rate it sets
          // applies to that step.
          progress?.({ batch: count, batches: total, loss: result.loss, epoch } satisfies EpochProgress);
          if (Number.isFinite(result.loss) || this.nonFinite !== 'stop') return true;
          stop = this.nonFiniteError(result.loss, step);
          return false;
        },
        report: (batch, outcome) => this.reportTrainStep(outcome, batch.size),
      });
      if (stop !== undefined) throw stop;
      this.epochs += 1;
      return {
        loss: finiteSamples > 0 ? lossSum / finiteSamples : Number.NaN,
        batches: count,
        samples,
        nonFiniteLosses,
      };
    });
  }

  /**
   * Runs the eval graph (no dropout, no update) over the batches, reports each batch loss
   * and the output statistics lenses asked for in this phase, and returns the mean loss and
   * the accuracy.
   */
  async evaluate(source: BatchSource, options: EvaluateOptions = {}): Promise<EvaluationResult> {
    return this.exclusive(async () => {
      await this.ensureGraphs();
      const phase: Phase = options.phase ?? 'val';
      const owned = source instanceof DataLoader;
      const batches = source instanceof DataLoader ? source.batches(0) : source[Symbol.iterator]();
      let lossSum = 0;
      let samples = 0;
      let correct = 0;
      let classLabels = true;
      await runPipelined<Batch, EvalOutcome>(batches, {
        start: (batch) => {
          const connection = this.connection;
          return this.engine
            .run('eval', {
              // Labels are still needed here for the accuracy: move a copy of them.
              batch: owned ? { ...batch, y: batch.y.slice() } : copyBatch(batch),
              hypers: this.compiler.hypers(this.lr, this.steps, this.seed),
              wantPrediction: true,
              wantStats: connection !== undefined,
            })
            .then((result) => ({ result, connection }));
        },
        settle: (batch, { result }) => {
          samples += batch.size;
          lossSum += result.loss * batch.size;
          const prediction = result.prediction;
          if (batch.y instanceof Int32Array && prediction !== undefined && prediction.data instanceof Float32Array) {
            correct += correctCount(prediction.data, batch.y, prediction.data.length / batch.size);
          } else {
            classLabels = false;
          }
          return true;
        },
        report: (batch, { result, connection }) => {
          if (connection === undefined) return;
          for (const r of statReports(this.graphs.eval.stats, result.stats, phase, batch.size, this.compiler.decode)) {
            connection.emitter.emit('report', r);
          }
          connection.emitter.emit('report', { type: 'loss', value: result.loss, batchSize: batch.size, phase });
        },
      });
      return {
        loss: samples > 0 ? lossSum / samples : Number.NaN,
        accuracy: classLabels && samples > 0 ? correct / samples : Number.NaN,
        samples,
      };
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
      await this.ensureGraphs();
      const yInput = this.graphs.eval.inputs.find((i) => i.role === 'y');
      const n = shape[0] ?? 0;
      const yShape = [n, ...(yInput?.shape.slice(1) ?? [])];
      const ySize = yShape.reduce((a, b) => a * b, 1);
      const y = yInput?.dtype === 'float32' ? new Float32Array(ySize) : new Int32Array(ySize);
      // The eval graph also computes a loss; dummy labels keep it happy and it is ignored.
      const result = await this.engine.run('eval', {
        batch: { x: x.slice(), xShape: [...shape], y, yShape },
        hypers: this.compiler.hypers(this.lr, this.steps, this.seed),
        wantPrediction: true,
        wantStats: false,
      });
      const p = result.prediction;
      if (p === undefined || !(p.data instanceof Float32Array)) {
        throw new MonitorchError(
          'BACKEND_FAILED',
          'The eval graph returned no float prediction. This is a bug in the graph compiler.',
        );
      }
      return { data: p.data, shape: [...p.dims] };
    });
  }

  /** Copies of the parameters and optimizer state, by train-graph input name. */
  async state(): Promise<Record<string, TensorPayload>> {
    return this.exclusive(() => this.engine.getState());
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
      const names = new Set(
        this.graphs.train.inputs.filter((i) => i.role === 'param' || i.role === 'optState').map((i) => i.name),
      );
      const missing = [...names].filter((n) => state[n] === undefined);
      if (missing.length > 0) {
        throw new MonitorchError(
          'INVALID_ARGUMENT',
          `The saved state lacks ${missing.join(', ')}. It was saved from a different network or optimizer; restore it into a trainer built the same way.`,
          { missing },
        );
      }
      await this.engine.setState(state);
      this.steps = progress.step;
      this.epochs = progress.epoch;
      this.lr = progress.learningRate;
      this.seed = progress.seed ?? this.seed;
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
    await this.engine.close();
  }

  /** Recompiles the graphs when the attached lenses' requests changed since the last compile. */
  private async ensureGraphs(): Promise<void> {
    // Held warnings (a device fallback) go out with the first reports, in the epoch they concern.
    if (this.connection !== undefined) {
      for (const w of this.pendingWarnings) this.connection.emitter.emit('report', w);
      this.pendingWarnings = [];
    }
    const requests: readonly ReductionRequest[] = this.connection?.requests ?? [];
    const key = graphsKey(requests, this.actualDevice);
    if (key === this.graphsKey) return;
    // The engine keeps the graphs of its warm sessions; compile only what it no longer has.
    const kept = await this.engine.reuse(key);
    if (kept !== undefined) {
      this.graphs = kept.graphs;
      this.graphsKey = key;
      this.actualDevice = kept.device;
      return;
    }
    const graphs = { ...this.compiler.compile(requests, { device: this.actualDevice }), key };
    const loaded = await this.engine.load(graphs, { ...this.config, device: this.actualDevice });
    this.graphs = graphs;
    this.graphsKey = key;
    this.actualDevice = loaded.device;
  }

  /** Reports one finished train step (statistics, loss, a non-finite warning, step) to the lenses. */
  private reportTrainStep({ result, step, connection }: StepOutcome, batchSize: number): void {
    if (connection === undefined) return;
    const emit = (r: AdapterReport): void => {
      connection.emitter.emit('report', r);
    };
    const reports = statReports(this.graphs.train.stats, result.stats, 'train', batchSize, this.compiler.decode);
    for (const r of reports) if (r.type === 'output') emit(r);
    emit({ type: 'loss', value: result.loss, batchSize, phase: 'train' });
    for (const r of reports) if (r.type !== 'output') emit(r);
    if (!Number.isFinite(result.loss)) {
      emit({ type: 'warning', code: 'NON_FINITE_LOSS', message: this.nonFiniteError(result.loss, step).message });
    }
    emit({ type: 'step' });
  }

  /** The error (and warning text) for a non-finite loss at `step` (1-based). */
  private nonFiniteError(loss: number, step: number): MonitorchError {
    const what =
      this.nonFinite === 'stop'
        ? 'Training stopped; every finished epoch is kept.'
        : 'Training goes on (onNonFiniteLoss: continue).';
    return new MonitorchError(
      'NON_FINITE_LOSS',
      `The training loss became ${loss} at step ${step} (epoch ${this.epochs + 1}). ${what} Lower the learning rate, check the inputs for NaN, or use a loss on logits (e.g. crossEntropy without a final softmax).`,
      { step, epoch: this.epochs + 1, loss },
    );
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

/** Initial state: the compiler's parameters under their train-graph input names. */
function initialState(graphs: EngineGraphs, params: Record<string, TensorPayload>): Record<string, TensorPayload> {
  const state: Record<string, TensorPayload> = {};
  for (const input of graphs.train.inputs) {
    if (input.role !== 'param') continue;
    const value = params[input.parameter ?? input.name];
    if (value === undefined) {
      throw new MonitorchError(
        'BACKEND_FAILED',
        `No initial value for parameter "${input.parameter ?? input.name}". This is a bug in the network compiler.`,
      );
    }
    state[input.name] = value;
  }
  return state;
}

/** A train step's result, its 1-based step number, and the lens connection it ran for. */
interface StepOutcome {
  readonly result: RunResult;
  readonly step: number;
  readonly connection: AdapterConnection | undefined;
}

/** An eval batch's result and the lens connection it ran for. */
interface EvalOutcome {
  readonly result: RunResult;
  readonly connection: AdapterConnection | undefined;
}

/** Identifies compiled graphs: the requests they answer and the device whose form they take. */
function graphsKey(requests: readonly ReductionRequest[], device: Device): string {
  return `${device}\u0000${JSON.stringify(requests)}`;
}

function copyBatch(b: Batch): Batch {
  return { x: b.x.slice(), xShape: b.xShape, y: b.y.slice(), yShape: b.yShape, size: b.size };
}
