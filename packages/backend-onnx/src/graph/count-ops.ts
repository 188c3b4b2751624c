import type { Reduction } from '@monitorch/core';
import type { GraphBuilder } from '../onnx/graph-builder.js';

/** An `activeCount` reduction. */
export type ActiveCount = Extract<Reduction, { op: 'activeCount' }>;

/** Ops whose every output entry is ≥ 0 or NaN, so |x| is x itself and no `Abs` is needed. */
const NON_NEGATIVE_OPS = new Set(['Relu', 'Softmax', 'Sigmoid', 'Abs']);

/** The largest float32 ≤ eps: comparing float32 |x| > it is exactly |x| > eps in float64. */
export function float32Threshold(eps: number): number {
  const f = Math.fround(eps);
  if (f <= eps) return f;
  const buf = new Float32Array([f]);
  const bits = new Uint32Array(buf.buffer);
  bits[0] = (bits[0] as number) - 1; // eps ≥ 0, so the previous float is one ulp down
  return buf[0] as number;
}

/** |x| as a graph tensor: `x` itself when a ReLU, softmax or sigmoid made it, else `Abs(x)`. */
export function magnitude(g: GraphBuilder, x: string): string {
  return NON_NEGATIVE_OPS.has(g.producer(x) ?? '') ? x : g.op1('Abs', [x]);
}

/** `|x| > eps` as a bool tensor (true for ±Infinity, false for NaN). */
export function aboveThreshold(b: GraphBuilder, magnitudeOfX: string, rank: number, r: ActiveCount): string {
  return b.op1('Greater', [magnitudeOfX, b.scalar(float32Threshold(r.eps), rank)]);
}

/** Counts the true entries of a bool mask: one float32 scalar. */
export function countTrue(b: GraphBuilder, mask: string): string {
  return b.op1('ReduceSum', [b.op1('Cast', [mask], { to: 1 })], { keepdims: 0 });
}

/** Sums a bool activity mask into one count per channel or neuron, like core's kernels. */
export function countPerUnit(b: GraphBuilder, mask: string, shape: readonly number[], r: ActiveCount): string {
  const active = b.op1('Cast', [mask], { to: 1 });
  const rank = shape.length;
  const range = (from: number, to: number): number[] =>
    Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
  if (r.per === 'neuron') {
    return rank === 1 ? active : b.op1('ReduceSum', [active, b.constI64(range(1, rank))], { keepdims: 0 });
  }
  if (rank === 1) return b.op1('ReduceSum', [active, b.constI64([0])], { keepdims: 1 });
  const axes = r.channelsLast === true ? range(0, rank - 1) : [0, ...range(2, rank)];
  return b.op1('ReduceSum', [active, b.constI64(axes)], { keepdims: 0 });
}

/** Which units an `activeCount` counts over: equal layouts give equal per-unit finite counts. */
export function unitLayout(r: ActiveCount): string {
  return r.per === 'neuron' ? 'neuron' : r.channelsLast === true ? 'channel:last' : 'channel';
}

/**
 * How many counts an `activeCount` of a tensor of `shape` gives (the length of
 * {@link countPerUnit}'s output); negative when that is the batch size, unknown until a run.
 */
export function unitCount(r: ActiveCount, shape: readonly number[]): number {
  const rank = shape.length;
  if (r.per === 'neuron') return shape[0] as number;
  if (rank === 1) return 1;
  return shape[r.channelsLast === true ? rank - 1 : 1] as number;
}

/** Entries each `activeCount` is taken over, for a concrete shape (core kernels' `size`). */
export function activeSize(r: ActiveCount, shape: readonly number[]): number {
  const prod = (from: number, to: number): number => shape.slice(from, to).reduce((a, b) => a * b, 1);
  const rank = shape.length;
  if (r.per === 'neuron') return prod(1, rank);
  if (rank === 1) return shape[0] as number;
  if (r.channelsLast === true) return prod(0, rank - 1);
  return (shape[0] as number) * prod(2, rank);
}
