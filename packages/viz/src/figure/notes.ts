import { escapeMarkup } from '../escape.js';
import { wrapText } from './wrap-text.js';

/** Notes drawn as SVG: their markup (at the origin) and the height they take. */
export interface NotesBlock {
  /** `<g class="notes">` with one `<text>` per line; '' without notes. */
  readonly svg: string;
  /** Pixels the notes take; 0 without notes. */
  readonly height: number;
}

const LINE = 14;
const CHAR = 6.2; // rough width of an 11px sans-serif character; good enough to wrap lines
const COLOR = '#a14900';

/**
 * Notes for the reader above the figure (what was not drawn and why), each wrapped into lines
 * that fit `width` at word boundaries. Empty when there is nothing to say, so a figure without
 * notes is unchanged. Every note is escaped here.
 *
 * @param notes - one message per note
 * @param width - available width in pixels
 */
export function notesBlock(notes: readonly string[], width: number): NotesBlock {
  if (notes.length === 0) return { svg: '', height: 0 };
  const perLine = Math.max(20, Math.floor(width / CHAR));
  const lines = notes.flatMap((note) => wrapText(`⚠ ${note}`, perLine));
  const texts = lines.map(
    (line, i) => `<text y="${(i + 1) * LINE - 3}" font-size="11" fill="${COLOR}">${escapeMarkup(line)}</text>`,
  );
  return { svg: `<g class="notes">${texts.join('')}</g>`, height: lines.length * LINE };
}
