import {
  MonitorchError,
  reductionKey,
  reductionsFor,
  type ModuleInfo,
  type Phase,
  type Reduction,
  type ReductionRequest,
} from '@monitorch/core';
import type { Loss } from '../losses/loss.js';
import { Scope, type Block } from '../model/block.js';
import type { ParameterSlot } from '../model/parameter-slot.js';
import type { SymbolicTensor } from '../model/symbolic-tensor.js';
import { Trace, type DebugOptions } from '../model/trace.js';
import type { DropoutMasks } from '../layers/dropout-mask.js';
import type { Device } from '../runtime/device.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { UPDATE_APPLIED_OUTPUT, UpdateGuard } from './update-guard.js';
import type { CompiledGraph, GraphInput, GraphOutput } from './compiled-graph.js';
import { StatBuilder } from './stat-ops.js';

/** Options shared by {@link compileTrainGraph} and {@link compileEvalGraph}. */
export interface CompileOptions {
  /** The network input shape, batch first (`[N, 1, 28, 28]`; the batch size itself is free). */
  readonly inputShape: readonly number[];
  /** The loss applied to the network output. */
  readonly loss: Loss;
  /**
   * Where the graph will run (default `'cpu'`). For `'cuda'`/`'webgpu'` the graph avoids ops
   * those providers lack (MaxPool's `Indices`, MaxUnpool) and defaults to no finiteness gate
   * and the device's dropout masks (see `dropoutMasks`); the graph still runs anywhere, and
   * computes the same numbers.
   */
  readonly device?: Device;
  /** The lenses' reduction requests (from `Inspector.requests()`); default none. */
  readonly requests?: readonly ReductionRequest[];
  /** Extra outputs for tests (raw gradients, module outputs, dropout masks). */
  readonly debug?: DebugOptions;
  /**
   * Count activity behind a finiteness test, an ONNX `If` (default: on the CPU). Exact either way;
   * on the CPU provider it skips ~40 % of the statistics' ops whenever no watched tensor holds
   * NaN or ±Infinity. Pass false for GPU providers, where an `If` copies its condition to the
   * host on every run.
   */
  readonly finiteGate?: boolean;
  /**
   * How dropout layers draw masks in the train graph: on the CPU `'counter'` (a hash of the
   * entry index and a per-step key input, `dropout.key.<module>`, so runs repeat and resume
   * exactly), on WebGPU `'host'` (the same masks, fed as inputs), on CUDA `'ort'` (ONNX Dropout).
   */
  readonly dropoutMasks?: DropoutMasks;
}

/** Options of {@link compileTrainGraph}. */
export interface TrainCompileOptions extends CompileOptions {
  /** Builds each parameter's update. */
  readonly optimizer: Optimizer;
}

/** Options of {@link compileEvalGraph}. */
export interface EvalCompileOptions extends CompileOptions {
  /**
   * The phases this graph serves (default: every phase other than `train` that an output
   * request names, or `['val']` when none does). Output statistics are the union over them.
   */
  readonly phases?: readonly Phase[];
}

/** A compiled graph plus the network's parameters (for initialisation and checkpoints). */
export interface CompiledNetworkGraph extends CompiledGraph {
  /** Parameters in declaration order; each is the graph input of the same `fullName`. */
  readonly parameters: readonly ParameterSlot[];
  /** The network output shape (`-1` batch). */
  readonly outputShape: readonly number[];
}

/** Where each device's graphs draw dropout masks (see {@link DropoutMasks}). */
const DEFAULT_DROPOUT_MASKS: Readonly<Record<Device, DropoutMasks>> = { cpu: 'counter', webgpu: 'host', cuda: 'ort' };

/** The name of the optimizer's step-count state input (a float32 scalar, 0 before the first step). */
export const STEP_INPUT = 'optimizer.step';

