// Test helper (not a test file): builds gradient events the way an adapter would, with the
// real CPU kernels answering the lens's own requests.
import { reduce, reductionKey, type GradientEvent, type Lens, type ModuleInfo, type ModuleKind, type ReductionResult } from '@monitorch/core';

/** A module owning the given parameters (shapes are informative here). */
export function moduleInfo(name: string, order: number, parameters: readonly string[] = ['weight', 'bias'], kind: ModuleKind = 'linear'): ModuleInfo {
  return { name, kind, type: kind, parameters: parameters.map((p) => ({ name: p, shape: [] })), order };
}

/** A gradient event whose answers are computed by core `reduce` for every request of `lens`. */
export function gradientEvent(
  lens: Lens,
  module: ModuleInfo,
  parameter: string,
  data: readonly number[],
  shape: readonly number[],
  phase = 'train',
): GradientEvent {
  const tensor = Float32Array.from(data);
  const reductions = new Map<string, ReductionResult>();
  for (const r of lens.requests) reductions.set(reductionKey(r.reduction), reduce(tensor, shape, r.reduction));
  return { type: 'gradient', module, parameter, shape, reductions, epoch: 1, step: 0, phase };
}
