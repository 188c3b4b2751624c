/** The x domain and integer ticks of an epoch axis. */
export interface EpochAxis {
  /** Scale domain; padded by one epoch on each side when the run has a single epoch. */
  readonly domain: readonly [number, number];
  /** Tick positions: whole epochs only, at most the requested count. */
  readonly ticks: readonly number[];
}

const NICE_STEPS = [1, 2, 5];

/**
 * An epoch axis that stays readable for 3 epochs or 300: integer ticks on a 1-2-5 step that
 * keeps their number at most `maxTicks`, plus the first epoch when it does not crowd the next
 * tick (at least ¾ of a step away) (so a run's start is always labelled).
 *
 * @param first - first epoch shown
 * @param last - last epoch shown
 * @param maxTicks - most ticks wanted (at least 2)
 */
export function epochAxis(first: number, last: number, maxTicks: number): EpochAxis {
  if (!Number.isFinite(first) || !Number.isFinite(last) || last < first) {
    return { domain: [0, 1], ticks: [] };
  }
  if (first === last) return { domain: [first - 1, last + 1], ticks: [first] };
  const wanted = Math.max(2, Math.floor(maxTicks));
  const step = tickStep(last - first, wanted);
  const ticks: number[] = [];
  for (let e = Math.ceil(first / step) * step; e <= last; e += step) ticks.push(e);
  const head = ticks[0];
  if (head === undefined || (head !== first && head - first >= step * 0.75 && ticks.length < wanted))
    ticks.unshift(first);
  return { domain: [first, last], ticks };
}

function tickStep(span: number, maxTicks: number): number {
  for (let magnitude = 1; ; magnitude *= 10) {
    for (const base of NICE_STEPS) {
      const step = base * magnitude;
      if (Math.floor(span / step) + 1 <= maxTicks) return step;
    }
  }
}
