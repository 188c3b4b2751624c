import type { GraphBuilder } from './graph-builder.js';

/**
 * The sum of `terms` as a chain of `Add` nodes, left to right: `((a + b) + c) + …`.
 *
 * ONNX `Sum` would do the same in one node, but the WebGPU execution provider has no `Sum`
 * kernel, so ORT would place it on the CPU and copy its operands across on every step. `Add`
 * runs everywhere, and ORT's CPU `Sum` accumulates in this same order, so the CPU numbers do
 * not change.
 *
 * @param g - the graph
 * @param terms - at least one tensor name (one is returned as is)
 */
export function addAll(g: GraphBuilder, terms: readonly string[]): string {
  const [first, ...rest] = terms;
  if (first === undefined) throw new Error('addAll needs at least one term.');
  return rest.reduce((total, term) => g.op1('Add', [total, term]), first);
}
