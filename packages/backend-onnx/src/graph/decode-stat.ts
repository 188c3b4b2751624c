import { MonitorchError, type ReductionResult } from '@monitorch/core';
import { assertNever } from './assert-never.js';
import type { StatOutput } from './compiled-graph.js';
import { activeSize } from './count-ops.js';

/** A fetched graph output: its elements and dims (an ORT tensor or a plain payload). */
export interface FetchedTensor {
  /** The elements, row-major. */
  readonly data: ArrayLike<number | bigint>;
  /** The shape. */
  readonly dims: readonly number[];
}

function scalar(t: FetchedTensor | undefined, stat: StatOutput): number {
  if (t === undefined || t.data.length < 1) {
    throw new MonitorchError(
      'BACKEND_FAILED',
      `Statistic output missing for ${stat.outputs.join(', ')}; fetch every name in stat.outputs.`,
      { outputs: stat.outputs },
    );
  }
  return Number(t.data[0]);
}

/**
 * Counts as float64. A Float64Array is used as it is (the trainer widens a step's packed
 * statistics once and decodes views of it); other arrays are copied, typed ones by the
 * typed-array constructor: `Float64Array.from(data, Number)` went through the iterator and a
 * call per element and was 90 % of the trainer's per-step reporting time.
 */
function toFloat64(data: FetchedTensor['data']): Float64Array {
  if (data instanceof Float64Array) return data;
  if (data instanceof Float32Array || data instanceof Int32Array) return new Float64Array(data);
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

/**
 * Reads one statistic's fetched outputs (in the order of `stat.outputs`) as the core
 * `ReductionResult` that `reduce` from `@monitorch/core` returns for the same tensor. Counts
 * given as a Float64Array become the answer's `counts` without a copy.
 *
 * @param stat - the statistic declaration
 * @param outputs - its fetched outputs, in `stat.outputs` order
 * @param batchSize - the batch size of the run (fills the `-1` dimension of `stat.shape`)
 */
export function decodeStat(stat: StatOutput, outputs: readonly FetchedTensor[], batchSize: number): ReductionResult {
  const r = stat.reduction;
  switch (r.op) {
    case 'activeCount': {
      const counts = outputs[0];
      if (counts === undefined) return scalar(undefined, stat) as never;
      const shape = stat.shape.map((d) => (d < 0 ? batchSize : d));
      const nonFinite = scalar(outputs[1], stat);
      const answer = {
        op: 'activeCount',
        counts: toFloat64(counts.data),
        size: activeSize(r, shape),
        nonFinite,
      } as const;
      // The per-unit finite counts are the rates' denominators only when some entry is not
      // finite; otherwise they may be the gate's zeros, and core's kernels leave them out too.
      const finite = outputs[2];
      if (nonFinite === 0 || finite === undefined) return answer;
      return { ...answer, finite: toFloat64(finite.data) };
    }
    case 'sum':
    case 'sumSquares':
    case 'l2':
      return { op: r.op, value: scalar(outputs[0], stat) };
    case 'min':
    case 'max':
      // ORT's ReduceMin/Max may skip NaN; core answers NaN when any entry is NaN.
      return { op: r.op, value: scalar(outputs[1], stat) > 0 ? Number.NaN : scalar(outputs[0], stat) };
    case 'nonFinite':
      return { op: 'nonFinite', nan: scalar(outputs[0], stat), inf: scalar(outputs[1], stat) };
    case 'sampleL2':
    case 'updateRatio':
      return { op: r.op, value: scalar(outputs[0], stat) };
    case 'previousDot': {
      const previousNorm = scalar(outputs[2], stat);
      // No previous tensor (zero state): dot 0 as core answers, even when x holds NaN (0·NaN).
      const dot = previousNorm === 0 ? 0 : scalar(outputs[0], stat);
      return { op: 'previousDot', dot, norm: scalar(outputs[1], stat), previousNorm };
    }
    case 'histogram':
      return decodeHistogram(stat, outputs[0], r.bins);
    case 'singularRatio':
      throw new MonitorchError(
        'UNSUPPORTED',
        'No step graph computes singularRatio: the trainer reduces parameter snapshots on the host.',
        { op: r.op },
      );
    default:
      return assertNever(r);
  }
}

/** The graph's histogram vector `[below, bins…, above, nonFinite]` as core's answer. */
function decodeHistogram(stat: StatOutput, part: FetchedTensor | undefined, bins: number): ReductionResult {
  if (part === undefined || part.data.length !== bins + 3) {
    throw new MonitorchError(
      'BACKEND_FAILED',
      `Histogram output ${stat.outputs.join(', ')} has ${part?.data.length ?? 0} entries, expected ${bins + 3} (below, ${bins} bins, above, non-finite). The outputs belong to a different graph.`,
      { outputs: stat.outputs },
    );
  }
  const all = toFloat64(part.data);
  return {
    op: 'histogram',
    counts: all.slice(1, bins + 1),
    below: all[0] as number,
    above: all[bins + 1] as number,
    nonFinite: all[bins + 2] as number,
  };
}

/**
 * A statistic's parts (in `stat.outputs` order) from a fetched-outputs record: the outputs of
 * those names, or views of the packed output when the statistic travels packed.
 *
 * @param stat - the statistic declaration
 * @param fetched - fetched graph outputs by name
 * @throws MonitorchError `BACKEND_FAILED` when an output is missing or too short
 */
export function statParts(stat: StatOutput, fetched: Readonly<Record<string, FetchedTensor>>): FetchedTensor[] {
  const names = stat.packed === undefined ? stat.outputs : [stat.packed.output];
  const tensors = names.map((name) => {
    const t = fetched[name];
    if (t === undefined) {
      throw new MonitorchError(
        'BACKEND_FAILED',
        `Statistic output "${name}" was not fetched; fetch every stat output the graph declares.`,
        { name },
      );
    }
    return t;
  });
  if (stat.packed === undefined) return tensors;
  const data = (tensors[0] as FetchedTensor).data;
  return stat.packed.slices.map(([offset, length]) => {
    if (offset + length > data.length) {
      throw new MonitorchError(
        'BACKEND_FAILED',
        `Packed statistic output "${names[0]}" has ${data.length} entries; ${stat.outputs.join(', ')} need ${offset + length}. The outputs belong to a different graph.`,
        { name: names[0] },
      );
    }
    return { data: slice(data, offset, length), dims: [length] };
  });
}

function slice(data: FetchedTensor['data'], offset: number, length: number): FetchedTensor['data'] {
  if (ArrayBuffer.isView(data)) return (data as Float32Array).subarray(offset, offset + length);
  return Array.prototype.slice.call(data, offset, offset + length) as number[];
}

/** {@link decodeStat} with outputs looked up by name in a fetched-outputs record (see {@link statParts}). */
export function decodeStatFrom(
  stat: StatOutput,
  fetched: Readonly<Record<string, FetchedTensor>>,
  batchSize: number,
): ReductionResult {
  return decodeStat(stat, statParts(stat, fetched), batchSize);
}
