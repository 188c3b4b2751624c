import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { BandKind } from '@monitorch/core';
import type { PanelModel } from './figure-model.js';
import type { EpochAxis } from './epoch-axis.js';
import { formatTick, formatValue } from './format.js';

/** Size and decorations of one drawn panel. */
export interface PanelFrame {
  readonly width: number;
  readonly height: number;
  readonly axis: EpochAxis;
  /** Whether the epoch tick labels are written (only on the last panel of a column). */
  readonly xLabels: boolean;
  /** Adds invisible points whose SVG `<title>` shows the values on hover. */
  readonly tooltips: boolean;
}

/** Draws bands widest first so the narrower ones stay visible on top. */
const BAND_ORDER: readonly BandKind[] = ['min-max', 'q1-q3', 'std'];
const BAND_OPACITY: Readonly<Record<BandKind, number>> = { 'min-max': 0.12, 'q1-q3': 0.22, std: 0.22 };
const BAND_NAME: Readonly<Record<BandKind, string>> = { 'min-max': 'min–max', 'q1-q3': 'q1–q3', std: '±std' };

let sharedDocument: Document | undefined;

/** A server-side DOM for Plot; one is enough, Plot only creates detached elements in it. */
function plotDocument(): Document {
  sharedDocument ??= parseHTML('<!doctype html><html><head></head><body></body></html>').document;
  return sharedDocument;
}

/**
 * Draws one panel with Observable Plot and returns its `<svg>` markup, placed at (x, y) of the
 * enclosing figure. Every text from the data (series names in tooltips) goes through Plot's
 * text nodes, which the serialiser escapes.
 */
export function drawPanel(panel: PanelModel, frame: PanelFrame, x: number, y: number): string {
  const { spec, points } = panel;
  const log = spec.yScale === 'log';
  // A log axis cannot show zero or negatives: leave a gap there instead of breaking the scale.
  const keep = (values: Float64Array): Float64Array => (log ? values.map((v) => (v > 0 ? v : Number.NaN)) : values);
  const marks: Plot.Markish[] = [];
  const color = { domain: panel.series.map((s) => s.key), range: panel.series.map((s) => s.color) };
  const labelOf = new Map(panel.series.map((s) => [s.key, s.label]));
  // Channels are passed as arrays over an index: no object and no accessor call per point.
  const index = { length: points.length };
  const xy = { x: points.epoch, z: points.series };

  if (points.length === 0) {
    marks.push(Plot.text(['no data yet'], { frameAnchor: 'middle', fill: '#888' }));
  } else if (spec.kind === 'relations') {
    const stacked = stack(
      points,
      panel.series.map((s) => s.key),
    );
    const at = { length: stacked.epoch.length };
    marks.push(
      Plot.areaY(at, {
        x: stacked.epoch,
        y1: stacked.y1,
        y2: stacked.y2,
        z: stacked.series,
        fill: stacked.series,
        fillOpacity: 0.85,
      }),
    );
    const first = stacked.epoch.reduce((a, b) => Math.min(a, b), Infinity);
    const labels = Array.from(at, (_, i) => i).filter(
      (i) => stacked.epoch[i] === first && (stacked.y2[i] ?? 0) - (stacked.y1[i] ?? 0) > 0.06,
    );
    marks.push(
      Plot.text(labels, {
        x: (i: number) => stacked.epoch[i],
        y: (i: number) => ((stacked.y1[i] ?? 0) + (stacked.y2[i] ?? 0)) / 2,
        text: (i: number) => labelOf.get(stacked.series[i] ?? '') ?? '',
        textAnchor: 'start',
        dx: 3,
        fill: 'white',
        fontSize: 9,
      }),
    );
    if (frame.tooltips) {
      const mid = stacked.y1.map((v, i) => (v + (stacked.y2[i] ?? v)) / 2);
      marks.push(
        Plot.dot(at, {
          x: stacked.epoch,
          y: mid,
          r: 3,
          fill: stacked.series,
          fillOpacity: 0,
          title: Array.from(
            at,
            (_, i) =>
              `${labelOf.get(stacked.series[i] ?? '') ?? ''} · epoch ${stacked.epoch[i]}: ${formatValue((stacked.y2[i] ?? 0) - (stacked.y1[i] ?? 0))}`,
          ),
        }),
      );
    }
  } else {
    const line = keep(points.y);
    if (spec.kind === 'numerical') {
      for (const band of BAND_ORDER) {
        const edges = points.bands[band];
        if (edges === undefined) continue;
        marks.push(
          Plot.areaY(index, {
            ...xy,
            y1: keep(edges.lo),
            y2: keep(edges.hi),
            fill: points.series,
            fillOpacity: BAND_OPACITY[band],
          }),
        );
      }
    } else {
      marks.push(Plot.areaY(index, { ...xy, y1: 0, y2: line, fill: points.series, fillOpacity: 0.2 }));
    }
    marks.push(Plot.lineY(index, { ...xy, y: line, stroke: points.series, strokeWidth: 1.5 }));
    // A series with one epoch has no line yet: show its points.
    if (frame.axis.ticks.length <= 1 || new Set(points.epoch).size <= 1) {
      marks.push(Plot.dot(index, { x: points.epoch, y: line, fill: points.series, r: 2.5 }));
    }
    if (frame.tooltips) {
      const tips = tooltipPoints(points.epoch, frame);
      marks.push(
        Plot.dot(tips, {
          x: (i: number) => points.epoch[i],
          y: (i: number) => line[i],
          r: 3.5,
          fill: (i: number) => points.series[i],
          fillOpacity: 0,
          title: (i: number) => tooltip(labelOf.get(points.series[i] ?? '') ?? '', points, i),
        }),
      );
    }
  }

  const fixedDomain = spec.yDomain ?? (spec.kind === 'probability' ? [0, 1] : undefined);
  const svg = Plot.plot({
    document: plotDocument(),
    width: frame.width,
    height: frame.height,
    marginLeft: 46,
    marginRight: 18,
    marginTop: 8,
    marginBottom: frame.xLabels ? 22 : 8,
    style: { background: 'transparent', overflow: 'visible' },
    x: {
      domain: [...frame.axis.domain],
      ticks: [...frame.axis.ticks],
      tickFormat: frame.xLabels ? (d: number) => String(d) : () => '',
      tickSize: frame.xLabels ? 5 : 3,
      label: null,
    },
    y: {
      type: log ? 'log' : 'linear',
      ...(fixedDomain === undefined ? { nice: true } : { domain: [...fixedDomain] }),
      ticks: frame.height < 140 ? 3 : 5,
      tickFormat: formatTick,
      grid: true,
      label: null,
    },
    color,
    marks,
  }) as unknown as Element;
  // Each Plot SVG carries the same <style>; the figure keeps one copy instead of hundreds.
  for (const style of Array.from(svg.querySelectorAll('style'))) style.remove();
  // Inherit the figure's font (Plot asks for system-ui, which PNG rendering does not know).
  svg.removeAttribute('font-family');
  svg.setAttribute('x', String(x));
  svg.setAttribute('y', String(y));
  return svg.outerHTML;
}

