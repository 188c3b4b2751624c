import type { Table } from 'apache-arrow';
import type { BandKind, PanelSpec } from '@monitorch/core';
import { RUN_PALETTE, SPARE_DASHES, hasNamedColor, panelColors, roleDash, runColor, seriesDash } from './colors.js';
import { PANEL_DRAWERS } from './panels/panel-kinds.js';
import { drawableTable, type SkippedPanel } from './plot-spec.js';
import { numberAt, stringAt, tableColumns, type TableColumns } from './table-columns.js';

/** One series of a panel: what the legend shows and how it is coloured. */
export interface SeriesInfo {
  /** Unique key within the panel. */
  readonly key: string;
  /** Legend text, e.g. `train loss`. */
  readonly label: string;
  /** CSS colour. */
  readonly color: string;
  /** SVG `stroke-dasharray` of the series' line; absent for a solid line. */
  readonly dash?: string;
  /** When runs are compared: the run the series belongs to (its colour says which). */
  readonly run?: string;
  /**
   * When runs are compared: the series' name within its run (`val loss`), which the panel's
   * legend shows with the line's dash; {@link SeriesInfo.label} is `run · role` (tooltips).
   */
  readonly role?: string;
}

/** A compared run and its colour, for the figure's run legend. */
export interface RunSwatch {
  /** The run's name (its `run` column value: the label, or `label (dir)` when labels repeat). */
  readonly name: string;
  /** Its colour in every panel. */
  readonly color: string;
}

/** Options of {@link figureModel}. */
export interface FigureModelOptions {
  /**
   * The compared runs in legend order (their `run` column values), so a run without rows yet
   * still gets its colour; default: the order in which the tables' `run` columns name them.
   */
  readonly runs?: readonly string[];
}

/** Lower and upper edge of a band, per point (NaN = no value at that point). */
export interface BandEdges {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
}

/**
 * A panel's points, column-wise (Plot takes channel arrays directly, which is much faster than
 * one object per point for 300 epochs × 20 layers). Sorted by series, then epoch; missing
 * values are NaN, so lines and bands show a gap.
 */
export interface PanelPoints {
  readonly length: number;
  readonly epoch: Float64Array;
  /** {@link SeriesInfo.key} of each point's series. */
  readonly series: readonly string[];
  /** The line value. */
  readonly y: Float64Array;
  /** Band edges, for the bands the panel asks for. */
  readonly bands: Readonly<Partial<Record<BandKind, BandEdges>>>;
}

/** Everything needed to draw one panel. */
export interface PanelModel {
  /** The panel description from the table metadata. */
  readonly spec: PanelSpec;
  /** Heading: the panel title for big panels, the module name for small ones. */
  readonly heading: string;
  readonly series: readonly SeriesInfo[];
  readonly points: PanelPoints;
}

/** One column of small panels: one panel per module, modules in first-appearance order. */
export interface ColumnModel {
  readonly spec: PanelSpec;
  readonly panels: readonly PanelModel[];
}

/** The whole figure, independent of how it is drawn. */
export interface FigureModel {
  /** Top row, in table then panel order. */
  readonly big: readonly PanelModel[];
  /** Bottom columns, in table then panel order; columns without rows are left out. */
  readonly columns: readonly ColumnModel[];
  /** First and last epoch over all tables (shared x axis), or undefined before any row. */
  readonly epochs: readonly [number, number] | undefined;
  /** Panels not drawn because this version does not know their kind, in table then panel order. */
  readonly skipped: readonly SkippedPanel[];
  /** The compared runs with their colours; empty for a single run (tables without a `run` column). */
  readonly runs: readonly RunSwatch[];
  /** What a comparison draws differently and why (e.g. stacked shares once per run), for the figure's notes. */
  readonly notes: readonly string[];
}

/** How the rows of compared runs are told apart while a figure is built. */
interface Comparison {
  /** Each row's run. */
  readonly run: (row: number) => string;
  /** Run name → its index in the comparison (colour and drawing order). */
  readonly index: ReadonlyMap<string, number>;
}

/**
 * Builds the figure from lens tables, driven only by each table's plot metadata: the viz
 * knows no lens. Tables without plot metadata are skipped; panels of unknown kinds are left
 * out and listed in {@link FigureModel.skipped}.
 *
 * Tables with a `run` column (core's `readRuns`) are a comparison: the same panels, one colour
 * per run, each run's series told apart by dash by one rule for every panel (train solid, val
 * dotted, death rates dashed); a layer one run lacks simply has no line of that run. Kinds
 * whose series stack (relations) cannot overlay runs and are drawn once per run.
 *
 * @param tables - lens tables in display order
 * @param options - the compared runs' order
 */
