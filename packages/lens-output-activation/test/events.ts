// Test helper (not a test file): builds forward events the way an adapter would, with the
// real CPU kernels answering the lens's own requests.
import { reduce, reductionKey, type ForwardEvent, type Lens, type ModuleInfo, type ModuleKind, type ReductionResult } from '@monitorch/core';

/** A module description for hand-built events. */
export function moduleInfo(name: string, order: number, kind: ModuleKind = 'activation'): ModuleInfo {
  return { name, kind, type: kind === 'activation' ? 'ReLU' : kind, parameters: [], order };
}

/** A forward event whose answers are computed by core `reduce` for every request of `lens`. */
export function forwardEvent(
  lens: Lens,
  module: ModuleInfo,
  data: readonly number[] | Float32Array,
  shape: readonly number[],
  stamp: { epoch?: number; phase?: string } = {},
): ForwardEvent {
  const tensor = data instanceof Float32Array ? data : Float32Array.from(data);
  const reductions = new Map<string, ReductionResult>();
  for (const r of lens.requests) reductions.set(reductionKey(r.reduction), reduce(tensor, shape, r.reduction));
  return { type: 'forward', module, shape, reductions, epoch: stamp.epoch ?? 1, step: 0, phase: stamp.phase ?? 'train' };
}