function checkInputShape(shape: readonly number[]): number[] {
  if (!Array.isArray(shape) || shape.length < 2 || shape.some((d, i) => !Number.isInteger(d) || (i > 0 && d <= 0))) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `inputShape ${JSON.stringify(shape)} is not a shape [N, …features] with positive whole-number feature sizes. Pass e.g. [N, 1, 28, 28] as [256, 1, 28, 28] or [-1, 1, 28, 28].`,
      { inputShape: shape },
    );
  }
  // Array.isArray (a guard for plain-JS callers) narrowed `shape` to any[]; its entries were just checked.
  return [-1, ...(shape as readonly number[]).slice(1)];
}

interface Traced {
  readonly g: GraphBuilder;
  readonly trace: Trace;
  readonly out: SymbolicTensor;
  readonly inputs: GraphInput[];
  readonly outputs: GraphOutput[];
  readonly lossGrad: string | undefined;
  /** Whether statistics count behind the finiteness gate (the option, else: on the CPU). */
  readonly finiteGate: boolean;
}

/** Declares the statistics' and debug outputs and packs the traced graph up. */
function finishGraph(
  kind: 'train' | 'eval',
  traced: Omit<Traced, 'lossGrad' | 'finiteGate'>,
  stats: StatBuilder,
): CompiledNetworkGraph {
  const { g, trace, out, inputs, outputs } = traced;
  const statOutputs = stats.finish();
  const statNames = new Set(statOutputs.flatMap((s) => (s.packed === undefined ? s.outputs : [s.packed.output])));
  for (const name of statNames) outputs.push({ name, role: 'stat' });
  for (const name of trace.debugOutputs) outputs.push({ name, role: 'debug' });
  return {
    kind,
    bytes: g.toBytes(),
    inputs,
    outputs,
    stats: statOutputs,
    modules: trace.modules,
    parameters: trace.parameters,
    outputShape: out.shape,
  };
}

function traceNetwork(kind: 'train' | 'eval', network: Block, options: CompileOptions): Traced {
  const shape = checkInputShape(options.inputShape);
  const g = new GraphBuilder(`monitorch-${kind}`);
  g.input('x', 'float32', shape);
  const training = kind === 'train';
  const device = options.device ?? 'cpu';
  const masks = options.dropoutMasks ?? DEFAULT_DROPOUT_MASKS[device];
  const trace = new Trace(
    g,
    { name: 'x', shape, requiresGrad: false },
    training,
    training,
    options.debug ?? {},
    masks,
    device,
  );
  const out = network.build(new Scope(trace, ''), trace.input);
  trace.modules.sort((a, b) => a.order - b.order);
  const target = options.loss.target(out.shape);
  g.input('y', target.dtype, target.shape);
  const ops = options.loss.build({ g, batchSize: () => trace.batchSize() }, out, 'y', training);
  g.output(g.rename(ops.loss, 'loss'));
  g.output(g.rename(out.name, 'prediction'));
  const inputs: GraphInput[] = [
    { name: 'x', role: 'x', dtype: 'float32', shape },
    {
      name: 'y',
      role: 'y',
      dtype: target.dtype,
      shape: target.shape,
      // Class-index labels: the runtime checks them against the output width, because an
      // out-of-range label would silently give an all-zero one-hot row inside the graph.
      ...(target.dtype === 'float32' ? {} : { classes: out.shape[out.shape.length - 1] ?? 0 }),
    },
    ...trace.parameters.map((p): GraphInput => ({
      name: p.fullName,
      role: 'param',
      dtype: 'float32',
      shape: p.shape,
      parameter: p.fullName,
    })),
    ...trace.layerInputs,
  ];
  const outputs: GraphOutput[] = [
    { name: 'loss', role: 'loss' },
    { name: 'prediction', role: 'prediction' },
  ];
  return { g, trace, out, inputs, outputs, lossGrad: ops.grad, finiteGate: options.finiteGate ?? device === 'cpu' };
}

