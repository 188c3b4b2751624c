import { MonitorchError } from '@monitorch/core';
import type { CompiledGraph, GraphInput } from '../graph/compiled-graph.js';
import type { Device } from './device.js';
import { deviceUnavailable } from './device.js';
import type { InferenceSession, OrtApi, Tensor } from './ort-api.js';
import { isNode } from './ort-api.js';
import { fillKeepMask } from '../layers/dropout-mask.js';
import { sessionOptions } from './session-options.js';
import {
  SESSIONS_KEPT,
  type BatchPayload,
  type EngineConfig,
  type EngineGraphs,
  type LoadResult,
  type PayloadDType,
  type ReusedGraphs,
  type RunRequest,
  type RunResult,
  type StepEngine,
  type TensorPayload,
} from './step-engine.js';
import { checkLabelRange, checkShape, formatShape } from './shapes.js';

interface LoadedGraph {
  readonly graph: CompiledGraph;
  readonly session: InferenceSession;
}

/** The sessions of one graph pair. */
interface LoadedPair {
  readonly train: LoadedGraph;
  readonly eval: LoadedGraph;
  /** Whether a batch ever ran on it (a pair that never did is the first to go). */
  ran: boolean;
}

/**
 * Runs the graphs in this thread with the ORT package it is given (`onnxruntime-node` or
 * `onnxruntime-web`). Simple and portable, but `session.run` blocks the thread for a whole
 * step in Node; the trainer uses it inside a worker by default.
 */
export class LocalStepEngine implements StepEngine {
  private readonly ort: OrtApi;
  private train: LoadedGraph | undefined;
  private eval: LoadedGraph | undefined;
  /** Loaded pairs by key, least recently used first (the current pair is last). */
  private readonly kept = new Map<string, LoadedPair>();
  /** The pair `train`/`eval` belong to. */
  private current: LoadedPair | undefined;
  private resolvedDevice: Device | undefined;
  /** Params and optimizer state by train-graph input name; fed back every step. */
  private readonly state = new Map<string, Tensor>();
  /**
   * `previousDot` state by input name (previous tensors and their norms): monitoring state, kept
   * apart from the training state, so it is neither in {@link getState} nor in checkpoints.
   */
  private readonly geometry = new Map<string, Tensor>();
  /** Train-graph input name of each parameter (the eval graph finds its params through it). */
  private readonly paramInput = new Map<string, string>();

  /** @param ort - the ONNX Runtime package to use */
  constructor(ort: OrtApi) {
    this.ort = ort;
  }

  /** {@inheritDoc StepEngine.load} */
  async load(graphs: EngineGraphs, config: EngineConfig): Promise<LoadResult> {
    const warm = graphs.key === undefined ? undefined : await this.reuse(graphs.key);
    if (warm !== undefined) return { device: warm.device };
    let device = this.resolvedDevice ?? config.device;
    let fallbackReason: string | undefined;
    const tuning = { ...config.tuning, intraOpNumThreads: config.tuning.intraOpNumThreads ?? (await defaultThreads()) };
    // Make room before building: the new sessions then reuse the evicted ones' memory, and
    // measured on this CPU, sessions built into fresh memory after others ran 1.5–4 % slower
    // with the identical graph (and three pairs never coexist).
    if (graphs.key !== undefined) {
      await this.evictUnused();
      await this.evictDownTo(SESSIONS_KEPT - 1);
    }
    let sessions: [InferenceSession, InferenceSession];
    try {
      sessions = await this.createBoth(graphs, device, tuning);
    } catch (e) {
      if (device === 'cpu') throw graphRefused(e);
      // ORT never falls back by itself. A CPU session of the same graph tells a missing
      // device apart from a graph the runtime refuses.
      let cpu: [InferenceSession, InferenceSession];
      try {
        cpu = await this.createBoth(graphs, 'cpu', tuning);
      } catch (e2) {
        throw graphRefused(e2);
      }
      const unavailable = deviceUnavailable(device, e);
      if (!config.allowCpuFallback) {
        await Promise.all(cpu.map((s) => s.release()));
        throw unavailable;
      }
      fallbackReason = unavailable.message;
      device = 'cpu';
      sessions = cpu;
    }
    const pair: LoadedPair = {
      train: { graph: graphs.train, session: sessions[0] },
      eval: { graph: graphs.eval, session: sessions[1] },
      ran: false,
    };
    if (graphs.key === undefined) {
      await this.release();
    } else {
      if (this.current !== undefined && !this.isKept(this.current)) await this.releaseCurrent();
      this.kept.set(graphs.key, pair);
    }
    this.resolvedDevice = device;
    this.use(pair);
    return fallbackReason === undefined ? { device } : { device, fallbackReason };
  }

