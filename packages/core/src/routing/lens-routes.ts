import type { TensorEvent } from '../events.js';
import type { Lens } from '../lens.js';
import type { ModuleInfo } from '../module-info.js';
import { requestWants } from '../reduction.js';
import { TensorKeyCache } from './tensor-key-cache.js';

/** The fold method of each tensor event type. */
export const TENSOR_FOLDS = {
  output: 'foldOutput',
  outputGradient: 'foldOutputGradient',
  gradient: 'foldGradient',
  update: 'foldUpdate',
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
  private readonly byModule = new WeakMap<ModuleInfo, TensorKeyCache<readonly Lens[]>>();

  /** @param lenses - the lenses to route to, in the order they fold */
  constructor(lenses: readonly Lens[]) {
    this.lenses = lenses;
  }

  /** The lenses whose requests select the tensor of `event` and that fold its type. */
  takers(event: TensorEvent): readonly Lens[] {
    const parameter = event.type === 'gradient' || event.type === 'update' ? event.parameter : '';
    let cache = this.byModule.get(event.module);
    if (cache === undefined) this.byModule.set(event.module, (cache = new TensorKeyCache()));
    const cached = cache.get(event.type, parameter, event.phase);
    if (cached !== undefined) return cached;
    const fold = TENSOR_FOLDS[event.type];
    const takers = this.lenses.filter(
      (lens) =>
        typeof lens[fold] === 'function' &&
        lens.requests.some((r) =>
          requestWants(r, event.type, event.module, parameter === '' ? undefined : parameter, event.phase),
        ),
    );
    cache.set(event.type, parameter, event.phase, takers);
    return takers;
  }
}
