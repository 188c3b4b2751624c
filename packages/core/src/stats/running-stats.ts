// STUB: implemented by the stats work (see issue 2, item 6). Interface is the contract.
/** Mergeable running statistics: count, mean, M2 (Welford), min, max; exact merge (Chan). */
export class RunningStats {
  count = 0;
  mean = 0;
  m2 = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  /** Adds one sample. */
  add(x: number): void { void x; throw new Error('not implemented'); }
  /** Merges another summary into this one, exactly (Chan et al.). */
  merge(other: RunningStats): this { void other; throw new Error('not implemented'); }
  /** Population variance (divisor n); 0 when empty. */
  get variance(): number { throw new Error('not implemented'); }
  /** Population standard deviation. */
  get std(): number { throw new Error('not implemented'); }
}
