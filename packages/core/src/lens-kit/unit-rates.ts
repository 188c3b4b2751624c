/** One batch's activation and death rate of a layer (or of a parameter's gradient). */
export interface BatchRates {
  /** Mean over units of the unit's active fraction: Σ counts / (size · units). */
  readonly activation: number;
  /** Fraction of units with no active entry at all in this batch. */
  readonly death: number;
}

/**
 * Turns per-unit active counts (units = channels of an output, neurons of a gradient) into
 * monitorch's two batch samples (semantics §2.2 step 4, §2.3 step 3): with r_u = counts[u] /
 * size, activation = mean_u r_u and death = mean_u [r_u == 0].
 *
 * The mean of the rates is computed as Σ counts / (size · units): the same number, with one
 * rounding instead of one per unit (the counts are exact integers).
 *
 * @param counts - active entries per unit
 * @param size - entries each count was taken over (> 0)
 * @returns the rates, or undefined when there is no unit or no entry (nothing to measure)
 */
export function unitRates(counts: Float64Array, size: number): BatchRates | undefined {
  const units = counts.length;
  if (units === 0 || size <= 0) return undefined;
  let active = 0;
  let dead = 0;
  for (let u = 0; u < units; u++) {
    const k = counts[u] as number;
    active += k;
    dead += k === 0 ? 1 : 0;
  }
  return { activation: active / (size * units), death: dead / units };
}
