import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { GraphInput, GraphOutput } from './compiled-graph.js';

/** The graph inputs and outputs of one tensor's `previousDot` state. */
export interface PreviousDotState {
  /** The inputs the engine feeds (the previous tensor, its norm). */
  readonly inputs: readonly GraphInput[];
  /** The outputs that replace them after an applied step. */
  readonly outputs: readonly GraphOutput[];
}

/** The graph values of one `previousDot`: ⟨prev, x⟩, ‖x‖₂, ‖prev‖₂, and the state to carry. */
export interface PreviousDotParts {
  readonly dot: string;
  readonly norm: string;
  readonly previousNorm: string;
  readonly state: PreviousDotState;
}

/**
 * `previousDot` of tensor `x` against the same tensor's previous watched value, carried from
 * step to step like the optimizer's moments: the previous tensor and its norm are graph inputs
 * (role `geometryState`), and `x` and `‖x‖₂` are outputs (role `geometryStateNew`) that the
 * engine feeds back at the next run of a graph that watches `x`. Carrying the norm saves a pass
 * over the previous tensor. The engine starts from zeros (so `‖prev‖₂ = 0`: no correlation yet)
 * and starts again from zeros whenever `x`'s shape changes (the last, smaller batch of an epoch);
 * a step whose update was skipped (non-finite loss or gradient) leaves the state as it was.
 *
 * Cost: one `Mul` + `ReduceSum` over `x` (the norm is shared with an `l2` of the same tensor);
 * memory: one copy of `x` held between steps.
 *
 * @param g - the graph
 * @param name - the state's name stem (unique per tensor: `geom.<source>.<module>[.<parameter>]`)
 * @param x - the tensor
 * @param shape - its shape (`-1` for the batch)
 * @param norm - `‖x‖₂` as a graph scalar
 */
export function previousDot(
  g: GraphBuilder,
  name: string,
  x: string,
  shape: readonly number[],
  norm: string,
): PreviousDotParts {
  const prev = g.input(`${name}.prev`, 'float32', shape);
  const prevNorm = g.input(`${name}.prevNorm`, 'float32', []);
  const dot = g.op1('ReduceSum', [g.op1('Mul', [prev, x])], { keepdims: 0 });
  // The tensor leaves the graph under its own name where it can: ONNX Runtime keeps an Identity
  // that renames a graph output, and that Identity copies the whole tensor (5.6 ms a step for
  // the seed CNN's output gradients, profiled). Graph inputs and outputs get a renamed copy.
  const carried = g.producer(x) !== undefined && !g.isOutput(x) ? x : g.rename(x, `${name}.prev.new`);
  g.output(carried);
  g.output(g.rename(norm, `${name}.prevNorm.new`));
  const group = name;
  return {
    dot,
    norm,
    // An Identity: the input fed is an output of its own, so the decoded part is the fed norm.
    previousNorm: g.op1('Identity', [prevNorm]),
    state: {
      inputs: [
        { name: prev, role: 'geometryState', dtype: 'float32', shape: [...shape], stateGroup: group },
        { name: prevNorm, role: 'geometryState', dtype: 'float32', shape: [], stateGroup: group },
      ],
      outputs: [
        { name: carried, role: 'geometryStateNew', feeds: prev },
        { name: `${name}.prevNorm.new`, role: 'geometryStateNew', feeds: prevNorm },
      ],
    },
  };
}
