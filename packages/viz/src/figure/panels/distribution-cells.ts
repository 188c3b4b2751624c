import type { PanelModel } from '../figure-model.js';
import { formatValue } from '../format.js';
import type { PanelFrame } from './panel-drawer.js';
import { formatShare } from './share-colors.js';

/** The rectangles of a distribution heat map, column-wise (Plot takes channel arrays). */
export interface HeatCells {
  readonly length: number;
  /** Left and right edge on the epoch axis. */
  readonly x1: number[];
  readonly x2: number[];
  /** Lower and upper edge on the value axis. */
  readonly y1: number[];
  readonly y2: number[];
  /** Share of the entries in the cell (> 0: empty bins get no cell). */
  readonly share: number[];
  /** Hover text: series, epoch, value range, share. */
  readonly title: string[];
}

/** Where the binned range ends, per drawn epoch, for the rules that set the edge rows apart. */
export interface RangeEdges {
  readonly length: number;
  readonly x1: number[];
  readonly x2: number[];
  readonly y: number[];
}

/** Everything a distribution panel draws, and the value axis it needs. */
export interface HeatMap {
  readonly cells: HeatCells;
  readonly edges: RangeEdges;
  /** Value axis: the binned ranges, plus the edge row on a side that has one. */
  readonly domain: readonly [number, number] | undefined;
  /** Value ticks inside the binned ranges only (the edge rows stand for everything beyond). */
  readonly ticks: readonly number[];
}

/** An edge row is at least this fraction (1/16) of the binned range tall. */
const EDGE_SHARE_OF_RANGE = 16;

/** A cell is at least this many pixels wide; longer runs show every k-th epoch. */
const MIN_CELL_PX = 3;

/**
 * Lays out a distribution panel: for every drawn epoch one column of cells, one per bin of
 * [lo, hi) coloured by the share of entries in it, and (when the table says how many entries
 * fell outside) an edge row below `lo` and above `hi`, one bin or 1/16 of the range tall. Several series (e.g. train
 * and val) share an epoch's column side by side, in series order. A long run draws every k-th
 * epoch so cells stay at least {@link MIN_CELL_PX} wide; each cell's hover text names its epoch.
 *
 * @param panel - the panel's series and points (with their distribution columns)
 * @param frame - panel size, epoch axis and tick count
 */
export function heatMap(panel: PanelModel, frame: PanelFrame): HeatMap {
  const { points, series } = panel;
  const dist = points.distribution;
  const cells: HeatCells = { length: 0, x1: [], x2: [], y1: [], y2: [], share: [], title: [] };
  const edges: RangeEdges = { length: 0, x1: [], x2: [], y: [] };
  if (dist === undefined) return { cells, edges, domain: undefined, ticks: [] };
  const [first, last] = frame.axis.domain;
  const plotWidth = Math.max(1, frame.width - 64);
  const stride = Math.max(1, Math.ceil((MIN_CELL_PX * (last - first + 1)) / plotWidth));
  const slot = new Map(series.map((s, i) => [s.key, i]));
  const labelOf = new Map(series.map((s) => [s.key, s.label]));
  const lastEpoch = points.epoch.reduce((a, b) => Math.max(a, b), -Infinity);
  let lo = Infinity;
  let hi = -Infinity;
  let bottom = Infinity;
  let top = -Infinity;
  const push = (x1: number, x2: number, y1: number, y2: number, share: number, title: string): void => {
    if (!(share > 0)) return;
    cells.x1.push(x1);
    cells.x2.push(x2);
    cells.y1.push(y1);
    cells.y2.push(y2);
    cells.share.push(share);
    cells.title.push(title);
  };
  for (let i = 0; i < points.length; i += 1) {
    const e = points.epoch[i] ?? Number.NaN;
    const a = dist.lo[i] ?? Number.NaN;
    const b = dist.hi[i] ?? Number.NaN;
    const fractions = dist.fractions[i];
    if ((e - first) % stride !== 0 && e !== lastEpoch) continue;
    if (fractions == null || fractions.length === 0 || !(b > a)) continue;
    const k = slot.get(points.series[i] ?? '') ?? 0;
    const x1 = e - stride / 2 + (stride * k) / series.length;
    const x2 = x1 + stride / series.length;
    const w = (b - a) / fractions.length;
    // Edge rows stay readable when bins are many and thin: at least 1/16 of the binned range.
    const edge = Math.max(w, (b - a) / EDGE_SHARE_OF_RANGE);
    const head = `${labelOf.get(points.series[i] ?? '') ?? ''} · epoch ${e}`;
    fractions.forEach((share, bin) => {
      const from = a + bin * w;
      const to = bin === fractions.length - 1 ? b : from + w;
      push(x1, x2, from, to, share, `${head}\n[${formatValue(from)}, ${formatValue(to)}): ${formatShare(share)}`);
    });
    lo = Math.min(lo, a);
    hi = Math.max(hi, b);
    const below = dist.below[i] ?? Number.NaN;
    const above = dist.above[i] ?? Number.NaN;
    bottom = Math.min(bottom, Number.isNaN(below) ? a : a - edge);
    top = Math.max(top, Number.isNaN(above) ? b : b + edge);
    push(x1, x2, a - edge, a, below, `${head}\nbelow ${formatValue(a)}: ${formatShare(below)}`);
    push(x1, x2, b, b + edge, above, `${head}\nat or above ${formatValue(b)}: ${formatShare(above)}`);
    if (!Number.isNaN(below)) pushEdge(edges, x1, x2, a);
    if (!Number.isNaN(above)) pushEdge(edges, x1, x2, b);
  }
  const drawn = { ...cells, length: cells.share.length };
  const ruled = { ...edges, length: edges.y.length };
  if (!(hi > lo)) return { cells: drawn, edges: ruled, domain: undefined, ticks: [] };
  return { cells: drawn, edges: ruled, domain: [bottom, top], ticks: niceTicks(lo, hi, frame.height < 140 ? 3 : 5) };
}

function pushEdge(edges: RangeEdges, x1: number, x2: number, y: number): void {
  edges.x1.push(x1);
  edges.x2.push(x2);
  edges.y.push(y);
}

/**
 * Round ticks (1, 2 or 5 × a power of ten apart) inside [lo, hi]: the widest step that gives
 * at least two and about `count` of them (±4.05 → −4, 0, 4); the ends themselves when no
 * round step fits.
 *
 * @param lo - lowest value
 * @param hi - highest value (> lo)
 * @param count - ticks wanted
 */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  const rough = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const steps = [10, 5, 2, 1, 0.5, 0.2, 0.1].map((m) => m * power).filter((s) => s <= 2 * rough);
  for (const step of steps) {
    const ticks: number[] = [];
    // Integer multiples of the step, so ticks are exactly round (no 0.30000000000000004).
    for (let n = Math.ceil(lo / step - 1e-9); n * step <= hi + step * 1e-9; n += 1) {
      ticks.push(Number((n * step).toPrecision(12)));
    }
    if (ticks.length >= 2) return ticks;
  }
  return [lo, hi];
}
