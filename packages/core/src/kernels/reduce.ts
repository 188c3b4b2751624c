import { MonitorchError } from '../errors.js';
import type { Reduction, ReductionResult } from '../reduction.js';
import { activeCountPerChannel, activeCountPerNeuron } from './active-count.js';
import { max, min } from './extremes.js';
import { l2, sum, sumSquares } from './moments.js';
import { nonFinite } from './non-finite.js';
import type { TensorData } from './tensor-data.js';

/**
 * Computes one {@link Reduction} of a tensor on the CPU. This is the reference every backend
 * is tested against, and what the loop adapter runs on the tensors a hand-written loop passes.
 *
 * @example
 * ```ts
 * const r = reduce(out, [64, 32, 28, 28], { op: 'activeCount', per: 'channel', eps: 1e-8 });
 * if (r.op === 'activeCount') console.log(r.counts[0] / r.size);
 * ```
 * @param data - the tensor's elements, row-major
 * @param shape - its shape
 * @param reduction - what to compute
 * @returns the answer, tagged with the same `op`
 * @throws MonitorchError `SHAPE_MISMATCH` / `INVALID_ARGUMENT` (see the individual kernels)
 */
export function reduce(data: TensorData, shape: readonly number[], reduction: Reduction): ReductionResult {
  switch (reduction.op) {
    case 'activeCount':
      if (reduction.per === 'channel') {
        return activeCountPerChannel(data, shape, reduction.eps, reduction.channelsLast === true);
      }
      if (reduction.per === 'neuron') return activeCountPerNeuron(data, shape, reduction.eps);
      break;
    case 'sum':
      return { op: 'sum', value: sum(data, shape) };
    case 'sumSquares':
      return { op: 'sumSquares', value: sumSquares(data, shape) };
    case 'min':
      return { op: 'min', value: min(data, shape) };
    case 'max':
      return { op: 'max', value: max(data, shape) };
    case 'l2':
      return { op: 'l2', value: l2(data, shape) };
    case 'nonFinite': {
      const { nan, inf } = nonFinite(data, shape);
      return { op: 'nonFinite', nan, inf };
    }
  }
  // Requests are plain data and may come from untyped code.
  const { op, per } = reduction as { op?: unknown; per?: unknown };
  throw new MonitorchError(
    'INVALID_ARGUMENT',
    `reduce: unknown reduction ${JSON.stringify({ op, per })}; use op activeCount (per channel or neuron), ` +
      'sum, sumSquares, min, max, l2 or nonFinite.',
    { op, per },
  );
}
