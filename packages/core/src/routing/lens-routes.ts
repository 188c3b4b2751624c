import type { TensorEvent } from '../events.js';
import type { Lens } from '../lens.js';
import type { ModuleInfo } from '../module-info.js';
import { requestWants, watchesSource, type ReductionRequest, type Sampling } from '../reduction.js';
import { TensorKeyCache } from './tensor-key-cache.js';

/** The fold method of each tensor event type. */
export const TENSOR_FOLDS = {
  output: 'foldOutput',
  outputGradient: 'foldOutputGradient',
  gradient: 'foldGradient',
  update: 'foldUpdate',
  parameter: 'foldParameter',
} as const satisfies Record<TensorEvent['type'], keyof Lens>;

/**
 * Answers "which lenses want this tensor?" once per (module, source, parameter, phase), so a
 * lens's fold receives only the tensors one of its own requests selected — never another
 * lens's — and no lens asks the question again.
 *
 * Module descriptions are immutable (an adapter replaces one when it changes), so the answer
 * is cached per description object and dropped with it.
 */
export class LensRoutes {
  private readonly lenses: readonly Lens[];
  private readonly byModule = new WeakMap<ModuleInfo, TensorKeyCache<readonly Taker[]>>();

  private readonly sampling: Sampling | undefined;

  /**
   * @param lenses - the lenses to route to, in the order they fold
   * @param sampling - the Inspector's sampling, for requests that set none
   */
  constructor(lenses: readonly Lens[], sampling?: Sampling) {
    this.lenses = lenses;
    this.sampling = sampling;
  }

  /**
   * The lenses whose requests select the tensor of `event`, watch its step and epoch (their
   * `sampling`), and that fold its type.
   */
  takers(event: TensorEvent): readonly Lens[] {
    const parameter = 'parameter' in event ? event.parameter : '';
    let cache = this.byModule.get(event.module);
    if (cache === undefined) this.byModule.set(event.module, (cache = new TensorKeyCache()));
    let takers = cache.get(event.type, parameter, event.phase);
    if (takers === undefined) {
      const fold = TENSOR_FOLDS[event.type];
      const found: Taker[] = [];
      for (const lens of this.lenses) {
        if (typeof lens[fold] !== 'function') continue;
        const requests = lens.requests
          .filter((r) =>
            requestWants(r, event.type, event.module, parameter === '' ? undefined : parameter, event.phase),
          )
          .map((r) => withSampling(r, this.sampling));
        if (requests.length > 0)
          found.push({ lens, requests, sampled: requests.every((r) => r.sampling !== undefined) });
      }
      cache.set(event.type, parameter, event.phase, found);
      takers = found;
    }
    // Sampling depends on the step and epoch, so it is checked per event (a lens whose
    // requests all watch everything skips the check).
    const out: Lens[] = [];
    for (const t of takers) {
      if (
        !t.sampled ||
        t.requests.some((r) => watchesSource(r.sampling, event.type, event.step, event.epoch, event.phase))
      ) {
        out.push(t.lens);
      }
    }
    return out;
  }
}

/** A lens and its requests that select one tensor. */
interface Taker {
  readonly lens: Lens;
  readonly requests: readonly ReductionRequest[];
  /** Whether any of the requests is gated (otherwise every event is taken). */
  readonly sampled: boolean;
}

/** `request` with the Inspector's sampling filled in when it sets none. */
export function withSampling(request: ReductionRequest, sampling: Sampling | undefined): ReductionRequest {
  return sampling === undefined || request.sampling !== undefined ? request : { ...request, sampling };
}
