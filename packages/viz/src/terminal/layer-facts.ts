import type { PlotSpec, TableRow } from '@monitorch/core';
import { formatShare } from '../figure/panels/share-colors.js';
import { clean } from './clean-text.js';

/** What the terminal says about one table's per-layer panels after an epoch. */
export interface LayerFacts {
  /** One short line, e.g. `Weight Update Ratio: largest 0.0023 (dense.lin1) · rule of thumb ~0.001`. */
  readonly line: string | undefined;
  /** Per-layer warnings, e.g. `dense.lin2: 12 % of output_distribution outside [−2, 4)`. */
  readonly warnings: readonly string[];
}

/** Thresholds of {@link layerFacts}. */
export interface LayerFactThresholds {
  /** Update / parameter ratio from which a layer is reported (default 0.01, ten times the ~1e-3 rule of thumb). */
  readonly updateRatio?: number;
  /** Share of a distribution's entries outside its binned range from which a layer is reported (default 0.05). */
  readonly outsideShare?: number;
}

/** The usual size of one step's update relative to the weights (Karpathy's rule of thumb). */
export const UPDATE_RATIO_RULE = 1e-3;

/** A per-layer value of one panel: module and value. */
type LayerValue = readonly [module: string, value: number];

/**
 * One line about a table's per-layer (small) panels, so a user sees each lens at a glance
 * without a line per layer: the update ratio's largest layer against the ~1e-3 rule of thumb,
 * the smallest σ_min/σ_max, how much of a distribution falls outside its bins, or else the
 * range of the first per-layer panel over the layers. Tables without per-layer numerical or
 * distribution panels (loss, the activation rates) give no line. Train-phase rows are used
 * when the table has them.
 *
 * @param rows - the table's rows of the epoch
 * @param plot - the table's plot spec
 * @param thresholds - when a layer is worth a warning
 */
export function layerFacts(
  rows: readonly TableRow[],
  plot: PlotSpec,
  thresholds: LayerFactThresholds = {},
): LayerFacts {
  const maxRatio = thresholds.updateRatio ?? 10 * UPDATE_RATIO_RULE;
  const maxOutside = thresholds.outsideShare ?? 0.05;
  const phase = rows.some((r) => r['phase'] === 'train') ? 'train' : String(rows[0]?.['phase'] ?? '');
  const mine = rows.filter((r) => r['phase'] === phase && String(r['module'] ?? '') !== '');
  const panels = plot.panels.filter((p) => p.size === 'small' && (p.kind === 'numerical' || p.kind === 'distribution'));
  const warnings: string[] = [];
  const facts: { priority: number; text: string }[] = [];
  for (const panel of panels) {
    const quantity = panel.quantities.find((q) => mine.some((r) => r['quantity'] === q));
    if (quantity === undefined) continue;
    const its = mine.filter((r) => r['quantity'] === quantity);
    const title = clean(panel.title);
    if (panel.kind === 'distribution') {
      const outside = layerValues(its, (r) => sum(r['below'], r['above']));
      const worst = largest(outside);
      if (worst !== undefined) {
        const peak = largest(layerValues(its, (r) => largestItem(r['fractions'])));
        const most = peak === undefined ? '' : ` · most in one bin ${formatShare(peak[1])} (${clean(peak[0])})`;
        const out =
          worst[1] > 0
            ? `most outside the bins ${formatShare(worst[1])} (${clean(worst[0])})`
            : 'none outside the bins';
        facts.push({ priority: 2, text: `${title}: ${out}${most}` });
      }
      for (const r of its) {
        const share = sum(r['below'], r['above']);
        if (share !== undefined && share >= maxOutside) {
          warnings.push(
            `${clean(String(r['module']))}: ${formatShare(share)} of ${clean(quantity)} outside ${range(r)}`,
          );
        }
      }
      continue;
    }
    const values = layerValues(its, (r) => finite(r[panel.line]));
    if (values.length === 0) continue;
    if (/(^|_)update_ratio$/.test(quantity)) {
      const [module, value] = largest(values)!;
      facts.push({
        priority: 0,
        text: `${title}: largest ${short(value)} (${clean(module)}) · rule of thumb ~${short(UPDATE_RATIO_RULE)}`,
      });
      const high = values.filter(([, v]) => v >= maxRatio);
      if (high.length > 0) {
        const [m, v] = largest(high)!;
        const where = high.length === 1 ? clean(m) : `${high.length} of ${values.length} layers, most ${clean(m)}`;
        warnings.push(
          `one step changes ${clean(parameterOf(quantity))} by ${formatShare(v)} (${where}; ` +
            `rule of thumb ~${formatShare(UPDATE_RATIO_RULE)}: a smaller learning rate?)`,
        );
      }
    } else if (/(^|_)cond$/.test(quantity)) {
      const [module, value] = smallest(values)!;
      facts.push({ priority: 1, text: `${title}: smallest ${short(value)} (${clean(module)})` });
    } else {
      facts.push({ priority: 3, text: `${title}: ${spread(values)}` });
    }
  }
  // The first fact of the most telling kind; ties keep the table's panel order.
  const best = facts.reduce<(typeof facts)[number] | undefined>(
    (a, b) => (a === undefined || b.priority < a.priority ? b : a),
    undefined,
  );
  return { line: best?.text, warnings };
}

function layerValues(rows: readonly TableRow[], value: (r: TableRow) => number | undefined): LayerValue[] {
  const out: LayerValue[] = [];
  for (const r of rows) {
    const v = value(r);
    if (v !== undefined) out.push([String(r['module'] ?? ''), v]);
  }
  return out;
}

/** `lo (module) … hi (module)` over the layers, or the one layer's value. */
function spread(values: readonly LayerValue[]): string {
  const low = smallest(values)!;
  const high = largest(values)!;
  if (values.length === 1) return `${short(low[1])} (${clean(low[0])})`;
  return `${short(low[1])} (${clean(low[0])}) … ${short(high[1])} (${clean(high[0])})`;
}

function largest(values: readonly LayerValue[]): LayerValue | undefined {
  return values.reduce<LayerValue | undefined>((a, b) => (a === undefined || b[1] > a[1] ? b : a), undefined);
}

function smallest(values: readonly LayerValue[]): LayerValue | undefined {
  return values.reduce<LayerValue | undefined>((a, b) => (a === undefined || b[1] < a[1] ? b : a), undefined);
}

function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The sum of two shares, or one of them when the other is missing; `undefined` when both are. */
function sum(a: unknown, b: unknown): number | undefined {
  const x = finite(a);
  const y = finite(b);
  return x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0);
}

function largestItem(list: unknown): number | undefined {
  if (!Array.isArray(list) && !ArrayBuffer.isView(list)) return undefined;
  let best: number | undefined;
  for (const v of list as ArrayLike<unknown> & Iterable<unknown>) {
    const x = finite(v);
    if (x !== undefined && (best === undefined || x > best)) best = x;
  }
  return best;
}

/** `[lo, hi)` of a distribution row, or `its range` when the row does not say. */
function range(r: TableRow): string {
  const lo = finite(r['lo']);
  const hi = finite(r['hi']);
  return lo === undefined || hi === undefined ? 'its range' : `[${short(lo)}, ${short(hi)})`;
}

/** `weight_update_ratio` → `weight`; `update_ratio` → `the parameters`. */
function parameterOf(quantity: string): string {
  const name = quantity.replace(/_?update_ratio$/, '');
  return name === '' ? 'the parameters' : name;
}

/** A value in a summary line: three significant digits, exponent form below 1e-3 or from 1e5. */
function short(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return String(Number(v.toPrecision(3)));
}