export function figureModel(tables: readonly Table[], options: FigureModelOptions = {}): FigureModel {
  const big: PanelModel[] = [];
  const columns: ColumnModel[] = [];
  const skipped: SkippedPanel[] = [];
  const perRunTitles: string[] = [];
  const runNames = [...(options.runs ?? [])];
  let first = Infinity;
  let last = -Infinity;
  for (const table of tables) {
    const drawable = drawableTable(table);
    if (drawable === undefined) continue;
    skipped.push(...drawable.skipped);
    const cols = tableColumns(table);
    const epochs = cols.get('epoch');
    for (let r = 0; r < cols.length; r += 1) {
      const e = numberAt(epochs, r);
      if (e === null) continue;
      if (e < first) first = e;
      if (e > last) last = e;
    }
    const runCol = cols.get('run');
    let compare: Comparison | undefined;
    if (runCol !== undefined) {
      for (let r = 0; r < cols.length; r += 1) {
        const run = stringAt(runCol, r);
        if (!runNames.includes(run)) runNames.push(run);
      }
      compare = { run: (r) => stringAt(runCol, r), index: new Map(runNames.map((n, i) => [n, i])) };
    }
    for (const spec of drawable.plot.panels) {
      const overlays = PANEL_DRAWERS[spec.kind].overlaysRuns !== false;
      // Stacked shares of two runs on one axis would add up to nonsense: one panel per run.
      const groups: [string, ((r: number) => boolean) | undefined][] =
        compare === undefined || overlays
          ? [['', undefined]]
          : runNames.map((run) => [` · ${run}`, (r: number) => compare.run(r) === run]);
      if (compare !== undefined && !overlays && !perRunTitles.includes(spec.title)) perRunTitles.push(spec.title);
      const inGroup = compare !== undefined && overlays ? compare : undefined;
      for (const [suffix, keep] of groups) {
        if (spec.size === 'big') {
          const rows = rowsOf(cols, spec).filter((r) => keep?.(r) ?? true);
          if (keep !== undefined && rows.length === 0) continue;
          big.push(panelModel(spec, `${spec.title}${suffix}`, cols, rows, true, inGroup));
        } else {
          const byModule = rowsByModule(cols, spec, keep);
          if (byModule.size === 0) continue;
          columns.push({
            spec: suffix === '' ? spec : { ...spec, title: `${spec.title}${suffix}` },
            panels: [...byModule].map(([module, rows]) =>
              panelModel(spec, module === '' ? 'whole model' : module, cols, rows, false, inGroup),
            ),
          });
        }
      }
    }
  }
  const notes: string[] = [];
  if (perRunTitles.length > 0) {
    notes.push(
      `Stacked shares cannot be overlaid, so ${perRunTitles.map((t) => `"${t}"`).join(', ')} ` +
        `${perRunTitles.length === 1 ? 'is' : 'are'} drawn once per run (the run's name follows the title).`,
    );
  }
  if (runNames.length > RUN_PALETTE.length) {
    notes.push(
      `${runNames.length} runs but ${RUN_PALETTE.length} run colours: colours repeat from the ` +
        `${RUN_PALETTE.length + 1}th run on. Compare fewer runs at once to tell every line apart.`,
    );
  }
  return {
    big,
    columns,
    epochs: first <= last ? [first, last] : undefined,
    skipped,
    runs: runNames.map((name, i) => ({ name, color: runColor(i) })),
    notes,
  };
}

function rowsOf(cols: TableColumns, spec: PanelSpec): number[] {
  const quantity = cols.get('quantity');
  const wanted = new Set(spec.quantities);
  const rows: number[] = [];
  for (let r = 0; r < cols.length; r += 1) if (wanted.has(stringAt(quantity, r))) rows.push(r);
  return rows;
}

function rowsByModule(cols: TableColumns, spec: PanelSpec, keep?: (row: number) => boolean): Map<string, number[]> {
  const module = cols.get('module');
  const out = new Map<string, number[]>();
  for (const r of rowsOf(cols, spec)) {
    if (keep !== undefined && !keep(r)) continue;
    const m = stringAt(module, r);
    let list = out.get(m);
    if (list === undefined) out.set(m, (list = []));
    list.push(r);
  }
  return out;
}

