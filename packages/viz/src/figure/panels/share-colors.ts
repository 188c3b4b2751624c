import * as Plot from '@observablehq/plot';

/**
 * The shares a distribution heat map tells apart: from 0.01 % to all entries, on a log scale,
 * so a bin holding one entry in ten thousand (a few saturated units, an outlier tail) is as
 * visible as the bulk. Smaller shares get the lowest colour; an empty bin is not drawn at all
 * (the white background), so "none" never looks like "a few".
 */
export const SHARE_DOMAIN: readonly [number, number] = [1e-4, 1];

/** Decades labelled in the legend, within {@link SHARE_DOMAIN}. */
export const SHARE_TICKS: readonly number[] = [1e-4, 1e-3, 1e-2, 1e-1, 1];

/**
 * Plot's colour scale for shares: viridis (readable in grey print and by most colour-blind
 * readers), dark for rare, yellow for most entries; fixed, so colours compare across layers,
 * epochs and runs.
 */
export const SHARE_COLOR_SCALE: Plot.ScaleOptions = {
  type: 'log',
  domain: [...SHARE_DOMAIN],
  scheme: 'viridis',
  clamp: true,
};

let materialized: Plot.Scale | undefined;

/**
 * The CSS colour of a share, as the heat map draws it (for the legend, which is drawn outside
 * Plot so it can live in the figure's single SVG).
 *
 * @param share - a share in (0, 1]; values outside the domain take the nearest end's colour
 */
export function shareColor(share: number): string {
  materialized ??= Plot.scale({ color: SHARE_COLOR_SCALE });
  return String(materialized.apply(share));
}

/**
 * A share as the figure writes it: a percentage with up to three significant digits
 * (`0.012 %`, `3.4 %`, `100 %`).
 *
 * @param share - a share in [0, 1]
 */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return '–';
  const percent = share * 100;
  return `${percent === 0 ? '0' : String(Number(percent.toPrecision(percent >= 1 ? 3 : 2)))} %`;
}
