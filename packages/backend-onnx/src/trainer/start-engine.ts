import { MonitorchError, type AdapterReport } from '@monitorch/core';
import { checkDevice, type Device } from '../runtime/device.js';
import { LocalStepEngine } from '../runtime/local-step-engine.js';
import { isNode, loadNodeOrt } from '../runtime/ort-api.js';
import type { EngineConfig, EngineGraphs, LoadResult, StepEngine, TensorPayload } from '../runtime/step-engine.js';
import { compileKeyed, type KeyedGraphs } from './active-graphs.js';
import type { NetworkCompiler } from './network-compiler.js';
import type { CompilerTrainerOptions } from './trainer-options.js';

/** An engine with its first graphs loaded and the initial parameters set. */
export interface StartedEngine {
  readonly engine: StepEngine;
  /** How the engine loads graphs (the device the user asked for). */
  readonly config: EngineConfig;
  /** The graphs without statistics, in the form of the device they run on. */
  readonly graphs: KeyedGraphs;
  /** The device the sessions run on: `cpu` after a fallback. */
  readonly device: Device;
  /** Warnings for the lenses once an Inspector attaches (a `DEVICE_FALLBACK`). */
  readonly warnings: readonly AdapterReport[];
  /** The initial parameters set, by train-graph input name (host copies the trainer may keep). */
  readonly initialState: Readonly<Record<string, TensorPayload>>;
}

/**
 * Starts the step engine of a trainer: in a worker or in-process, on the asked device or — when
 * `allowCpuFallback` lets it — on the CPU, with the compiler's seeded initial parameters.
 *
 * @throws MonitorchError `DEVICE_UNAVAILABLE` when the device cannot start and `allowCpuFallback`
 *   is not set; `BACKEND_FAILED` when ONNX Runtime refuses the graph; `INVALID_ARGUMENT` for `ort`
 *   with `worker: true`
 */
export async function startEngine(options: CompilerTrainerOptions): Promise<StartedEngine> {
  const device = checkDevice(options.device ?? 'cpu');
  const config: EngineConfig = {
    device,
    allowCpuFallback: options.allowCpuFallback ?? false,
    tuning: {
      ...(options.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: options.intraOpNumThreads }),
      ...(options.allowSpinning === undefined ? {} : { allowSpinning: options.allowSpinning }),
    },
  };
  const engine = await createEngine(options);
  try {
    const { graphs, loaded } = await loadFirstGraphs(engine, options.compiler, config);
    const initial = initialState(graphs, options.compiler.initialParameters(options.seed ?? 0));
    await engine.setState(initial);
    const warnings: AdapterReport[] =
      loaded.fallbackReason === undefined
        ? []
        : [
            {
              type: 'warning',
              code: 'DEVICE_FALLBACK',
              message: `Training on the CPU instead of '${device}' (allowCpuFallback). ${loaded.fallbackReason}`,
            },
          ];
    return { engine, config, graphs, device: loaded.device, warnings, initialState: initial };
  } catch (e) {
    await engine.close();
    throw e;
  }
}

/** A worker engine by default in Node (steps never block the user's event loop), else in-process. */
async function createEngine(options: CompilerTrainerOptions): Promise<StepEngine> {
  const useWorker = options.worker ?? (options.ort === undefined && isNode());
  if (useWorker && options.ort !== undefined) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      'Trainer: `ort` is only used in-process; with worker: true the worker loads onnxruntime-node itself. Drop one of the two options.',
    );
  }
  if (!useWorker) return new LocalStepEngine(options.ort ?? (await loadNodeOrt()));
  // Imported only here: a browser bundle never reaches the worker (node:worker_threads).
  const { WorkerStepEngine } = await import('../runtime/worker-step-engine.js');
  return WorkerStepEngine.start();
}

/** Loads the graphs without statistics; after a CPU fallback, their CPU form. */
async function loadFirstGraphs(
  engine: StepEngine,
  compiler: NetworkCompiler,
  config: EngineConfig,
): Promise<{ graphs: KeyedGraphs; loaded: LoadResult }> {
  const graphs = compileKeyed(compiler, [], config.device);
  const loaded = await engine.load(graphs, config);
  if (loaded.device === config.device) return { graphs, loaded };
  // A fallback: the sessions run on the CPU, so take the CPU form of the graphs (the engine drops
  // the pair built for the GPU, which never ran).
  const cpuGraphs = compileKeyed(compiler, [], loaded.device);
  const reloaded = await engine.load(cpuGraphs, { ...config, device: loaded.device });
  return { graphs: cpuGraphs, loaded: { ...reloaded, fallbackReason: loaded.fallbackReason } };
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
