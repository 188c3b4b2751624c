import { escapeMarkup } from '../escape.js';
import type { SeriesInfo } from './figure-model.js';

/** A legend drawn as SVG: its markup (at the origin) and the height it takes. */
export interface LegendBlock {
  readonly svg: string;
  readonly height: number;
}

const ROW = 14;
const CHAR = 6; // rough width of a 10px sans-serif character; good enough to wrap rows
const SWATCH = 14;

/** How a legend shows a series: a stroke like its line (with its dash), or a filled block like its area. */
export type LegendSwatch = 'line' | 'fill';

/**
 * Swatches and labels, wrapped into rows that fit `width`. We build this ourselves (Plot's
 * legends are HTML, which cannot live inside one SVG file), so every label is escaped here.
 *
 * @param series - the panel's series
 * @param width - available width in pixels
 * @param swatch - `line` for panels that draw lines (the swatch shows the dash pattern, so a
 *   dashed death rate is told from a solid activation rate without colour), `fill` for areas
 */
export function legendBlock(series: readonly SeriesInfo[], width: number, swatch: LegendSwatch = 'fill'): LegendBlock {
  if (series.length === 0) return { svg: '', height: 0 };
  const parts: string[] = [];
  let x = 0;
  let row = 0;
  for (const s of series) {
    const w = SWATCH + 4 + s.label.length * CHAR + 12;
    if (x > 0 && x + w > width) {
      x = 0;
      row += 1;
    }
    const y = row * ROW;
    const color = escapeMarkup(s.color);
    const mark =
      swatch === 'line'
        ? `<line x1="0" x2="${SWATCH}" y1="6" y2="6" stroke="${color}" stroke-width="2.5"` +
          `${s.dash === undefined ? '' : ` stroke-dasharray="${escapeMarkup(s.dash)}"`}/>`
        : `<rect y="2" width="${SWATCH}" height="8" rx="1" fill="${color}"/>`;
    parts.push(
      `<g transform="translate(${x},${y})">${mark}` +
        `<text x="${SWATCH + 4}" y="10" font-size="10">${escapeMarkup(s.label)}</text></g>`,
    );
    x += w;
  }
  return { svg: `<g class="legend">${parts.join('')}</g>`, height: (row + 1) * ROW };
}
