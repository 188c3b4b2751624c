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
      return activeCount(data, shape, reduction);
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
    case 'sampleL2':
    case 'previousDot':
    case 'updateRatio':
    case 'singularRatio':
    case 'histogram':
      // TODO(issue 14): kernels land with the lens packages.
      throw new MonitorchError('UNSUPPORTED', `reduce: ${reduction.op} has no CPU kernel yet.`, { op: reduction.op });
    default:
      // `reduction` is `never` here: a new op in `Reduction` fails to compile until it has a case.
      return unknownReduction(reduction);
  }
}

/** The `activeCount` reductions, per channel or per neuron. */
function activeCount(
  data: TensorData,
  shape: readonly number[],
  reduction: Extract<Reduction, { op: 'activeCount' }>,
): ReductionResult {
  switch (reduction.per) {
    case 'channel':
      return activeCountPerChannel(data, shape, reduction.eps, reduction.channelsLast === true);
    case 'neuron':
      return activeCountPerNeuron(data, shape, reduction.eps);
    default:
      return unknownReduction(reduction);
  }
}

/**
 * Typed callers never get here (the argument is `never`), but requests are plain data and may
 * come from untyped code or JSON, so the run-time value still gets a typed error that lists
 * what is supported.
 */
function unknownReduction(reduction: never): never {
  const { op, per } = reduction as { op?: unknown; per?: unknown };
  throw new MonitorchError(
    'INVALID_ARGUMENT',
    `reduce: unknown reduction ${JSON.stringify({ op, per })}; use op activeCount (per channel or neuron), ` +
      'sum, sumSquares, min, max, l2 or nonFinite.',
    { op, per },
  );
}
