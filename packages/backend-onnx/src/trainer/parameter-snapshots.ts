import {
  reduce,
  reductionKey,
  reductionsFor,
  tensorReport,
  watchesSource,
  type AdapterConnection,
  type ModuleInfo,
  type ReductionAnswers,
  type ReductionRequest,
  type ReductionResult,
} from '@monitorch/core';
import type { CompiledGraph } from '../graph/compiled-graph.js';
import type { StepEngine, TensorPayload } from '../runtime/step-engine.js';

/** Host copies of the parameters, and the optimizer steps done when they were taken. */
interface HostCopy {
  readonly step: number;
  readonly tensors: Readonly<Record<string, TensorPayload>>;
}

/** One parameter of the train graph: its input name, owner module and name in the module. */
interface WatchedParameter {
  readonly input: string;
  readonly module: ModuleInfo;
  readonly name: string;
  readonly shape: readonly number[];
}

/**
 * Parameter snapshots for lenses that watch parameter values (`ParameterNorm`, `ParameterCond`).
 * The parameters live in the step engine (often a worker); a snapshot copies them to the host
 * once — at the end of each epoch that a request watches, and when asked — never per step, and
 * reduces the copies with core's kernels (`singularRatio` needs an SVD-like iteration no ONNX
 * op offers, and a copy of the seed CNN's 140 k parameters costs well under a millisecond).
 *
 * The Inspector's `snapshot` signal wants reports synchronously (an epoch's snapshot must land
 * before the epoch closes). The trainer keeps a copy that is current while it is idle: the
 * initial parameters, the parameters after each watched epoch and after a restore. When the copy
 * is not current (a snapshot asked for mid-epoch), the parameters are read after the running step
 * and reported when they arrive.
 */
export class ParameterSnapshots {
  private copy: HostCopy | undefined;

  /** @param engine - the engine holding the parameters */
  constructor(private readonly engine: StepEngine) {}

  /**
   * Keeps `tensors` (train-graph input names → values; other entries are ignored) as the
   * parameters after `step` optimizer steps.
   */
  hold(step: number, tensors: Readonly<Record<string, TensorPayload>>): void {
    this.copy = { step, tensors };
  }

  /** Whether the copy holds the parameters after `step` steps. */
  isCurrent(step: number): boolean {
    return this.copy?.step === step;
  }

  /**
   * Copies the parameters of `graph` from the engine (after any step already running there).
   *
   * @param graph - the train graph (its `param` inputs name the parameters)
   * @param steps - reads the optimizer steps done once the copy arrived
   */
  async refresh(graph: CompiledGraph, steps: () => number): Promise<void> {
    const names = graph.inputs.filter((i) => i.role === 'param').map((i) => i.name);
    const tensors = await this.engine.getState(names);
    this.copy = { step: steps(), tensors };
  }

  /**
   * Reports one `parameter` report per parameter that a request watching `connection`'s epoch
   * selects, reduced from the host copy. Reductions that cannot apply (`singularRatio` of a
   * bias) are left out of the report; a parameter with no answer gets no report.
   *
   * @param connection - the Inspector to report to
   * @param graph - the train graph (parameters and their modules)
   */
  report(connection: AdapterConnection, graph: CompiledGraph): void {
    const copy = this.copy;
    if (copy === undefined) return;
    const requests = connection.requests.filter(
      (r) => r.select.of === 'parameter' && watchesSource(r.sampling, 'parameter', 0, connection.clock.epoch, 'train'),
    );
    if (requests.length === 0) return;
    for (const p of watchedParameters(graph)) {
      const tensor = copy.tensors[p.input];
      if (tensor === undefined || !(tensor.data instanceof Float32Array)) continue;
      const answers = answer(tensor.data, p, requests);
      if (answers.size === 0) continue;
      connection.emitter.emit('report', tensorReport('parameter', p.module, p.name, p.shape, answers, 'train'));
    }
  }
}

function answer(data: Float32Array, p: WatchedParameter, requests: readonly ReductionRequest[]): ReductionAnswers {
  const answers = new Map<string, ReductionResult>();
  for (const reduction of reductionsFor(requests, 'parameter', p.module, p.name, 'train')) {
    try {
      answers.set(reductionKey(reduction), reduce(data, p.shape, reduction));
    } catch {
      // A reduction that does not apply to this parameter (singularRatio of a rank-1 bias,
      // updateRatio of a value): no answer, as a graph leaves out what it cannot compute.
    }
  }
  return answers;
}

const parametersOf = new WeakMap<CompiledGraph, readonly WatchedParameter[]>();

/** The train graph's parameters with their modules (laid out once per graph). */
function watchedParameters(graph: CompiledGraph): readonly WatchedParameter[] {
  let found = parametersOf.get(graph);
  if (found !== undefined) return found;
  const list: WatchedParameter[] = [];
  for (const input of graph.inputs) {
    if (input.role !== 'param') continue;
    const fullName = input.parameter ?? input.name;
    for (const module of graph.modules) {
      const p = module.parameters.find((q) => `${module.name}.${q.name}` === fullName);
      if (p !== undefined) list.push({ input: input.name, module, name: p.name, shape: input.shape });
    }
  }
  parametersOf.set(graph, (found = list));
  return found;
}
