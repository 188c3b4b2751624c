import { MonitorchError } from '../errors.js';
import type { TensorEvent } from '../events.js';
import type { ModuleInfo } from '../module-info.js';
import { SeriesStats } from '../stats/series-stats.js';
import { DeadUnits } from './dead-units.js';
import { unitRates } from './unit-rates.js';

/**
 * What one watched tensor (a layer's output, a parameter's gradient) gathered in one phase
 * during the current epoch: the per-batch activation and death rates, the units dead in every
 * batch, and the NaN/Inf entries seen.
 */
export class UnitRateEpoch {
  /** Per-batch activation rates. */
  readonly activation = new SeriesStats();
  /** Per-batch death rates. */
  readonly death = new SeriesStats();
  /** Units never active in any batch (tracked only when asked for). */
  readonly dead = new DeadUnits();
  /** NaN or infinite entries over the epoch's batches. */
  nonFinite = 0;

  /**
   * @param module - the module the tensor belongs to
   * @param parameter - the parameter (gradient lenses), else undefined
   * @param trackDead - whether to remember which units were active
   */
  constructor(
    readonly module: ModuleInfo,
    readonly parameter: string | undefined,
    private readonly trackDead: boolean,
  ) {}

  /**
   * Folds one batch: the `activeCount` answer under `key` in the event.
   *
   * @throws MonitorchError `BACKEND_FAILED` when the event lacks that answer (the adapter
   *   did not compute every requested reduction)
   */
  add(event: TensorEvent, key: string): void {
    const answer = event.reductions.get(key);
    if (answer === undefined || answer.op !== 'activeCount') {
      const what = this.parameter === undefined ? this.module.name : `${this.module.name}.${this.parameter}`;
      throw new MonitorchError(
        'BACKEND_FAILED',
        `The ${event.type} of "${what}" arrived without its ${key} answer. The adapter must compute every reduction in inspector.requests.`,
        { module: this.module.name, ...(this.parameter === undefined ? {} : { parameter: this.parameter }), key },
      );
    }
    this.nonFinite += answer.nonFinite;
    // Non-finite entries are left out of the rates (docs/semantics-decisions.md).
    const finite = answer.nonFinite > 0 ? answer.finite : undefined;
    const rates = unitRates(answer.counts, answer.size, finite);
    if (rates === undefined) return;
    this.activation.add(rates.activation);
    this.death.add(rates.death);
    if (this.trackDead) this.dead.add(answer.counts, finite);
  }
}