  /** {@inheritDoc StepEngine.reuse} */
  reuse(key: string): Promise<ReusedGraphs | undefined> {
    const warm = this.kept.get(key);
    if (warm === undefined || this.resolvedDevice === undefined) return Promise.resolve(undefined);
    this.kept.delete(key); // and set again: the most recently used pair goes last
    this.kept.set(key, warm);
    this.use(warm);
    return Promise.resolve({
      graphs: { train: warm.train.graph, eval: warm.eval.graph, key },
      device: this.resolvedDevice,
    });
  }

  /** Makes `pair` the graphs that run, and gives new optimizer-state inputs their zeros. */
  private use(pair: LoadedPair): void {
    this.current = pair;
    this.train = pair.train;
    this.eval = pair.eval;
    this.paramInput.clear();
    for (const input of pair.train.graph.inputs) {
      if (input.role === 'param') this.paramInput.set(input.parameter ?? input.name, input.name);
      if (input.role === 'optState' && !this.state.has(input.name)) {
        // Optimizer state starts at zero (moments, momentum buffers, step counters).
        this.state.set(input.name, this.zeros(input));
      }
    }
  }

  /** {@inheritDoc StepEngine.setState} */
  // A bad state must reject, not throw, as the same call to a worker engine does: hence async.
  async setState(state: Readonly<Record<string, TensorPayload>>): Promise<void> {
    const inputs = new Map((this.train?.graph.inputs ?? []).map((i) => [i.name, i]));
    for (const [name, payload] of Object.entries(state)) {
      const input = inputs.get(name);
      if (this.train !== undefined && input === undefined) {
        throw new MonitorchError(
          'INVALID_ARGUMENT',
          `State tensor "${name}" is not an input of the train graph. Was the checkpoint saved from a different network or optimizer?`,
          { name },
        );
      }
      if (input !== undefined && !sameShape(input.shape, payload.dims)) {
        throw new MonitorchError(
          'SHAPE_MISMATCH',
          `State tensor "${name}" has shape ${formatShape(payload.dims)} but the network needs ${formatShape(input.shape)}. The checkpoint belongs to a different network.`,
          { name, expected: input.shape, actual: payload.dims },
        );
      }
      this.state.set(name, new this.ort.Tensor(payload.dtype, payload.data as Float32Array, [...payload.dims]));
    }
    // New parameters: a previous gradient or update of the old ones says nothing about them.
    this.geometry.clear();
  }

  /** {@inheritDoc StepEngine.getState} */
  getState(names?: readonly string[]): Promise<Record<string, TensorPayload>> {
    const out: Record<string, TensorPayload> = {};
    for (const name of names ?? this.state.keys()) {
      const tensor = this.state.get(name);
      if (tensor === undefined) {
        return Promise.reject(
          new MonitorchError(
            'INVALID_ARGUMENT',
            `getState: no state tensor "${name}". Ask for train-graph input names.`,
            {
              name,
            },
          ),
        );
      }
      out[name] = toPayload(tensor, true);
    }
    return Promise.resolve(out);
  }

  /** {@inheritDoc StepEngine.clearGeometry} */
  clearGeometry(): Promise<void> {
    this.geometry.clear();
    return Promise.resolve();
  }

