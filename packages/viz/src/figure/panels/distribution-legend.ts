import { escapeMarkup } from '../../escape.js';
import type { SeriesInfo } from '../figure-model.js';
import type { LegendBlock } from '../legend.js';
import { wrapText } from '../wrap-text.js';
import { SHARE_DOMAIN, formatShare, shareColor } from './share-colors.js';

const ROW = 14;
const CHAR = 6; // rough width of a 10px sans-serif character, as in legend.ts
const RAMP_STEPS = 30;
const RAMP_WIDTH = 120;
const SWATCH = 14;

/**
 * The legend of a distribution column: what colour means (a ramp of the share scale with its
 * ends and middle labelled, and an empty swatch for bins with no entries), and, when an epoch's
 * column holds several series side by side, their order. Drawn as SVG like the other legends;
 * every label is escaped here.
 *
 * @param series - the column's series (phase × quantity), in the order they sit in an epoch
 * @param width - available width in pixels
 */
export function distributionLegend(series: readonly SeriesInfo[], width: number): LegendBlock {
  const [low, high] = SHARE_DOMAIN;
  const caption =
    series.length > 1
      ? `share of entries per bin (log) · each epoch, left to right: ${series.map((s) => s.label).join(' | ')}`
      : `share of entries per bin (log)${series[0] === undefined ? '' : ` · ${series[0].label}`}`;
  const lines = wrapText(caption, Math.max(20, Math.floor(width / CHAR)));
  const parts = lines.map((line, i) => `<text y="${(i + 1) * ROW - 4}" font-size="10">${escapeMarkup(line)}</text>`);
  const rampY = lines.length * ROW;
  const step = RAMP_WIDTH / RAMP_STEPS;
  const logLow = Math.log10(low);
  const span = Math.log10(high) - logLow;
  for (let i = 0; i < RAMP_STEPS; i += 1) {
    const share = 10 ** (logLow + (span * (i + 0.5)) / RAMP_STEPS);
    parts.push(
      `<rect x="${i * step}" y="${rampY + 2}" width="${step + 0.3}" height="8" fill="${escapeMarkup(shareColor(share))}"/>`,
    );
  }
  const none = RAMP_WIDTH + 10;
  parts.push(
    `<rect x="${none}" y="${rampY + 2}" width="${SWATCH}" height="8" fill="#ffffff" stroke="#999" stroke-width="0.5"/>`,
    `<text x="${none + SWATCH + 4}" y="${rampY + 10}" font-size="10">none</text>`,
  );
  const middle = 10 ** (logLow + span / 2);
  const labels: [number, string, string][] = [
    [0, 'start', formatShare(low)],
    [RAMP_WIDTH / 2, 'middle', formatShare(middle)],
    [RAMP_WIDTH, 'end', formatShare(high)],
  ];
  for (const [x, anchor, text] of labels) {
    parts.push(
      `<text x="${x}" y="${rampY + ROW + 9}" font-size="9" text-anchor="${anchor}" fill="#444">${escapeMarkup(text)}</text>`,
    );
  }
  return { svg: `<g class="legend share-legend">${parts.join('')}</g>`, height: rampY + 2 * ROW };
}
