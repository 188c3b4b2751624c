import { MonitorchError } from '../errors.js';
import type { Reduction, ReductionResult } from '../reduction.js';
import { activeCountPerChannel, activeCountPerNeuron } from './active-count.js';
import { max, min } from './extremes.js';
import { l2, sum, sumSquares } from './moments.js';
import { nonFinite } from './non-finite.js';
import { histogram } from './histogram.js';
import { previousDot } from './previous-dot.js';
import { sampleL2 } from './sample-l2.js';
import { singularRatio } from './singular-ratio.js';
import type { TensorData } from './tensor-data.js';
import { updateRatio } from './update-ratio.js';

/**
 * What some reductions need besides the tensor itself; the caller (an adapter) keeps it.
 */
export interface ReduceContext {
  /** `previousDot`: the same tensor's previous watched report, of the same shape (none → previousNorm 0). */
  readonly previous?: TensorData;
  /** `updateRatio`: the parameter before the step the update belongs to (same shape). */
  readonly parameter?: TensorData;
}

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
 * @param context - the previous tensor (`previousDot`) or the parameter before the step (`updateRatio`)
 * @returns the answer, tagged with the same `op`
 * @throws MonitorchError `SHAPE_MISMATCH` / `INVALID_ARGUMENT` (see the individual kernels);
 *   `INVALID_ARGUMENT` for `updateRatio` without `context.parameter`
 */
export function reduce(
  data: TensorData,
  shape: readonly number[],
  reduction: Reduction,
  context: ReduceContext = {},
): ReductionResult {
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
      return { op: 'sampleL2', value: sampleL2(data, shape) };
    case 'previousDot':
      return { op: 'previousDot', ...previousDot(data, shape, context.previous) };
    case 'updateRatio':
      return { op: 'updateRatio', value: updateRatio(data, shape, requireParameter(context.parameter)) };
    case 'singularRatio':
      return { op: 'singularRatio', ...singularRatio(data, shape) };
    case 'histogram':
      return { op: 'histogram', ...histogram(data, shape, reduction.lo, reduction.hi, reduction.bins) };
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

function requireParameter(parameter: TensorData | undefined): TensorData {
  if (parameter !== undefined) return parameter;
  throw new MonitorchError(
    'INVALID_ARGUMENT',
    'reduce: updateRatio needs the parameter before the step (context.parameter); pass it, or ask only for ' +
      'the reductions an update alone answers.',
    { op: 'updateRatio' },
  );
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
      'sum, sumSquares, min, max, l2, nonFinite, sampleL2, previousDot, updateRatio, singularRatio or histogram.',
    { op, per },
  );
}
