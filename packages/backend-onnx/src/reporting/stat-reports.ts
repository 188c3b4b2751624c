import {
  reductionKey,
  tensorReport,
  type AdapterReport,
  type ModuleInfo,
  type Phase,
  type ReductionResult,
} from '@monitorch/core';
import type { StatOutput } from '../graph/compiled-graph.js';
import { statParts, type FetchedTensor } from '../graph/decode-stat.js';

/** Turns a statistic's fetched graph outputs into a core reduction answer. */
export type StatDecoder = (stat: StatOutput, outputs: readonly FetchedTensor[], batchSize: number) => ReductionResult;

/** One reported tensor: its statistics that the requests want, decoded each step. */
interface ReportedTensor {
  readonly source: StatOutput['source'];
  readonly module: ModuleInfo;
  readonly parameter: string | undefined;
  readonly shape: readonly number[];
  readonly stats: { readonly key: string; readonly stat: StatOutput }[];
  /** The shape with the batch filled in, for the last batch size seen (one array, not one a step). */
  batchShape?: { readonly batchSize: number; readonly shape: readonly number[] };
}

/** The reports of one (graph statistics, phase): which tensors, and the packed outputs they read. */
interface ReportLayout {
  readonly tensors: readonly ReportedTensor[];
  /** Packed outputs that the laid-out statistics read: widened to float64 once per run. */
  readonly packedOutputs: readonly string[];
}

/**
 * Which statistics each tensor reports and in what order depends only on the graph's
 * statistics and the phase — not on the step. Laid out once per combination instead of on
 * every step of the hot loop. The graph compiler already decided which statistics each phase
 * wants (`StatOutput.phases`); the Inspector routes each report to the lenses that asked.
 */
const layouts = new WeakMap<readonly StatOutput[], Map<Phase, ReportLayout>>();

function layoutFor(stats: readonly StatOutput[], phase: Phase): ReportLayout {
  let byPhase = layouts.get(stats);
  if (byPhase === undefined) layouts.set(stats, (byPhase = new Map<Phase, ReportLayout>()));
  const cached = byPhase.get(phase);
  if (cached !== undefined) return cached;
  const tensors = new Map<string, ReportedTensor>();
  for (const stat of stats) {
    if (!(stat.phases ?? [stat.phase]).includes(phase)) continue;
    const tensorKey = `${stat.source}\u0000${stat.module.name}\u0000${stat.parameter ?? ''}`;
    let tensor = tensors.get(tensorKey);
    if (tensor === undefined) {
      tensor = { source: stat.source, module: stat.module, parameter: stat.parameter, shape: stat.shape, stats: [] };
      tensors.set(tensorKey, tensor);
    }
    tensor.stats.push({ key: reductionKey(stat.reduction), stat });
  }
  const ordered = [...tensors.values()].sort(byEventOrder);
  const packedOutputs = new Set<string>();
  for (const t of ordered)
    for (const { stat } of t.stats) if (stat.packed !== undefined) packedOutputs.add(stat.packed.output);
  const layout = { tensors: ordered, packedOutputs: [...packedOutputs] };
  byPhase.set(phase, layout);
  return layout;
}

/** `fetched` with each packed output widened to float64 once, so every count decoded from it is a view, not a copy. */
function widenPacked(
  fetched: Readonly<Record<string, FetchedTensor>>,
  names: readonly string[],
): Readonly<Record<string, FetchedTensor>> {
  if (names.length === 0) return fetched;
  const out: Record<string, FetchedTensor> = { ...fetched };
  for (const name of names) {
    const t = fetched[name];
    if (t !== undefined && t.data instanceof Float32Array) out[name] = { data: new Float64Array(t.data), dims: t.dims };
  }
  return out;
}

function shapeFor(tensor: ReportedTensor, batchSize: number): readonly number[] {
  if (tensor.batchShape?.batchSize !== batchSize) {
    tensor.batchShape = { batchSize, shape: tensor.shape.map((d) => (d < 0 ? batchSize : d)) };
  }
  return tensor.batchShape.shape;
}

/**
 * Builds the forward / outputGradient / gradient / update reports of one graph run: one report
 * per (tensor), carrying every requested reduction of it. Only statistics the compiler made
 * for `phase` are reported; which lens receives a report is the Inspector's routing.
 *
 * @param stats - the graph's statistic declarations
 * @param fetched - fetched stat outputs by graph output name
 * @param phase - the phase of this run
 * @param batchSize - samples in the batch (fills the `-1` batch dimension of shapes)
 * @param decode - output decoder of the graph compiler
 */
export function statReports(
  stats: readonly StatOutput[],
  fetched: Readonly<Record<string, FetchedTensor>>,
  phase: Phase,
  batchSize: number,
  decode: StatDecoder,
): AdapterReport[] {
  const reports: AdapterReport[] = [];
  const layout = layoutFor(stats, phase);
  const wide = widenPacked(fetched, layout.packedOutputs);
  for (const tensor of layout.tensors) {
    const answers = new Map<string, ReductionResult>();
    for (const { key, stat } of tensor.stats) {
      if (!fetchedAll(stat, wide)) continue;
      answers.set(key, decode(stat, statParts(stat, wide), batchSize));
    }
    if (answers.size === 0) continue;
    reports.push(
      tensorReport(tensor.source, tensor.module, tensor.parameter, shapeFor(tensor, batchSize), answers, phase),
    );
  }
  return reports;
}

/** Whether every output a statistic reads was fetched (a run without statistics fetches none). */
function fetchedAll(stat: StatOutput, fetched: Readonly<Record<string, FetchedTensor>>): boolean {
  if (stat.packed !== undefined) return fetched[stat.packed.output] !== undefined;
  for (const name of stat.outputs) if (fetched[name] === undefined) return false;
  return true;
}

const SOURCE_ORDER = { output: 0, outputGradient: 1, gradient: 2, update: 3, parameter: 4 } as const;

/** Forward outputs first (forward order), then backward quantities, as a hooked PyTorch run would. */
function byEventOrder(a: ReportedTensor, b: ReportedTensor): number {
  return (
    SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source] ||
    a.module.order - b.module.order ||
    compareText(a.parameter ?? '', b.parameter ?? '')
  );
}

/** Code-unit order: the same everywhere (no locale), and free of `localeCompare`'s ~30 ms first call. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