/**
 * The points that get a hover target: every epoch while targets are at least 4 px apart,
 * otherwise every k-th epoch (plus the last), so a 3000-epoch run does not put thousands of
 * invisible circles in each panel. Each tooltip names its epoch, so thinning never misleads.
 */
function tooltipPoints(epochs: Float64Array, frame: PanelFrame): number[] {
  const [first, last] = frame.axis.domain;
  const room = Math.max(10, Math.floor((frame.width - 64) / 4));
  const stride = Math.max(1, Math.ceil((last - first + 1) / room));
  const out: number[] = [];
  epochs.forEach((e, i) => {
    if ((e - first) % stride === 0 || e === last) out.push(i);
  });
  return out;
}

function tooltip(label: string, points: PanelModel['points'], i: number): string {
  const lines = [`${label} · epoch ${points.epoch[i]}: ${formatValue(points.y[i])}`];
  for (const band of BAND_ORDER) {
    const b = points.bands[band];
    if (b !== undefined && !Number.isNaN(b.lo[i] ?? Number.NaN))
      lines.push(`${BAND_NAME[band]}: ${formatValue(b.lo[i])} … ${formatValue(b.hi[i])}`);
  }
  return lines.join('\n');
}

interface Stacked {
  epoch: number[];
  series: string[];
  y1: number[];
  y2: number[];
}

/** Stacks the series' shares per epoch, in series order (first series at the bottom). */
function stack(points: PanelModel['points'], order: readonly string[]): Stacked {
  const rank = new Map(order.map((k, i) => [k, i]));
  const idx = Array.from({ length: points.length }, (_, i) => i).sort(
    (a, b) =>
      (points.epoch[a] ?? 0) - (points.epoch[b] ?? 0) ||
      (rank.get(points.series[a] ?? '') ?? 0) - (rank.get(points.series[b] ?? '') ?? 0),
  );
  const rows: { epoch: number; series: string; y1: number; y2: number }[] = [];
  let epoch = Number.NaN;
  let base = 0;
  for (const i of idx) {
    const e = points.epoch[i] ?? 0;
    if (e !== epoch) {
      epoch = e;
      base = 0;
    }
    const raw = points.y[i] ?? Number.NaN;
    const v = Number.isNaN(raw) || raw < 0 ? 0 : raw;
    rows.push({ epoch: e, series: points.series[i] ?? '', y1: base, y2: base + v });
    base += v;
  }
  // Plot draws one area per series; keep each series' points together and in epoch order.
  rows.sort((a, b) => (rank.get(a.series) ?? 0) - (rank.get(b.series) ?? 0) || a.epoch - b.epoch);
  return {
    epoch: rows.map((r) => r.epoch),
    series: rows.map((r) => r.series),
    y1: rows.map((r) => r.y1),
    y2: rows.map((r) => r.y2),
  };
}
