import type { Table } from 'apache-arrow';
import { readRunsSync, runNames } from '@monitorch/core';
import { escapeMarkup, xmlSafeText } from '../escape.js';
import { drawPanel } from './draw-panel.js';
import { epochAxis } from './epoch-axis.js';
import { figureModel, type PanelModel, type RunSwatch, type SeriesInfo } from './figure-model.js';
import { legendBlock } from './legend.js';
import { notesBlock } from './notes.js';
import { PANEL_DRAWERS } from './panels/panel-kinds.js';
import { readRunTables } from './run-loader.js';

/**
 * Lens tables to draw: by name, a list, a run directory to read them from, or several run
 * directories to compare in one figure (one colour per run). Tables with a `run` column (core's
 * `readRuns`) are drawn as a comparison too.
 */
export type FigureSource = ReadonlyMap<string, Table> | readonly Table[] | string | readonly string[];

/** Options of {@link renderFigure}. */
export interface FigureOptions {
  /** Figure width in pixels (default: wide enough for every column, at least 840). */
  readonly width?: number;
  /** Adds SVG `<title>` tooltips with the values at every point (default false: smaller files). */
  readonly tooltips?: boolean;
  /** Optional heading written above the figure. */
  readonly title?: string;
  /**
   * The compared runs in legend order (values of the tables' `run` column), so a run with no
   * rows yet still has its entry; default: the order the tables name them. Set for you when
   * the source is a list of run directories.
   */
  readonly runs?: readonly string[];
}

/** A rendered figure. */
export interface RenderedFigure {
  /** Standalone SVG document (`<svg xmlns=…>`). */
  readonly svg: string;
  readonly width: number;
  readonly height: number;
  /**
   * What the figure could not show and why, also written at its top: e.g. a panel whose kind
   * this version does not draw. Empty when everything was drawn.
   */
  readonly notes: readonly string[];
  /**
   * The heading drawn at the top of the SVG (`options.title`); absent when none was drawn, so a
   * page around the figure knows whether it still has to show one.
   */
  readonly title?: string;
}

const BIG_MIN_WIDTH = 420;
const BIG_PLOT_HEIGHT = 220;
const SMALL_MIN_WIDTH = 250;
const SMALL_PLOT_HEIGHT = 96;
const SMALL_TITLE = 15;
const X_LABELS = 16;
const HEADER = 24;
const GAP = 10;
/**
 * The rule between two columns of small panels. It replaces alternating beige/white column
 * backgrounds, which encoded nothing yet made readers ask what the beige column meant; the
 * columns already have their titles and legends, a thin rule is enough to keep them apart.
 */
const COLUMN_RULE = '#dddddd';

/**
 * Draws lens tables as one figure, like monitorch's `show_fig()`: big panels (loss, metrics,
 * warnings) across the top, then one column per per-layer panel with one small panel per
 * module. Everything is driven by the tables' plot metadata.
 *
 * @example
 * ```ts
 * const { svg } = renderFigure(inspector.allTables());
 * const fromDisk = renderFigure('runs/mlp');
 * ```
 * @param source - tables (by name or as a list) or a run directory
 * @param options - width, tooltips, title
 * @throws MonitorchError `INVALID_ARGUMENT` when a run directory cannot be read
 */
