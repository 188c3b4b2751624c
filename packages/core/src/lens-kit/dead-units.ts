/**
 * Remembers, over one epoch, which units (channels or neurons) were active in at least one
 * batch, so that the epoch can name the units that were dead in EVERY batch — the neurons a
 * user would prune or re-initialise. The per-batch death rate cannot tell this: a channel
 * dead in half the batches counts 0.5 there.
 */
export class DeadUnits {
  /** Per unit: 0 = never measured, 1 = measured (had a finite entry) but never active, 2 = active once. */
  private state = new Uint8Array(0);
  private seen = 0;

  /** Number of units seen (the largest unit count of any batch). */
  get units(): number {
    return this.seen;
  }

  /**
   * Marks the units with a non-zero count in this batch, and the units measured in it.
   *
   * @param counts - active entries per unit
   * @param finite - finite entries per unit when some entries were NaN or infinite; a unit
   *   with none was not measured in this batch, so it is not taken as dead because of NaN
   */
  add(counts: Float64Array, finite?: Float64Array): void {
    if (counts.length > this.state.length) {
      const grown = new Uint8Array(counts.length);
      grown.set(this.state);
      this.state = grown;
    }
    if (counts.length > this.seen) this.seen = counts.length;
    for (let u = 0; u < counts.length; u++) {
      if ((counts[u] as number) !== 0) this.state[u] = 2;
      else if (this.state[u] === 0 && (finite === undefined || (finite[u] as number) > 0)) this.state[u] = 1;
    }
  }

  /** Indices of the units measured in some batch and never active in any, ascending. */
  dead(): number[] {
    const out: number[] = [];
    for (let u = 0; u < this.seen; u++) if (this.state[u] === 1) out.push(u);
    return out;
  }
}
