import type { GraphBuilder } from './graph-builder.js';

/**
 * Most inputs one `Concat` node gets. WebGPU binds every input and the output of a kernel as a
 * storage buffer, and a device need only allow 8 per shader stage (SwiftShader, and many GPUs,
 * allow no more): onnxruntime-web's WebGPU Concat of 34 statistics failed to build its pipeline.
 */
export const MAX_CONCAT_INPUTS = 7;

/**
 * Concatenates `parts` along `axis` with Concat nodes of at most {@link MAX_CONCAT_INPUTS}
 * inputs each (a tree of them when there are more): the same tensor as one Concat, on every
 * execution provider.
 *
 * @param g - the graph
 * @param parts - at least one tensor name (one is returned as is)
 * @param axis - the axis to concatenate along
 */
export function concatAll(g: GraphBuilder, parts: readonly string[], axis: number): string {
  if (parts.length === 0) throw new Error('concatAll needs at least one part.');
  let level = [...parts];
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += MAX_CONCAT_INPUTS) {
      const group = level.slice(i, i + MAX_CONCAT_INPUTS);
      next.push(group.length === 1 ? (group[0] as string) : g.op1('Concat', group, { axis }));
    }
    level = next;
  }
  return level[0] as string;
}
