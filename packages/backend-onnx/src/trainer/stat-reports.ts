import {
  reductionKey, reductionsFor, type AdapterReport, type ModuleInfo, type Phase, type ReductionRequest, type ReductionResult,
} from '@monitorch/core';
import type { StatOutput } from '../graph/compiled-graph.js';
import type { TensorPayload } from '../runtime/step-engine.js';

/** Turns a statistic's fetched graph outputs into a core reduction answer. */
export type StatDecoder = (stat: StatOutput, outputs: readonly TensorPayload[], batchSize: number) => ReductionResult;

/** One reported tensor: its statistics that the requests want, decoded each step. */
interface PlannedTensor {
  readonly source: StatOutput['source'];
  readonly module: ModuleInfo;
  readonly parameter: string | undefined;
  readonly shape: readonly number[];
  readonly stats: { readonly key: string; readonly stat: StatOutput }[];
}

/**
 * Which statistics each tensor reports and in what order depends only on the graph's
 * statistics, the requests and the phase — not on the step. Planned once per combination
 * instead of on every step of the hot loop.
 */
const plans = new WeakMap<readonly StatOutput[], WeakMap<readonly ReductionRequest[], Map<Phase, PlannedTensor[]>>>();

function planFor(stats: readonly StatOutput[], requests: readonly ReductionRequest[], phase: Phase): PlannedTensor[] {
  let byRequests = plans.get(stats);
  if (byRequests === undefined) plans.set(stats, (byRequests = new WeakMap()));
  let byPhase = byRequests.get(requests);
  if (byPhase === undefined) byRequests.set(requests, (byPhase = new Map()));
  const cached = byPhase.get(phase);
  if (cached !== undefined) return cached;
  const tensors = new Map<string, PlannedTensor>();
  const wanted = new Map<string, Set<string>>();
  for (const stat of stats) {
    const tensorKey = `${stat.source}\u0000${stat.module.name}\u0000${stat.parameter ?? ''}`;
    let keys = wanted.get(tensorKey);
    if (keys === undefined) {
      keys = new Set(reductionsFor(requests, stat.source, stat.module, stat.parameter, phase).map(reductionKey));
      wanted.set(tensorKey, keys);
    }
    const key = reductionKey(stat.reduction);
    if (!keys.has(key)) continue;
    let tensor = tensors.get(tensorKey);
    if (tensor === undefined) {
      tensor = { source: stat.source, module: stat.module, parameter: stat.parameter, shape: stat.shape, stats: [] };
      tensors.set(tensorKey, tensor);
    }
    tensor.stats.push({ key, stat });
  }
  const plan = [...tensors.values()].sort(byEventOrder);
  byPhase.set(phase, plan);
  return plan;
}

/**
 * Builds the forward / outputGradient / gradient / update reports of one graph run: one report
 * per (tensor), carrying every requested reduction of it. Statistics the graph computed that
 * no current request wants for `phase` are skipped, so a lens never sees a phase it did not
 * ask for.
 *
 * @param stats - the graph's statistic declarations
 * @param fetched - fetched stat outputs by graph output name
 * @param requests - the lenses' current requests
 * @param phase - the phase of this run
 * @param batchSize - samples in the batch (fills the `-1` batch dimension of shapes)
 * @param decode - output decoder of the graph compiler
 */
export function statReports(
  stats: readonly StatOutput[],
  fetched: Readonly<Record<string, TensorPayload>>,
  requests: readonly ReductionRequest[],
  phase: Phase,
  batchSize: number,
  decode: StatDecoder,
): AdapterReport[] {
  const reports: AdapterReport[] = [];
  for (const tensor of planFor(stats, requests, phase)) {
    const answers = new Map<string, ReductionResult>();
    for (const { key, stat } of tensor.stats) {
      const outputs: TensorPayload[] = [];
      for (const name of stat.outputs) {
        const t = fetched[name];
        if (t === undefined) break;
        outputs.push(t);
      }
      if (outputs.length === stat.outputs.length) answers.set(key, decode(stat, outputs, batchSize));
    }
    if (answers.size === 0) continue;
    const base = { module: tensor.module, shape: tensor.shape.map((d) => (d < 0 ? batchSize : d)), reductions: answers, phase };
    switch (tensor.source) {
      case 'output': reports.push({ type: 'forward', ...base }); break;
      case 'outputGradient': reports.push({ type: 'outputGradient', ...base }); break;
      case 'gradient': reports.push({ type: 'gradient', ...base, parameter: tensor.parameter ?? '' }); break;
      case 'update': reports.push({ type: 'update', ...base, parameter: tensor.parameter ?? '' }); break;
    }
  }
  return reports;
}

const SOURCE_ORDER = { output: 0, outputGradient: 1, gradient: 2, update: 3 } as const;

/** Forward outputs first (forward order), then backward quantities, as a hooked PyTorch run would. */
function byEventOrder(a: PlannedTensor, b: PlannedTensor): number {
  return SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source] || a.module.order - b.module.order
    || (a.parameter ?? '').localeCompare(b.parameter ?? '');
}