export function renderFigure(source: FigureSource, options: FigureOptions = {}): RenderedFigure {
  let runs = options.runs;
  let tables: readonly Table[];
  if (typeof source === 'string') tables = [...readRunTables(source).values()];
  else if (isDirList(source)) {
    runs ??= runNames(source).map((r) => r.run);
    tables = [...readRunsSync(source).values()];
  } else
    tables = Array.isArray(source)
      ? (source as readonly Table[])
      : [...(source as ReadonlyMap<string, Table>).values()];
  const model = figureModel(tables, runs === undefined ? {} : { runs });
  const tooltips = options.tooltips ?? false;
  const nBig = model.big.length;
  const nCols = model.columns.length;
  const width = Math.max(options.width ?? 0, 840, nBig * BIG_MIN_WIDTH, nCols * SMALL_MIN_WIDTH);
  const [first, last] = model.epochs ?? [1, 1];
  const parts: string[] = [];
  let top = 0;

  if (options.title !== undefined) {
    parts.push(heading(options.title, width / 2, 22, 16));
    top += 32;
  }

  const notes = [...model.skipped.map((s) => s.message), ...model.notes];
  const noted = notesBlock(notes, width - 24);
  if (noted.height > 0) {
    parts.push(`<g transform="translate(12,${top + 6})">${noted.svg}</g>`);
    top += noted.height + 12;
  }

  if (model.runs.length > 0) {
    const legend = runLegend(model.runs, width - 70);
    parts.push(`<text x="12" y="${top + 16}" font-size="12" font-weight="bold">Runs</text>`);
    parts.push(`<g transform="translate(60,${top + 6})">${legend.svg}</g>`);
    top += legend.height + 12;
  }

  if (nBig > 0) {
    const w = width / nBig;
    const axis = epochAxis(first, last, Math.floor((w - 60) / 45));
    const legends = model.big.map((p) =>
      legendBlock(legendSeries(p.series), w - 60, PANEL_DRAWERS[p.spec.kind].legendSwatch),
    );
    const legendHeight = Math.max(0, ...legends.map((l) => l.height));
    model.big.forEach((panel, i) => {
      const x = i * w;
      parts.push(heading(panel.heading, x + w / 2, top + 18, 14));
      parts.push(`<g transform="translate(${x + 46},${top + HEADER + 2})">${legends[i]?.svg ?? ''}</g>`);
      parts.push(
        drawPanel(
          panel,
          { width: w, height: BIG_PLOT_HEIGHT, axis, xLabels: true, tooltips },
          x,
          top + HEADER + legendHeight + 4,
        ),
      );
    });
    top += HEADER + legendHeight + 4 + BIG_PLOT_HEIGHT + GAP;
  }

  if (nCols > 0) {
    const w = width / nCols;
    const rows = Math.max(...model.columns.map((c) => c.panels.length));
    const axis = epochAxis(first, last, Math.floor((w - 60) / 40));
    // A column's legend lists every series of its panels (a layer may lack one, e.g. no val rows).
    const legends = model.columns.map((c) =>
      legendBlock(legendSeries(unionSeries(c.panels)), w - 50, PANEL_DRAWERS[c.spec.kind].legendSwatch),
    );
    const legendHeight = Math.max(0, ...legends.map((l) => l.height));
    const cell = SMALL_TITLE + SMALL_PLOT_HEIGHT;
    const columnHeight = HEADER + legendHeight + 4 + rows * cell + X_LABELS + GAP;
    model.columns.forEach((column, i) => {
      const x = i * w;
      if (i > 0) {
        parts.push(
          `<line class="column-rule" x1="${x}" x2="${x}" y1="${top + 6}" y2="${top + columnHeight - GAP}" ` +
            `stroke="${COLUMN_RULE}"/>`,
        );
      }
      parts.push(heading(column.spec.title, x + w / 2, top + 18, 13));
      parts.push(`<g transform="translate(${x + 46},${top + HEADER + 2})">${legends[i]?.svg ?? ''}</g>`);
      column.panels.forEach((panel: PanelModel, r: number) => {
        const y = top + HEADER + legendHeight + 4 + r * cell;
        const isLast = r === column.panels.length - 1;
        parts.push(
          `<text x="${x + 46}" y="${y + 11}" font-size="11" fill="#333">${escapeMarkup(panel.heading)}</text>`,
        );
        parts.push(
          drawPanel(
            panel,
            { width: w, height: SMALL_PLOT_HEIGHT + (isLast ? X_LABELS : 0), axis, xLabels: isLast, tooltips },
            x,
            y + SMALL_TITLE,
          ),
        );
      });
    });
    top += columnHeight;
  }

  if (nBig === 0 && nCols === 0) {
    parts.push(
      `<text x="${width / 2}" y="${top + 40}" text-anchor="middle" font-size="14" fill="#666">` +
        'Nothing to plot yet: no table with plot metadata has rows.</text>',
    );
    top += 70;
  }

  const height = Math.ceil(top);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif" font-size="10">` +
    '<style>text { white-space: pre; }</style><rect width="100%" height="100%" fill="#ffffff"/>' +
    `${parts.join('')}</svg>`;
  // Plot writes names through the DOM, which keeps characters XML forbids: make them visible.
  const figure = { svg: xmlSafeText(svg), width, height, notes };
  return options.title === undefined ? figure : { ...figure, title: options.title };
}

/** Whether a figure source is a list of run directories (not a list of tables). */
function isDirList(source: FigureSource): source is readonly string[] {
  return Array.isArray(source) && source.length > 0 && typeof source[0] === 'string';
}

/** The neutral colour of a compared panel's legend: colour names runs, the panel legend names dashes. */
const ROLE_COLOR = '#444444';

/**
 * What a panel's legend lists: its series; or, when runs are compared, each series role once
 * (`train loss`, `val loss`) in a neutral colour with its dash — the run legend at the top says
 * which colour is which run.
 */
function legendSeries(series: readonly SeriesInfo[]): SeriesInfo[] {
  if (series.every((s) => s.role === undefined)) return [...series];
  const roles = new Map<string, SeriesInfo>();
  for (const s of series) {
    const role = s.role ?? s.label;
    if (roles.has(role)) continue;
    const info = { key: role, label: role, color: ROLE_COLOR };
    roles.set(role, s.dash === undefined ? info : { ...info, dash: s.dash });
  }
  return [...roles.values()];
}

/** The figure's run legend: one colour block per run, named as its rows' `run` column. */
function runLegend(runs: readonly RunSwatch[], width: number): ReturnType<typeof legendBlock> {
  return legendBlock(
    runs.map((r) => ({ key: r.name, label: r.name, color: r.color })),
    width,
    'fill',
  );
}

function unionSeries(panels: readonly PanelModel[]): SeriesInfo[] {
  const seen = new Map<string, SeriesInfo>();
  for (const p of panels) for (const s of p.series) if (!seen.has(s.key)) seen.set(s.key, s);
  return [...seen.values()];
}

function heading(text: string, x: number, y: number, size: number): string {
  const at = `x="${x}" y="${y}" text-anchor="middle" font-size="${size}" font-weight="bold"`;
  return `<text ${at}>${escapeMarkup(text)}</text>`;
}
