import { MonitorchError } from '@monitorch/core';
import { nextHypers, type RunContext } from './run-context.js';

/**
 * The model's output for samples `x` (batch dimension first), computed by the current eval graph.
 * Nothing is reported: a prediction is not part of any epoch.
 *
 * @param run - the trainer's parts
 * @param x - samples, flat (left untouched: the engine gets a copy)
 * @param shape - `[N, ...sampleShape]`
 */
export async function predict(
  run: RunContext,
  x: Float32Array,
  shape: readonly number[],
): Promise<{ data: Float32Array; shape: number[] }> {
  const yInput = run.graphs.current.eval.inputs.find((i) => i.role === 'y');
  const n = shape[0] ?? 0;
  const yShape = [n, ...(yInput?.shape.slice(1) ?? [])];
  const ySize = yShape.reduce((a, b) => a * b, 1);
  const y = yInput?.dtype === 'float32' ? new Float32Array(ySize) : new Int32Array(ySize);
  // The eval graph also computes a loss; dummy labels keep it happy and it is ignored.
  const result = await run.engine.run('eval', {
    batch: { x: x.slice(), xShape: [...shape], y, yShape },
    hypers: nextHypers(run),
    wantPrediction: true,
    wantStats: false,
  });
  const p = result.prediction;
  if (p === undefined || !(p.data instanceof Float32Array)) {
    throw new MonitorchError(
      'BACKEND_FAILED',
      'The eval graph returned no float prediction. This is a bug in the graph compiler.',
    );
  }
  return { data: p.data, shape: [...p.dims] };
}
