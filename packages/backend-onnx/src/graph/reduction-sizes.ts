import type { Reduction } from '@monitorch/core';
import { assertNever } from './assert-never.js';
import { activeSize, unitCount } from './count-ops.js';
import { histogramSlots } from './histogram-op.js';

// How big each reduction's graph outputs are, op by op. Each rule lists every op of core's
// `Reduction` and ends in `assertNever`, so adding an op there fails to compile here until the
// op's sizes are stated — a missing op never silently gets length 1.

/**
 * `StatOutput.sizePerSample` of a reduction over a batched tensor: the entries an
 * `activeCount` is taken over for one sample. Every op is listed, so a new op decides whether its
 * answer needs it.
 */
export function sizePerSample(r: Reduction, shape: readonly number[]): number | undefined {
  const batched = shape[0] !== undefined && shape[0] < 0;
  const oneSample = shape.map((d) => (d < 0 ? 1 : d));
  switch (r.op) {
    case 'activeCount':
      return batched ? activeSize(r, oneSample) : undefined;
    case 'sum':
    case 'sumSquares':
    case 'l2':
    case 'min':
    case 'max':
    case 'nonFinite':
    case 'sampleL2':
    case 'previousDot':
    case 'updateRatio':
    case 'singularRatio':
    case 'histogram':
      return undefined;
    default:
      return assertNever(r);
  }
}

/**
 * The element count of part `part` of a reduction's outputs (in the order `StatBuilder`
 * builds them), or `undefined` when it depends on the batch size (then the part cannot travel
 * packed). Every op is listed: a new op must say how long its parts are.
 */
export function partLength(r: Reduction, shape: readonly number[], part: number): number | undefined {
  switch (r.op) {
    case 'activeCount': {
      if (part === 1) return 1; // the non-finite count
      // part 0: the active counts, part 2: the finite counts, one per unit each
      const units = unitCount(r, shape);
      return units >= 0 ? units : undefined;
    }
    case 'sum':
    case 'sumSquares':
    case 'l2':
    case 'min':
    case 'max':
    case 'nonFinite':
    case 'sampleL2':
    case 'updateRatio':
    case 'previousDot':
      return 1; // scalars: a value, a NaN count, an Infinity count; previousDot's dot, norm, previous norm
    case 'histogram':
      return histogramSlots(r); // one vector: below, the bins, above, non-finite
    case 'singularRatio':
      return undefined; // no step graph computes it (parameter snapshots are reduced on the host)
    default:
      return assertNever(r);
  }
}
