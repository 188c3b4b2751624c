import { MonitorchError } from '@monitorch/core';

/** Options of an {@link EarlyStopper}. */
export interface EarlyStopperOptions {
  /** Epochs without improvement after which to stop (default 5, as in the seed). */
  readonly patience?: number;
  /** How much lower than the best value a value must be to count as an improvement (default 1e-3). */
  readonly eps?: number;
}

/**
 * Stops training when a monitored value (usually the validation loss) has not improved for
 * `patience` calls, with the seed notebook's exact rule: a value improves when
 * `best − value > eps`; then it becomes the best and the count restarts. Any other value
 * (including NaN) adds one to the count, and `step` returns true once the count reaches
 * `patience`. The best value only moves on an improvement.
 *
 * @example
 * ```ts
 * const stopper = new EarlyStopper({ patience: 5, eps: 1e-3 });
 * if (stopper.step(valLoss)) break;
 * ```
 */
export class EarlyStopper {
  /** Epochs without improvement needed to stop. */
  readonly patience: number;
  /** Minimum decrease that counts as an improvement. */
  readonly eps: number;
  private bestValue = Number.POSITIVE_INFINITY;
  private waited = 0;

  /** @throws MonitorchError `INVALID_ARGUMENT` for a non-positive patience or a negative eps */
  constructor(options: EarlyStopperOptions = {}) {
    this.patience = options.patience ?? 5;
    this.eps = options.eps ?? 1e-3;
    if (!Number.isInteger(this.patience) || this.patience < 1) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `EarlyStopper: patience must be a positive integer, got ${this.patience}.`,
        { patience: this.patience },
      );
    }
    if (!(this.eps >= 0)) {
      throw new MonitorchError('INVALID_ARGUMENT', `EarlyStopper: eps must be ≥ 0, got ${this.eps}.`, {
        eps: this.eps,
      });
    }
  }

  /** Best value seen so far (`Infinity` before the first improvement). */
  get best(): number {
    return this.bestValue;
  }

  /** Calls since the last improvement. */
  get waiting(): number {
    return this.waited;
  }

  /**
   * Records the latest value; true when training should stop.
   *
   * @param value - the monitored value, lower is better
   */
  step(value: number): boolean {
    if (this.bestValue - value > this.eps) {
      this.bestValue = value;
      this.waited = 0;
      return false;
    }
    this.waited += 1;
    return this.waited >= this.patience;
  }

  /** Forgets the history (best = Infinity, count = 0). */
  reset(): void {
    this.bestValue = Number.POSITIVE_INFINITY;
    this.waited = 0;
  }
}