  /** {@inheritDoc StepEngine.run} */
  async run(kind: 'train' | 'eval', request: RunRequest): Promise<RunResult> {
    const loaded = kind === 'train' ? this.train : this.eval;
    if (loaded === undefined) {
      throw new MonitorchError('BACKEND_FAILED', 'The engine has no graphs yet; load() must come before run().');
    }
    const feeds: Record<string, Tensor> = {};
    const stale = this.staleGeometry(loaded.graph, request.batch);
    for (const input of loaded.graph.inputs) {
      feeds[input.name] =
        input.role === 'geometryState'
          ? this.geometryFeed(input, request.batch, stale)
          : this.feed(input, request, kind);
    }
    if (this.current !== undefined) this.current.ran = true;
    let outputs: InferenceSession.OnnxValueMapType;
    try {
      outputs = await loaded.session.run(feeds);
    } catch (e) {
      throw new MonitorchError(
        'BACKEND_FAILED',
        `ONNX Runtime failed running the ${kind} graph: ${e instanceof Error ? e.message : String(e)}. Check the batch shapes against the model's input; if they are right, this is a bug in the graph compiler — please report it.`,
        { kind, xShape: request.batch.xShape },
        { cause: e },
      );
    }
    let loss = Number.NaN;
    let updateSkipped = false;
    let prediction: TensorPayload | undefined;
    const stats: Record<string, TensorPayload> = {};
    const geometry: [string, Tensor][] = [];
    for (const output of loaded.graph.outputs) {
      const value = outputs[output.name];
      if (value === undefined) continue;
      switch (output.role) {
        case 'loss':
          loss = Number((value.data as Float32Array)[0]);
          break;
        case 'updateApplied':
          updateSkipped = Number((value.data as Float32Array)[0]) === 0;
          break;
        case 'prediction':
          if (request.wantPrediction) prediction = toPayload(value, false);
          break;
        case 'stat':
          if (request.wantStats) stats[output.name] = toPayload(value, false);
          break;
        case 'paramNew':
        case 'optStateNew':
          // Outputs are fresh buffers owned by JS: feed them straight back next step.
          if (kind === 'train' && output.feeds !== undefined) this.state.set(output.feeds, value);
          break;
        case 'geometryStateNew':
          if (output.feeds !== undefined) geometry.push([output.feeds, value]);
          break;
      }
    }
    // A step that skipped its update leaves the geometry state as it was, like the parameters.
    if (kind === 'train' && !updateSkipped) for (const [name, value] of geometry) this.geometry.set(name, value);
    const result = prediction === undefined ? { loss, stats } : { loss, prediction, stats };
    return updateSkipped ? { ...result, updateSkipped } : result;
  }

  /** {@inheritDoc StepEngine.close} */
  async close(): Promise<void> {
    await this.release();
  }

  private async createBoth(
    graphs: EngineGraphs,
    device: Device,
    tuning: EngineConfig['tuning'],
  ): Promise<[InferenceSession, InferenceSession]> {
    const train = await this.ort.InferenceSession.create(graphs.train.bytes, sessionOptions(device, tuning));
    try {
      // The eval pool never spins: when evaluation alternates with training, a spinning eval
      // pool steals the cores of the train step that follows (see SessionTuning.allowSpinning).
      return [
        train,
        await this.ort.InferenceSession.create(
          graphs.eval.bytes,
          sessionOptions(device, { ...tuning, allowSpinning: false }),
        ),
      ];
    } catch (e) {
      await train.release();
      throw e;
    }
  }

  /**
   * The geometry state groups of `graph` that start again from zeros this run: a member has no
   * value yet, or one of another shape (the last, smaller batch of an epoch, and the first full
   * batch after it).
   */
  private staleGeometry(graph: CompiledGraph, batch: BatchPayload): Set<string> {
    const stale = new Set<string>();
    for (const input of graph.inputs) {
      if (input.role !== 'geometryState') continue;
      const held = this.geometry.get(input.name);
      const dims = batchDims(input.shape, batch);
      if (held === undefined || held.dims.length !== dims.length || held.dims.some((d, i) => d !== dims[i])) {
        stale.add(input.stateGroup ?? input.name);
      }
    }
    return stale;
  }

