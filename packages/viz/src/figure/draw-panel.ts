import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { BandKind } from '@monitorch/core';
import type { PanelModel, PanelPoint } from './figure-model.js';
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
  sharedDocument ??= parseHTML('<!doctype html><html><head></head><body></body></html>').document as unknown as Document;
  return sharedDocument;
}

/**
 * Draws one panel with Observable Plot and returns its `<svg>` markup, placed at (x, y) of the
 * enclosing figure. Every text from the data (series names in tooltips) goes through Plot's
 * text nodes, which the serialiser escapes.
 */
export function drawPanel(panel: PanelModel, frame: PanelFrame, x: number, y: number): string {
  const { spec } = panel;
  const log = spec.yScale === 'log';
  const keep = (v: number | null): number => (v === null || (log && v <= 0) ? NaN : v);
  const marks: Plot.Markish[] = [];
  const color = { domain: panel.series.map((s) => s.key), range: panel.series.map((s) => s.color) };
  const labelOf = new Map(panel.series.map((s) => [s.key, s.label]));

  if (panel.points.length === 0) {
    marks.push(Plot.text(['no data yet'], { frameAnchor: 'middle', fill: '#888' }));
  } else if (spec.kind === 'relations') {
    const stacked = stack(panel.points, panel.series.map((s) => s.key));
    marks.push(Plot.areaY(stacked, { x: 'epoch', y1: 'y1', y2: 'y2', fill: 'series', z: 'series', fillOpacity: 0.85, curve: 'linear' }));
    const firstEpoch = Math.min(...stacked.map((p) => p.epoch));
    const labels = stacked.filter((p) => p.epoch === firstEpoch && p.y2 - p.y1 > 0.06);
    marks.push(Plot.text(labels, { x: 'epoch', y: (p: Stacked) => (p.y1 + p.y2) / 2, text: (p: Stacked) => labelOf.get(p.series) ?? '',
      textAnchor: 'start', dx: 3, fill: 'white', fontSize: 9 }));
    if (frame.tooltips) {
      marks.push(Plot.dot(stacked, { x: 'epoch', y: (p: Stacked) => (p.y1 + p.y2) / 2, r: 3, fill: 'series', fillOpacity: 0,
        title: (p: Stacked) => `${labelOf.get(p.series) ?? ''} · epoch ${p.epoch}: ${formatValue(p.y2 - p.y1)}` }));
    }
  } else {
    if (spec.kind === 'numerical') {
      for (const band of BAND_ORDER) {
        if (!(spec.bands ?? []).includes(band)) continue;
        const data = panel.points.map((p) => ({ epoch: p.epoch, series: p.series, lo: keep(p.bands[band]?.[0] ?? null), hi: keep(p.bands[band]?.[1] ?? null) }));
        marks.push(Plot.areaY(data, { x: 'epoch', y1: 'lo', y2: 'hi', fill: 'series', z: 'series', fillOpacity: BAND_OPACITY[band] }));
      }
    } else {
      marks.push(Plot.areaY(panel.points, { x: 'epoch', y1: 0, y2: (p: PanelPoint) => keep(p.y), fill: 'series', z: 'series', fillOpacity: 0.2 }));
    }
    marks.push(Plot.lineY(panel.points, { x: 'epoch', y: (p: PanelPoint) => keep(p.y), stroke: 'series', z: 'series', strokeWidth: 1.5 }));
    // A series with one epoch has no line yet: show its points.
    if (frame.axis.ticks.length <= 1 || new Set(panel.points.map((p) => p.epoch)).size <= 1) {
      marks.push(Plot.dot(panel.points, { x: 'epoch', y: (p: PanelPoint) => keep(p.y), fill: 'series', r: 2.5 }));
    }
    if (frame.tooltips) {
      marks.push(Plot.dot(panel.points, { x: 'epoch', y: (p: PanelPoint) => keep(p.y), r: 3.5, fill: 'series', fillOpacity: 0,
        title: (p: PanelPoint) => tooltip(labelOf.get(p.series) ?? '', p) }));
    }
  }

  const fixedDomain = spec.yDomain ?? (spec.kind === 'probability' ? [0, 1] : undefined);
  const svg = Plot.plot({
    document: plotDocument(),
    width: frame.width,
    height: frame.height,
    marginLeft: 46,
    marginRight: 12,
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

function tooltip(label: string, p: PanelPoint): string {
  const lines = [`${label} · epoch ${p.epoch}: ${formatValue(p.y)}`];
  for (const band of BAND_ORDER) {
    const b = p.bands[band];
    if (b !== undefined) lines.push(`${BAND_NAME[band]}: ${formatValue(b[0])} … ${formatValue(b[1])}`);
  }
  return lines.join('\n');
}

interface Stacked { epoch: number; series: string; y1: number; y2: number }

/** Stacks the series' shares per epoch, in series order (first series at the bottom). */
function stack(points: readonly PanelPoint[], order: readonly string[]): Stacked[] {
  const rank = new Map(order.map((k, i) => [k, i]));
  const byEpoch = new Map<number, PanelPoint[]>();
  for (const p of points) {
    let list = byEpoch.get(p.epoch);
    if (list === undefined) byEpoch.set(p.epoch, (list = []));
    list.push(p);
  }
  const out: Stacked[] = [];
  for (const [epoch, list] of [...byEpoch].sort((a, b) => a[0] - b[0])) {
    let base = 0;
    for (const p of list.sort((a, b) => (rank.get(a.series) ?? 0) - (rank.get(b.series) ?? 0))) {
      const v = p.y === null || p.y < 0 ? 0 : p.y;
      out.push({ epoch, series: p.series, y1: base, y2: base + v });
      base += v;
    }
  }
  // Plot draws one area per series; keep each series' points together and in epoch order.
  return out.sort((a, b) => (rank.get(a.series) ?? 0) - (rank.get(b.series) ?? 0) || a.epoch - b.epoch);
}