interface SeriesParts {
  phase: string;
  quantity: string;
  module: string;
  /** The run, when runs are compared ('' otherwise). */
  run: string;
}

function panelModel(
  spec: PanelSpec,
  heading: string,
  cols: TableColumns,
  rows: readonly number[],
  isBig: boolean,
  compare: Comparison | undefined,
): PanelModel {
  const phase = cols.get('phase');
  const quantity = cols.get('quantity');
  const module = cols.get('module');
  const epoch = cols.get('epoch');
  // Big panels of some kinds (relations) stack the modules' shares; everything else has one
  // series per phase × quantity (× module when a big panel gathers several modules).
  const stackModules = isBig && PANEL_DRAWERS[spec.kind].seriesPerModule;
  const parts = new Map<string, SeriesParts>();
  const byKey = new Map<string, Map<number, number>>();
  for (const r of rows) {
    const e = numberAt(epoch, r);
    if (e === null) continue;
    const p: SeriesParts = {
      phase: stringAt(phase, r),
      quantity: stringAt(quantity, r),
      module: isBig ? stringAt(module, r) : '',
      run: compare === undefined ? '' : compare.run(r),
    };
    const key = stackModules
      ? p.module
      : compare === undefined
        ? `${p.phase}\u0000${p.quantity}\u0000${p.module}`
        : `${p.run}\u0000${p.phase}\u0000${p.quantity}\u0000${p.module}`;
    if (!parts.has(key)) parts.set(key, p);
    let epochs = byKey.get(key);
    if (epochs === undefined) byKey.set(key, (epochs = new Map<number, number>()));
    // A repeated (epoch, series) keeps the last row, as the original's repeated epochs overwrite.
    epochs.set(e, r);
  }
  const series = compare === undefined ? seriesInfo(parts, stackModules) : comparedSeriesInfo(parts, compare);
  const order: [string, number, number][] = series.flatMap((s) =>
    [...(byKey.get(s.key) ?? [])].sort((a, b) => a[0] - b[0]).map(([e, r]): [string, number, number] => [s.key, e, r]),
  );
  return { spec, heading, series, points: pointsOf(spec, cols, order) };
}

function pointsOf(spec: PanelSpec, cols: TableColumns, order: readonly [string, number, number][]): PanelPoints {
  const n = order.length;
  const epoch = new Float64Array(n);
  const y = new Float64Array(n);
  const line = cols.get(spec.line);
  const bands: Partial<Record<BandKind, BandEdges>> = {};
  for (const band of spec.bands ?? []) bands[band] = { lo: new Float64Array(n), hi: new Float64Array(n) };
  const mean = cols.get('mean');
  const std = cols.get('std');
  const min = cols.get('min');
  const max = cols.get('max');
  const q1 = cols.get('q1');
  const q3 = cols.get('q3');
  const nan = (v: number | null): number => (v === null ? Number.NaN : v);
  order.forEach(([, e, r], i) => {
    epoch[i] = e;
    y[i] = nan(numberAt(line, r));
    for (const [band, edges] of Object.entries(bands) as [BandKind, BandEdges][]) {
      let lo = Number.NaN;
      let hi = Number.NaN;
      if (band === 'std') {
        const m = numberAt(mean, r);
        const sd = numberAt(std, r);
        if (m !== null && sd !== null) {
          lo = m - sd;
          hi = m + sd;
        }
      } else if (band === 'min-max') {
        lo = nan(numberAt(min, r));
        hi = nan(numberAt(max, r));
      } else {
        lo = nan(numberAt(q1, r));
        hi = nan(numberAt(q3, r));
      }
      // A band needs both edges; one alone would draw a wedge to nowhere.
      if (Number.isNaN(lo) || Number.isNaN(hi)) {
        lo = Number.NaN;
        hi = Number.NaN;
      }
      edges.lo[i] = lo;
      edges.hi[i] = hi;
    }
  });
  return { length: n, epoch, series: order.map(([k]) => k), y, bands };
}