  private geometryFeed(input: GraphInput, batch: BatchPayload, stale: ReadonlySet<string>): Tensor {
    const held = this.geometry.get(input.name);
    if (held !== undefined && !stale.has(input.stateGroup ?? input.name)) return held;
    const dims = batchDims(input.shape, batch);
    return new this.ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
  }

  private feed(input: GraphInput, request: RunRequest, kind: 'train' | 'eval'): Tensor {
    switch (input.role) {
      case 'x':
        return this.xTensor(input, request.batch);
      case 'y':
        return this.yTensor(input, request.batch);
      case 'param':
      case 'optState': {
        const name =
          kind === 'train' || input.role === 'optState'
            ? input.name
            : (this.paramInput.get(input.parameter ?? input.name) ?? input.name);
        const t = this.state.get(name);
        if (t === undefined) {
          throw new MonitorchError(
            'BACKEND_FAILED',
            `The ${kind} graph needs "${input.name}" but no value was set for it. The trainer sets every parameter before the first step; this is a bug.`,
            { name },
          );
        }
        return t;
      }
      case 'hyper': {
        const key = input.hyper ?? input.name;
        const value = request.hypers[key];
        if (value === undefined) {
          throw new MonitorchError(
            'BACKEND_FAILED',
            `The ${kind} graph needs the hyper-parameter "${key}" but the trainer did not provide it.`,
            { hyper: key },
          );
        }
        return this.scalar(input, value);
      }
      case 'mask':
        return this.maskTensor(input, request);
      case 'geometryState':
        throw new Error('internal: geometry state is fed by geometryFeed');
    }
  }

  /** A dropout keep mask drawn from the input's key hyper-parameter (the CPU graph's masks). */
  private maskTensor(input: GraphInput, request: RunRequest): Tensor {
    const key = request.hypers[input.hyper ?? ''];
    if (key === undefined || input.dropoutP === undefined) {
      throw new MonitorchError(
        'BACKEND_FAILED',
        `The train graph needs the dropout mask "${input.name}" but the trainer gave no key "${input.hyper ?? '?'}" for it.`,
        { input: input.name },
      );
    }
    const dims = input.shape.map((d) => (d < 0 ? (request.batch.xShape[0] ?? 0) : d));
    const mask = fillKeepMask(new Uint8Array(dims.reduce((a, b) => a * b, 1)), key, input.dropoutP);
    return new this.ort.Tensor('bool', mask, dims);
  }

  private xTensor(input: GraphInput, batch: BatchPayload): Tensor {
    checkShape(input.shape, batch.xShape, 'input');
    return new this.ort.Tensor('float32', batch.x, [...batch.xShape]);
  }

