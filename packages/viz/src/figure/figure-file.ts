import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { MonitorchError } from '@monitorch/core';
import { escapeMarkup } from '../escape.js';
import { renderFigure, type FigureOptions, type FigureSource, type RenderedFigure } from './render-figure.js';

/** The file formats a figure can be written as. */
export type FigureFormat = 'svg' | 'png' | 'html';

/** Options of {@link renderFigureToFile}. */
export interface FigureFileOptions extends FigureOptions {
  /** Output path; the extension (`.svg`, `.png`, `.html`) picks the format. */
  readonly file: string;
  /** PNG pixel density (default 2, sharp on high-DPI screens and in READMEs). */
  readonly scale?: number;
}

/** Fonts we know Debian/Ubuntu images carry; resvg also scans the system fonts. */
const FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
];

/**
 * The format a file name asks for.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` for any other extension
 */
export function figureFormatOf(file: string): FigureFormat {
  const ext = extname(file).toLowerCase().slice(1);
  if (ext === 'svg' || ext === 'png' || ext === 'html') return ext;
  throw new MonitorchError(
    'INVALID_ARGUMENT',
    `Cannot write a figure to "${file}": unknown extension "${ext === '' ? '(none)' : `.${ext}`}". Use a file name ending in .png, .svg or .html.`,
    { file },
  );
}

/**
 * Renders SVG to PNG with resvg, using system fonts (DejaVu/Liberation when present) so text
 * shows up without a browser.
 *
 * @param svg - SVG document
 * @param scale - pixel density
 */
export function svgToPng(svg: string, scale = 2): Buffer {
  const fontFiles = FONT_FILES.filter((f) => existsSync(f));
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: '#ffffff',
    font: {
      loadSystemFonts: true,
      fontFiles,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
  });
  return resvg.render().asPng();
}

/**
 * A standalone HTML page around a figure: inline SVG, inline CSS, no scripts, no network. The
 * page shows its title once: as an `<h1>` only when the figure has no heading of its own (a
 * figure rendered with `title` already draws it at its top).
 *
 * @param figure - rendered figure
 * @param title - page title (escaped); defaults to the figure's own heading
 */
export function figureHtml(figure: RenderedFigure, title = figure.title ?? 'monitorch figure'): string {
  const h1 = figure.title === undefined ? `<h1>${escapeMarkup(title)}</h1>\n` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeMarkup(title)}</title>
<style>
  body { margin: 0; padding: 16px; font-family: system-ui, sans-serif; background: #fafafa; color: #222; }
  h1 { font-size: 18px; margin: 0 0 12px; }
  figure { margin: 0; background: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.15); display: inline-block; max-width: 100%; }
  figure svg { display: block; max-width: 100%; height: auto; }
</style>
</head>
<body>
${h1}<figure>${figure.svg}</figure>
</body>
</html>
`;
}

/**
 * Renders a figure and writes it as SVG, PNG or a standalone HTML page (by the file's extension).
 *
 * @example
 * ```ts
 * await renderFigureToFile('runs/mlp', { file: 'figure.png' });
 * ```
 * @returns the rendered figure and the format written
 * @throws MonitorchError `INVALID_ARGUMENT` for an unknown extension or unreadable run directory
 */
export async function renderFigureToFile(
  source: FigureSource,
  options: FigureFileOptions,
): Promise<RenderedFigure & { format: FigureFormat }> {
  const format = figureFormatOf(options.file);
  // The HTML page shows the title as its own <h1> (text that wraps and reads as the page's
  // heading), so the SVG inside it leaves it out: drawn in both, a reader saw it twice.
  const { title: _drawnTitle, ...rest } = options;
  const figure = renderFigure(source, {
    ...(format === 'html' ? rest : options),
    tooltips: options.tooltips ?? format === 'html',
  });
  const body =
    format === 'svg'
      ? figure.svg
      : format === 'png'
        ? svgToPng(figure.svg, options.scale)
        : figureHtml(
            figure,
            options.title ?? (typeof source === 'string' ? `monitorch: ${source}` : 'monitorch figure'),
          );
  await mkdir(dirname(options.file), { recursive: true });
  await writeFile(options.file, body);
  return { ...figure, format };
}
