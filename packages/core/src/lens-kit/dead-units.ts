/**
 * Remembers, over one epoch, which units (channels or neurons) were active in at least one
 * batch, so that the epoch can name the units that were dead in EVERY batch — the neurons a
 * user would prune or re-initialise. The per-batch death rate cannot tell this: a channel
 * dead in half the batches counts 0.5 there.
 */
export class DeadUnits {
  private everActive = new Uint8Array(0);
  private seen = 0;

  /** Number of units seen (the largest unit count of any batch). */
  get units(): number {
    return this.seen;
  }

  /**
   * Marks the units with a non-zero count in this batch.
   *
   * @param counts - active entries per unit
   */
  add(counts: Float64Array): void {
    if (counts.length > this.everActive.length) {
      const grown = new Uint8Array(counts.length);
      grown.set(this.everActive);
      this.everActive = grown;
    }
    if (counts.length > this.seen) this.seen = counts.length;
    for (let u = 0; u < counts.length; u++) {
      if ((counts[u] as number) !== 0) this.everActive[u] = 1;
    }
  }

  /** Indices of the units never active in any batch, ascending. */
  dead(): number[] {
    const out: number[] = [];
    for (let u = 0; u < this.seen; u++) if (this.everActive[u] === 0) out.push(u);
    return out;
  }
}