  private yTensor(input: GraphInput, batch: BatchPayload): Tensor {
    checkShape(input.shape, batch.yShape, 'labels');
    const dims = [...batch.yShape];
    const y = batch.y;
    if (input.dtype === 'float32') {
      return new this.ort.Tensor('float32', y instanceof Float32Array ? y : Float32Array.from(y), dims);
    }
    if (!(y instanceof Int32Array)) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `The loss expects integer class labels but the labels are a ${y.constructor.name}. Give the dataset an Int32Array of class indices.`,
        { expected: input.dtype, actual: y.constructor.name },
      );
    }
    if (input.classes !== undefined) checkLabelRange(y, input.classes);
    if (input.dtype === 'int32') return new this.ort.Tensor('int32', y, dims);
    const wide = new BigInt64Array(y.length);
    for (let i = 0; i < y.length; i++) wide[i] = BigInt(y[i] as number);
    return new this.ort.Tensor('int64', wide, dims);
  }

  private scalar(input: GraphInput, value: number): Tensor {
    const dims = input.shape.map((d) => (d < 0 ? 1 : d));
    switch (input.dtype) {
      case 'float32':
        return new this.ort.Tensor('float32', new Float32Array([value]), dims);
      case 'int32':
        return new this.ort.Tensor('int32', new Int32Array([value]), dims);
      case 'int64':
        return new this.ort.Tensor('int64', new BigInt64Array([BigInt(Math.round(value))]), dims);
      case 'bool':
        return new this.ort.Tensor('bool', new Uint8Array([value === 0 ? 0 : 1]), dims);
    }
  }

  private zeros(input: GraphInput): Tensor {
    const dims = input.shape.map((d) => (d < 0 ? 1 : d));
    const n = dims.reduce((a, b) => a * b, 1);
    switch (input.dtype) {
      case 'float32':
        return new this.ort.Tensor('float32', new Float32Array(n), dims);
      case 'int32':
        return new this.ort.Tensor('int32', new Int32Array(n), dims);
      case 'int64':
        return new this.ort.Tensor('int64', new BigInt64Array(n), dims);
      case 'bool':
        return new this.ort.Tensor('bool', new Uint8Array(n), dims);
    }
  }

  /**
   * Releases kept pairs that never ran a batch, the current one included: typically the
   * trainer's initial pair when an Inspector attaches before the first step. Those sessions
   * would only sit in memory, and the ones built next take their place.
   */
  private async evictUnused(): Promise<void> {
    for (const [key, pair] of this.kept) {
      if (pair.ran) continue;
      this.kept.delete(key);
      if (pair === this.current) {
        this.current = undefined;
        this.train = undefined;
        this.eval = undefined;
      }
      await releasePair(pair);
    }
  }

  /** Releases the least recently used kept pairs (never the current one) until `size` remain. */
  private async evictDownTo(size: number): Promise<void> {
    for (const [key, old] of this.kept) {
      if (this.kept.size <= size) break;
      if (old === this.current) continue;
      this.kept.delete(key);
      await releasePair(old);
    }
  }

  /** Releases every session: the current pair and the kept ones. */
  private async release(): Promise<void> {
    const kept = [...this.kept.values()];
    this.kept.clear();
    if (this.current !== undefined && !kept.includes(this.current)) await this.releaseCurrent();
    this.current = undefined;
    this.train = undefined;
    this.eval = undefined;
    for (const pair of kept) await releasePair(pair);
  }

  private isKept(pair: LoadedPair): boolean {
    return [...this.kept.values()].includes(pair);
  }

  /** Releases the current pair (one that is not kept under a key). */
  private async releaseCurrent(): Promise<void> {
    const old = [this.train?.session, this.eval?.session];
    this.current = undefined;
    this.train = undefined;
    this.eval = undefined;
    for (const s of old) await s?.release();
  }
}

async function releasePair(pair: LoadedPair): Promise<void> {
  await pair.train.session.release();
  await pair.eval.session.release();
}

function toPayload(tensor: Tensor, copy: boolean): TensorPayload {
  const data = tensor.data as TensorPayload['data'];
  return { dtype: tensor.type as PayloadDType, dims: [...tensor.dims], data: copy ? data.slice() : data };
}

/** `shape` with the batch dimension (`-1`) set to the batch's size. */
function batchDims(shape: readonly number[], batch: BatchPayload): number[] {
  return shape.map((d) => (d < 0 ? (batch.xShape[0] ?? 0) : d));
}

function sameShape(expected: readonly number[], actual: readonly number[]): boolean {
  return expected.length === actual.length && expected.every((d, i) => d < 0 || d === actual[i]);
}

function graphRefused(e: unknown): MonitorchError {
  return new MonitorchError(
    'BACKEND_FAILED',
    `ONNX Runtime refused the generated graph: ${e instanceof Error ? e.message : String(e)}. This is a bug in the graph compiler — please report it with your network declaration.`,
    {},
    { cause: e },
  );
}

async function defaultThreads(): Promise<number | undefined> {
  if (!isNode()) return undefined;
  const os = await import('node:os');
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}
