import {
  reductionKey, reductionsFor, type AdapterReport, type ModuleInfo, type Phase, type ReductionRequest, type ReductionResult,
} from '@monitorch/core';
import type { StatOutput } from '../graph/compiled-graph.js';
import type { TensorPayload } from '../runtime/step-engine.js';

/** Turns a statistic's fetched graph outputs into a core reduction answer. */
export type StatDecoder = (stat: StatOutput, outputs: readonly TensorPayload[], batchSize: number) => ReductionResult;

interface Group {
  readonly source: StatOutput['source'];
  readonly module: ModuleInfo;
  readonly parameter: string | undefined;
  readonly shape: readonly number[];
  readonly answers: Map<string, ReductionResult>;
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
  const groups = new Map<string, Group>();
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
    const outputs: TensorPayload[] = [];
    for (const name of stat.outputs) {
      const t = fetched[name];
      if (t === undefined) break;
      outputs.push(t);
    }
    if (outputs.length !== stat.outputs.length) continue;
    let group = groups.get(tensorKey);
    if (group === undefined) {
      group = {
        source: stat.source, module: stat.module, parameter: stat.parameter,
        shape: stat.shape.map((d) => (d < 0 ? batchSize : d)), answers: new Map(),
      };
      groups.set(tensorKey, group);
    }
    group.answers.set(key, decode(stat, outputs, batchSize));
  }
  const reports: AdapterReport[] = [];
  for (const g of [...groups.values()].sort(byEventOrder)) {
    const base = { module: g.module, shape: g.shape, reductions: g.answers, phase };
    switch (g.source) {
      case 'output': reports.push({ type: 'forward', ...base }); break;
      case 'outputGradient': reports.push({ type: 'outputGradient', ...base }); break;
      case 'gradient': reports.push({ type: 'gradient', ...base, parameter: g.parameter ?? '' }); break;
      case 'update': reports.push({ type: 'update', ...base, parameter: g.parameter ?? '' }); break;
    }
  }
  return reports;
}

const SOURCE_ORDER = { output: 0, outputGradient: 1, gradient: 2, update: 3 } as const;

/** Forward outputs first (forward order), then backward quantities, as a hooked PyTorch run would. */
function byEventOrder(a: Group, b: Group): number {
  return SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source] || a.module.order - b.module.order
    || (a.parameter ?? '').localeCompare(b.parameter ?? '');
}
