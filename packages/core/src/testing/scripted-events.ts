import type { GradientEvent, OutputEvent, TensorEvent } from '../events.js';
import { tensorReport } from '../events.js';
import { reduce } from '../kernels/reduce.js';
import type { Lens } from '../lens.js';
import type { ModuleInfo, ModuleKind } from '../module-info.js';
import type { Phase } from '../phase.js';
import { reductionKey, type ReductionRequest, type ReductionResult, type TensorSource } from '../reduction.js';
import { LensRoutes } from '../routing/lens-routes.js';

/** Where a scripted event sits in the run. */
export interface EventStampOptions {
  /** Epoch (default 1). */
  readonly epoch?: number;
  /** Optimizer step (default 0). */
  readonly step?: number;
  /** Phase (default `train`). */
  readonly phase?: Phase;
}

/** What {@link moduleInfo} may set besides the name and the order. */
export interface ModuleInfoOptions {
  /** Module kind (default `activation`). */
  readonly kind?: ModuleKind;
  /** Layer class (default: `ReLU` for activations, else the kind). */
  readonly type?: string;
  /** Parameter names the module owns (default none). */
  readonly parameters?: readonly string[];
}

/**
 * A module description for scripted events.
 *
 * @param name - full module name
 * @param order - its place in forward order
 */
export function moduleInfo(name: string, order: number, options: ModuleInfoOptions = {}): ModuleInfo {
  const kind = options.kind ?? 'activation';
  return {
    name,
    kind,
    order,
    type: options.type ?? (kind === 'activation' ? 'ReLU' : kind),
    parameters: (options.parameters ?? []).map((p) => ({ name: p, shape: [] })),
  };
}

/**
 * A tensor event as an adapter would report it, its answers computed by core `reduce` (the
 * reference kernels) for every reduction that `requests` (or a lens's requests) name.
 *
 * @param source - which tensor
 * @param requests - a lens, or the requests whose reductions to answer
 * @param module - the module the tensor belongs to
 * @param parameter - the parameter (for `gradient` and `update`)
 * @param data - the tensor's entries, row-major
 * @param shape - its shape
 */
export function tensorEvent(
  source: TensorSource,
  requests: Lens | readonly ReductionRequest[],
  module: ModuleInfo,
  parameter: string | undefined,
  data: readonly number[] | Float32Array | Float64Array,
  shape: readonly number[],
  stamp: EventStampOptions = {},
): TensorEvent {
  const tensor = data instanceof Float32Array || data instanceof Float64Array ? data : Float32Array.from(data);
  const list = 'requests' in requests ? requests.requests : requests;
  const reductions = new Map<string, ReductionResult>();
  for (const r of list) reductions.set(reductionKey(r.reduction), reduce(tensor, shape, r.reduction));
  const report = tensorReport(source, module, parameter, shape, reductions, stamp.phase ?? 'train');
  return { ...report, epoch: stamp.epoch ?? 1, step: stamp.step ?? 0, phase: stamp.phase ?? 'train' };
}

/** {@link tensorEvent} for a module output. */
export function outputEvent(
  lens: Lens | readonly ReductionRequest[],
  module: ModuleInfo,
  data: readonly number[] | Float32Array | Float64Array,
  shape: readonly number[],
  stamp: EventStampOptions = {},
): OutputEvent {
  return tensorEvent('output', lens, module, undefined, data, shape, stamp) as OutputEvent;
}

/** {@link tensorEvent} for a parameter gradient. */
export function gradientEvent(
  lens: Lens | readonly ReductionRequest[],
  module: ModuleInfo,
  parameter: string,
  data: readonly number[] | Float32Array | Float64Array,
  shape: readonly number[],
  stamp: EventStampOptions = {},
): GradientEvent {
  return tensorEvent('gradient', lens, module, parameter, data, shape, stamp) as GradientEvent;
}

/**
 * Hands tensor events to a lens exactly as the Inspector does: an event reaches the lens's
 * fold only when one of the lens's own requests selects its tensor. Returns how many events
 * the lens received.
 */
export function deliver(lens: Lens, ...events: readonly TensorEvent[]): number {
  const routes = new LensRoutes([lens]);
  let delivered = 0;
  for (const event of events) {
    if (routes.takers(event).length === 0) continue;
    foldInto(lens, event);
    delivered += 1;
  }
  return delivered;
}

/** Calls the lens's fold for the event's type (the Inspector's dispatch, without its guard). */
function foldInto(lens: Lens, event: TensorEvent): void {
  switch (event.type) {
    case 'output':
      return lens.foldOutput?.(event);
    case 'outputGradient':
      return lens.foldOutputGradient?.(event);
    case 'gradient':
      return lens.foldGradient?.(event);
    case 'update':
      return lens.foldUpdate?.(event);
  }
}
