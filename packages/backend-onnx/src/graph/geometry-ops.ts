import type { GraphBuilder } from '../onnx/graph-builder.js';

/**
 * `x` with NaN in place of its value when `x` is not finite: `x + (x − x)`, as `x − x` is 0 for a
 * finite `x` and NaN for NaN or ±Infinity. Norms of tensors holding NaN or ±Infinity become NaN
 * this way, as core's kernels answer (an Infinity entry would otherwise give an infinite norm).
 */
export function nanUnlessFinite(g: GraphBuilder, x: string): string {
  return g.op1('Add', [x, g.op1('Sub', [x, x])]);
}

/**
 * `sampleL2`: the batch mean of the per-sample Euclidean norms of a batch-first tensor,
 * `mean_b ‖x[b]‖₂` — one `ReduceL2` over the non-batch axes and a `ReduceMean` of the N norms.
 * A rank-1 tensor's samples are its entries (`mean_b |x[b]|`).
 *
 * @param g - the graph
 * @param x - the tensor
 * @param rank - its rank
 * @returns a float32 scalar; NaN when an entry is NaN or ±Infinity
 */
export function sampleL2(g: GraphBuilder, x: string, rank: number): string {
  const perSample =
    rank <= 1
      ? g.op1('Abs', [x])
      : g.op1('ReduceL2', [x, g.constI64(Array.from({ length: rank - 1 }, (_, k) => k + 1))], { keepdims: 0 });
  return nanUnlessFinite(g, g.op1('ReduceMean', [perSample], { keepdims: 0 }));
}

/**
 * `updateRatio`: `‖ΔP‖₂ / ‖P‖₂` of one optimizer step, `P` the parameter the step started from
 * (the train graph's parameter input). Scalar work only once both norms exist: the update's
 * norm is shared with an `l2` statistic of the same update.
 *
 * @param g - the graph
 * @param updateNorm - `‖ΔP‖₂`, a float32 scalar
 * @param parameter - the parameter tensor before the step
 * @returns a float32 scalar (+Infinity for a zero parameter with a non-zero update, NaN for 0/0
 *   or a non-finite entry)
 */
export function updateRatio(g: GraphBuilder, updateNorm: string, parameter: string): string {
  const parameterNorm = g.op1('ReduceL2', [parameter], { keepdims: 0 });
  return g.op1('Div', [nanUnlessFinite(g, updateNorm), parameterNorm]);
}
