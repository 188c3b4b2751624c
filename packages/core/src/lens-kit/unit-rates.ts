/** One batch's activation and death rate of a layer (or of a parameter's gradient). */
export interface BatchRates {
  /** Mean over measured units of the unit's active fraction of its finite entries. */
  readonly activation: number;
  /** Fraction of measured units with no active entry at all in this batch. */
  readonly death: number;
}

/**
 * Turns per-unit active counts (units = channels of an output, neurons of a gradient) into
 * monitorch's two batch samples (semantics §2.2 step 4, §2.3 step 3): with r_u = counts[u] /
 * size, activation = mean_u r_u and death = mean_u [r_u == 0].
 *
 * Non-finite entries (docs/semantics-decisions.md): when `finite` is given, unit u's rate is
 * taken over its finite entries, r_u = counts[u] / finite[u], and a unit without any finite
 * entry is left out of both means — a NaN never passes for an inactive (or dead) unit, nor
 * for an active one. Without `finite` every unit has `size` finite entries.
 *
 * With every entry finite, the mean of the rates is computed as Σ counts / (size · units): the
 * same number, with one rounding instead of one per unit (the counts are exact integers).
 *
 * @param counts - active entries per unit
 * @param size - entries each count was taken over (> 0)
 * @param finite - finite entries per unit, when some entries were NaN or infinite
 * @returns the rates, or undefined when there is no unit or no finite entry (nothing to measure)
 */
export function unitRates(counts: Float64Array, size: number, finite?: Float64Array): BatchRates | undefined {
  const units = counts.length;
  if (units === 0 || size <= 0) return undefined;
  if (finite !== undefined) return finiteUnitRates(counts, finite);
  let active = 0;
  let dead = 0;
  for (let u = 0; u < units; u++) {
    const k = counts[u] as number;
    active += k;
    dead += k === 0 ? 1 : 0;
  }
  return { activation: active / (size * units), death: dead / units };
}

/** The rates over units that had at least one finite entry, each over its finite entries. */
function finiteUnitRates(counts: Float64Array, finite: Float64Array): BatchRates | undefined {
  let rateSum = 0;
  let dead = 0;
  let measured = 0;
  for (let u = 0; u < counts.length; u++) {
    const n = finite[u] ?? 0;
    if (!(n > 0)) continue;
    const k = counts[u] as number;
    rateSum += k / n;
    dead += k === 0 ? 1 : 0;
    measured++;
  }
  if (measured === 0) return undefined;
  return { activation: rateSum / measured, death: dead / measured };
}