function moduleOf(modules: readonly ModuleInfo[], name: string): ModuleInfo {
  const m = modules.find((x) => x.name === name);
  if (m === undefined) throw new Error(`internal: no module ${name}`);
  return m;
}

/**
 * Compiles one training step into one ONNX graph: forward, loss, hand-derived backward, the
 * optimizer update, and the statistics `requests` ask for (train phase) as extra outputs.
 * See `src/graph/README.md` for how to drive it.
 *
 * @param network - the network (`sequential(...)`, a layer, `custom(...)`)
 * @param options - input shape, loss, optimizer, lens requests
 * @throws MonitorchError `SHAPE_MISMATCH` naming the layer and shapes when the input does not
 *   fit, `INVALID_ARGUMENT`/`UNSUPPORTED` for bad declarations
 */
export function compileTrainGraph(network: Block, options: TrainCompileOptions): CompiledNetworkGraph {
  const { g, trace, out, inputs, outputs, lossGrad, finiteGate } = traceNetwork('train', network, options);
  const requests = options.requests ?? [];
  const debug = options.debug ?? {};
  if (lossGrad === undefined) throw new Error('internal: loss gave no gradient');
  trace.runBackward(out, lossGrad);

  // Optimizer: lr is a hyper input; the step count is state fed back every step.
  const opt = options.optimizer;
  inputs.push({ name: 'lr', role: 'hyper', dtype: 'float32', shape: [], hyper: 'lr' });
  inputs.push({ name: STEP_INPUT, role: 'optState', dtype: 'float32', shape: [] });
  g.input('lr', 'float32', []);
  g.input(STEP_INPUT, 'float32', []);
  const t = g.op1('Add', [STEP_INPUT, g.scalar(1)]);
  const ctx = { g, lr: 'lr', step: STEP_INPUT, t };
  const stats = new StatBuilder(g, { finiteGate, geometryState: true });
  const updates = new Map<string, { grad: string; update: string }>();
  const grads = trace.parameters.map((p) => {
    const grad = trace.paramGrads.get(p.fullName);
    if (grad === undefined) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `Parameter "${p.fullName}" does not influence the loss, so it has no gradient. Remove the unused layer from the network.`,
        { parameter: p.fullName },
      );
    }
    return grad;
  });
  // A step with a NaN/Inf loss or gradient leaves parameters, optimizer state and the step
  // count as they were (see UpdateGuard); the trainer reads `update.applied` and says so.
  const guard = new UpdateGuard(g, 'loss', grads);
  g.output(g.rename(guard.keep(t, STEP_INPUT, 0), `${STEP_INPUT}.new`));
  outputs.push({ name: `${STEP_INPUT}.new`, role: 'optStateNew', feeds: STEP_INPUT });
  guard.output();
  outputs.push({ name: UPDATE_APPLIED_OUTPUT, role: 'updateApplied' });
  for (const [k, p] of trace.parameters.entries()) {
    const grad = grads[k] as string;
    const state: Record<string, string> = {};
    for (const slot of opt.stateSlots) {
      const name = `${p.fullName}.${slot}`;
      g.input(name, 'float32', p.shape);
      inputs.push({ name, role: 'optState', dtype: 'float32', shape: p.shape, parameter: p.fullName });
      state[slot] = name;
    }
    const next = opt.update(ctx, p.fullName, grad, state);
    const rank = p.shape.length;
    g.output(g.rename(guard.keep(next.param, p.fullName, rank), `${p.fullName}.new`));
    outputs.push({ name: `${p.fullName}.new`, role: 'paramNew', feeds: p.fullName });
    for (const slot of opt.stateSlots) {
      const name = `${p.fullName}.${slot}.new`;
      g.output(g.rename(guard.keep(next.state[slot] as string, state[slot] as string, rank), name));
      outputs.push({ name, role: 'optStateNew', feeds: `${p.fullName}.${slot}` });
    }
    updates.set(p.fullName, { grad, update: g.op1('Sub', [`${p.fullName}.new`, p.fullName]) });
    if (debug.gradients === true) trace.debugOutput(grad, `debug.grad.${p.fullName}`);
  }

  // Statistics in the order a hooked PyTorch run would report them.
  for (const { module, value } of trace.moduleOutputs) {
    stats.add(
      'output',
      module,
      undefined,
      ['train'],
      value.name,
      value.shape,
      reductionsFor(requests, 'output', module, undefined, 'train'),
    );
    if (debug.outputs === true) trace.debugOutput(value.name, `debug.out.${module.name}`);
  }
  for (const { module, value } of trace.moduleOutputs) {
    const dy = trace.gradOf(value);
    if (dy === undefined) continue;
    stats.add(
      'outputGradient',
      module,
      undefined,
      ['train'],
      dy,
      value.shape,
      reductionsFor(requests, 'outputGradient', module, undefined, 'train'),
    );
    if (debug.outputGradients === true) trace.debugOutput(dy, `debug.outgrad.${module.name}`);
  }
  for (const source of ['gradient', 'update'] as const) {
    for (const p of trace.parameters) {
      const module = moduleOf(trace.modules, p.module);
      const tensors = updates.get(p.fullName);
      if (tensors === undefined) continue;
      const wanted = reductionsFor(requests, source, module, p.name, 'train');
      stats.add(
        source,
        module,
        p.name,
        ['train'],
        source === 'gradient' ? tensors.grad : tensors.update,
        p.shape,
        wanted,
        source === 'update' ? { parameterValue: p.fullName } : {},
      );
    }
  }
  // previousDot statistics carry state from run to run (see previousDot).
  inputs.push(...stats.geometryInputs);
  outputs.push(...stats.geometryOutputs);
  return finishGraph('train', { g, trace, out, inputs, outputs }, stats);
}