function seriesInfo(parts: ReadonlyMap<string, SeriesParts>, stackModules: boolean): SeriesInfo[] {
  const all = [...parts];
  if (stackModules) {
    return all.map(([key, p], i) => ({
      key,
      label: p.module === '' ? 'whole model' : p.module,
      color: i % 2 === 0 ? '#6495ed' : '#4169e1',
    }));
  }
  const { label, manyPhases, manyQuantities, manyModules } = seriesNamer(all.map(([, p]) => p));
  // Colour by the one part that varies, so train/val and activation/death rate keep their
  // well-known colours whichever panel they are in.
  const colorKey = (p: SeriesParts): string => {
    if (manyModules || (manyPhases && manyQuantities)) return label(p);
    return manyQuantities ? p.quantity : p.phase;
  };
  const colors = panelColors(all.map(([, p]) => (hasNamedColor(label(p)) ? label(p) : colorKey(p))));
  return all.map(([key, p], i) => {
    const dash = seriesDash(p.quantity);
    const info = { key, label: label(p), color: colors[i] ?? '#7f7f7f' };
    return dash === undefined ? info : { ...info, dash };
  });
}

/** How a panel names its series, and which parts of them vary. */
interface SeriesNamer {
  /** The series' legend text, e.g. `val loss` or `death_rate · net.relu1`. */
  readonly label: (p: SeriesParts) => string;
  readonly manyPhases: boolean;
  readonly manyQuantities: boolean;
  readonly manyModules: boolean;
}

/** Names the series of one panel (of one run) from the parts that tell them apart. */
function seriesNamer(all: readonly SeriesParts[]): SeriesNamer {
  const distinct = (f: (p: SeriesParts) => string): number => new Set(all.map((p) => f(p))).size;
  const manyPhases = distinct((p) => p.phase) > 1;
  const manyQuantities = distinct((p) => p.quantity) > 1;
  const manyModules = distinct((p) => p.module) > 1;
  // A quantity named after a phase (`val_accuracy`) already says what it measures: `val
  // val_accuracy` says the phase twice, and `train val_accuracy` (a metric pushed during the
  // train phase) reads as a contradiction. It stands alone unless the panel has it in several
  // phases; only then does the phase it was recorded in tell its lines apart.
  const phaseNames = new Set(['train', 'val', ...all.map((p) => p.phase)].filter((ph) => ph !== ''));
  const phasesOf = new Map<string, Set<string>>();
  for (const p of all) phasesOf.set(p.quantity, (phasesOf.get(p.quantity) ?? new Set()).add(p.phase));
  const namesPhase = (q: string): boolean => [...phaseNames].some((ph) => q.startsWith(`${ph}_`));
  const name = (p: SeriesParts): string =>
    p.phase === '' || (namesPhase(p.quantity) && (phasesOf.get(p.quantity)?.size ?? 0) <= 1)
      ? p.quantity
      : `${p.phase} ${p.quantity}`;
  const label = (p: SeriesParts): string => `${name(p)}${manyModules && p.module !== '' ? ` · ${p.module}` : ''}`;
  return { label, manyPhases, manyQuantities, manyModules };
}

/**
 * The series of compared runs in one panel: the run's colour, and a dash by phase and
 * quantity ({@link roleDash}: the same rule in every panel). Two roles the rule leaves alike
 * in this panel (e.g. two train metrics) get spare dashes in the order the panel lists them.
 * Series come run by run, in comparison order, so later runs draw on top.
 */
function comparedSeriesInfo(parts: ReadonlyMap<string, SeriesParts>, compare: Comparison): SeriesInfo[] {
  const roleOf = (p: SeriesParts): string => `${p.phase}\u0000${p.quantity}\u0000${p.module}`;
  const roles = new Map<string, SeriesParts>();
  for (const p of parts.values()) if (!roles.has(roleOf(p))) roles.set(roleOf(p), p);
  const { label } = seriesNamer([...roles.values()]);
  const dashes = new Map<string, string | undefined>();
  const used = new Set<string>();
  for (const [role, p] of roles) {
    let dash = roleDash(p.phase, p.quantity);
    if (used.has(dash ?? 'solid')) dash = SPARE_DASHES.find((d) => !used.has(d)) ?? dash;
    used.add(dash ?? 'solid');
    dashes.set(role, dash);
  }
  const rank = [...roles.keys()];
  const runIndex = (p: SeriesParts): number => compare.index.get(p.run) ?? 0;
  return [...parts]
    .sort(([, a], [, b]) => runIndex(a) - runIndex(b) || rank.indexOf(roleOf(a)) - rank.indexOf(roleOf(b)))
    .map(([key, p]) => {
      const role = label(p);
      const dash = dashes.get(roleOf(p));
      const info = { key, label: `${p.run} · ${role}`, color: runColor(runIndex(p)), run: p.run, role };
      return dash === undefined ? info : { ...info, dash };
    });
}
