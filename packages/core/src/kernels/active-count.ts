import { MonitorchError } from '../errors.js';
import type { ReductionResult } from '../reduction.js';
import { checkEps } from '../lens-kit/option-checks.js';
import { checkShape, productOf, unitCounts, type TensorData } from './tensor-data.js';

/** The answer of an `activeCount` reduction (see {@link ReductionResult}). */
export type ActiveCountResult = Extract<ReductionResult, { op: 'activeCount' }>;

/**
 * Counts, per channel, the entries with |x| > eps over every (sample, position) pair.
 *
 * Layouts (row-major):
 * - `[N]`: one channel, `size = N`;
 * - `[N, C, ...spatial]` (default): channel at dim 1, `size = N · ∏spatial`;
 * - `channelsLast`: channel at the LAST dim (`[N, T, F]` → F channels, `[N, H, W, C]` → C
 *   channels), `size = N · ∏(middle dims)`. For `[N, C]` both layouts agree.
 *
 * Dividing `counts[c]` by `size` gives monitorch's per-channel activation rate (semantics §2.2,
 * §3.4). NaN and ±Infinity entries are left out: never active, counted in `nonFinite`, and — when
 * there are any — `finite[c]` says how many of channel c's entries were finite, so a rate is
 * taken over finite entries only (docs/semantics-decisions.md).
 *
 * @example
 * ```ts
 * const r = activeCountPerChannel(out, [2, 3, 2, 2], 1e-8);
 * const rates = Array.from(r.counts, (k) => k / r.size);
 * ```
 * @param data - the tensor's elements, row-major
 * @param shape - its shape; at least one dimension
 * @param eps - threshold, finite and ≥ 0; exactly `eps` is inactive
 * @param channelsLast - take the last dimension as the channel
 * @throws MonitorchError `SHAPE_MISMATCH` when `shape` does not describe `data`,
 *   `INVALID_ARGUMENT` for a bad dimension, a scalar shape or a bad `eps`
 */
export function activeCountPerChannel(
  data: TensorData,
  shape: readonly number[],
  eps: number,
  channelsLast = false,
): ActiveCountResult {
  const what = 'activeCountPerChannel';
  checkShape(data, shape, what);
  checkEps(eps, what);
  requireRank1(shape, what);
  const rank = shape.length;
  if (rank === 1) return countRows(data, 1, 1, data.length, eps);
  if (channelsLast) {
    const channels = shape[rank - 1] ?? 0;
    return countInterleaved(data, channels, productOf(shape, 0, rank - 1), eps);
  }
  const samples = shape[0] ?? 0;
  const channels = shape[1] ?? 0;
  const positions = productOf(shape, 2);
  // [N, C] is the interleaved layout; the strided loop beats runs of length 1.
  if (positions === 1) return countInterleaved(data, channels, samples, eps);
  return countRows(data, samples, channels, positions, eps);
}

/**
 * Counts, per neuron (dim 0 of a parameter-shaped tensor), the entries with |x| > eps:
 * `[out]` (a bias: 0 or 1 per unit), `[out, in]`, `[out, in, kh, kw]`, …; `size` is the number
 * of entries per neuron (`∏shape[1..]`). Used on parameter gradients (semantics §2.3).
 *
 * @param data - the tensor's elements, row-major
 * @param shape - its shape; at least one dimension
 * @param eps - threshold, finite and ≥ 0
 * @throws MonitorchError as {@link activeCountPerChannel}
 */
export function activeCountPerNeuron(data: TensorData, shape: readonly number[], eps: number): ActiveCountResult {
  const what = 'activeCountPerNeuron';
  checkShape(data, shape, what);
  checkEps(eps, what);
  requireRank1(shape, what);
  const neurons = shape[0] ?? 0;
  return countRows(data, 1, neurons, productOf(shape, 1), eps);
}