/** The non-train phases output requests name (what an eval graph serves by default). */
export function evalPhases(requests: readonly ReductionRequest[]): Phase[] {
  const phases = new Set<Phase>();
  for (const r of requests) {
    if (r.select.of !== 'output') continue;
    for (const p of r.select.phases ?? ['train']) if (p !== 'train') phases.add(p);
  }
  return phases.size === 0 ? ['val'] : [...phases];
}

/**
 * Compiles the eval graph: forward (dropout off), loss, and the output statistics the lenses
 * ask for in `phases`. Parameters are inputs with the same names as in the train graph.
 *
 * @param network - the network
 * @param options - input shape, loss, lens requests, phases
 */
export function compileEvalGraph(network: Block, options: EvalCompileOptions): CompiledNetworkGraph {
  const { g, trace, out, inputs, outputs, finiteGate } = traceNetwork('eval', network, options);
  const requests = options.requests ?? [];
  const phases = options.phases ?? evalPhases(requests);
  const stats = new StatBuilder(g, { finiteGate });
  for (const { module, value } of trace.moduleOutputs) {
    // Each reduction serves exactly the phases whose requests want it, so the reports of a
    // run pick their statistics by phase alone and never ask the requests again.
    const wanted = new Map<string, { reduction: Reduction; phases: Phase[] }>();
    for (const phase of phases) {
      for (const reduction of reductionsFor(requests, 'output', module, undefined, phase)) {
        const key = reductionKey(reduction);
        const entry = wanted.get(key);
        if (entry === undefined) wanted.set(key, { reduction, phases: [phase] });
        else entry.phases.push(phase);
      }
    }
    for (const { reduction, phases: servedIn } of wanted.values()) {
      stats.add('output', module, undefined, servedIn, value.name, value.shape, [reduction]);
    }
    if (options.debug?.outputs === true) trace.debugOutput(value.name, `debug.out.${module.name}`);
  }
  return finishGraph('eval', { g, trace, out, inputs, outputs }, stats);
}
