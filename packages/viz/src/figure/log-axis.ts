import type { PanelYAxis } from './panels/panel-drawer.js';

/**
 * A log y axis over the positive values of a panel: whole decades as the domain, and ticks at
 * decades only (every k-th when there are many), or at 1, 2 and 5 × the decade when the data
 * spans a single one. Plot's own log ticks put a grid line at every integer multiple, which
 * fills a 96-pixel panel with lines; `undefined` when nothing is positive.
 *
 * @param values - every value the panel draws (lines and band edges); NaN and ≤ 0 are ignored
 * @param count - about how many ticks fit
 */
export function logAxis(values: readonly Float64Array[], count: number): PanelYAxis | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const array of values) {
    for (const v of array) {
      if (!(v > 0) || !Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (!(max >= min)) return undefined;
  const from = Math.floor(Math.log10(min));
  let to = Math.ceil(Math.log10(max));
  if (to === from) to += 1;
  const domain: [number, number] = [decade(from), decade(to)];
  if (to - from === 1) return { type: 'log', domain, ticks: [1, 2, 5, 10].map((m) => m * decade(from)) };
  const step = Math.max(1, Math.ceil((to - from) / Math.max(1, count)));
  const ticks: number[] = [];
  for (let p = to; p >= from; p -= step) ticks.unshift(decade(p));
  return { type: 'log', domain, ticks };
}

/** 10^p, exact for the decades an axis shows (`10 ** -3` is 0.0010000000000000002). */
function decade(p: number): number {
  return Number(`1e${p}`);
}