function requireRank1(shape: readonly number[], what: string): void {
  if (shape.length === 0) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${what}: a scalar (shape []) has no channel or neuron dimension; pass a shape with at least one dimension.`,
      { shape: [] },
    );
  }
}

/*
 * Hot loops. Activations are often half exact zeros in random order, so an `if` on |x| > eps
 * mispredicts half the time (measured: ~0.5 GB/s). `(Math.abs(x) > eps) | 0` compiles to a
 * branch-free compare-and-add (~3 GB/s). The fast pass also sums `x - x`, which is 0 for finite
 * x and NaN otherwise; only when that sum is not 0 (a broken tensor, rare) do we pay for a
 * second, careful pass that keeps non-finite entries out of the counts and counts each unit's
 * finite entries (the denominators of the rates).
 */

/** Layout `[outer, channels, run]`: each (outer, channel) pair owns one contiguous run. */
function countRows(data: TensorData, outer: number, channels: number, run: number, eps: number): ActiveCountResult {
  const counts = unitCounts(channels, 'activeCount');
  let poison = 0;
  let start = 0;
  for (let n = 0; n < outer; n++) {
    for (let c = 0; c < channels; c++) {
      const end = start + run;
      let active = 0;
      for (let i = start; i < end; i++) {
        const x = data[i] as number;
        active += ((Math.abs(x) > eps) as unknown as number) | 0;
        poison += x - x;
      }
      counts[c] = (counts[c] as number) + active;
      start = end;
    }
  }
  if (poison === 0) return { op: 'activeCount', counts, size: outer * run, nonFinite: 0 };
  counts.fill(0);
  const finite = new Float64Array(channels);
  let nonFinite = 0;
  let i = 0;
  for (let n = 0; n < outer; n++) {
    for (let c = 0; c < channels; c++) {
      let active = 0;
      let bad = 0;
      for (let k = 0; k < run; k++, i++) {
        const x = data[i] as number;
        if (x - x !== 0) bad++;
        else if (Math.abs(x) > eps) active++;
      }
      counts[c] = (counts[c] as number) + active;
      finite[c] = (finite[c] as number) + run - bad;
      nonFinite += bad;
    }
  }
  return { op: 'activeCount', counts, size: outer * run, nonFinite, finite };
}

/** Elements per block of the interleaved loop: the block stays in L1 while each channel walks it. */
const BLOCK_ELEMENTS = 4096;

/**
 * Layout `[positions, channels]`: channels interleaved. Adding straight into `counts[c]` per
 * element chains every add through memory when C is small (~1 GB/s for C = 1). Instead, walk
 * the tensor in L1-sized blocks and, per channel, stride through the block into a register.
 */
function countInterleaved(data: TensorData, channels: number, positions: number, eps: number): ActiveCountResult {
  const counts = unitCounts(channels, 'activeCount');
  const n = data.length;
  const step = Math.max(1, Math.floor(BLOCK_ELEMENTS / Math.max(1, channels))) * channels;
  let poison = 0;
  for (let block = 0; block < n; block += step) {
    const end = Math.min(n, block + step);
    for (let c = 0; c < channels; c++) {
      let active = 0;
      for (let i = block + c; i < end; i += channels) {
        const x = data[i] as number;
        active += ((Math.abs(x) > eps) as unknown as number) | 0;
        poison += x - x;
      }
      counts[c] = (counts[c] as number) + active;
    }
  }
  if (poison === 0) return { op: 'activeCount', counts, size: positions, nonFinite: 0 };
  counts.fill(0);
  const finite = new Float64Array(channels);
  let nonFinite = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const x = data[i] as number;
    if (x - x !== 0) nonFinite++;
    else {
      finite[c] = (finite[c] as number) + 1;
      if (Math.abs(x) > eps) counts[c] = (counts[c] as number) + 1;
    }
    if (++c === channels) c = 0;
  }
  return { op: 'activeCount', counts, size: positions, nonFinite, finite };
}
