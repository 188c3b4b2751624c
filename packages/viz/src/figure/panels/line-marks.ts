import * as Plot from '@observablehq/plot';
import type { PanelSpec } from '@monitorch/core';
import type { PanelModel, PanelPoints } from '../figure-model.js';
import { formatValue } from '../format.js';
import { BAND_NAME, BAND_ORDER } from './band-style.js';
import type { PanelFrame } from './panel-drawer.js';

// What the line-based kinds (numerical, probability) draw alike: the line, dots while a series
// has a single epoch, and hover targets. Each kind draws its own marks under the line.

/** The index and x/series channels every line-based mark of a panel takes. */
export interface LineChannels {
  /** Channels are arrays over this index: no object and no accessor call per point. */
  readonly index: { readonly length: number };
  /** x (the epoch) and z (the series key) of every point: one line per series. */
  readonly xy: { readonly x: Float64Array; readonly z: readonly string[] };
}

/** The shared channels of a panel's points. */
export function lineChannels(points: PanelPoints): LineChannels {
  return { index: { length: points.length }, xy: { x: points.epoch, z: points.series } };
}

/**
 * Values as the y scale can show them: a log axis cannot show zero or negatives, so those
 * become NaN and leave a gap instead of breaking the scale.
 *
 * @param spec - the panel spec (its `yScale`)
 * @param values - y values, one per point
 */
export function onYScale(spec: PanelSpec, values: Float64Array): Float64Array {
  return spec.yScale === 'log' ? values.map((v) => (v > 0 ? v : Number.NaN)) : values;
}

/**
 * A band's lower edge as the y scale can show it. On a log axis an edge at or below zero (mean
 * − std of a skewed, positive quantity such as a gradient norm) cannot be drawn; dropping it
 * would hide the whole band at that epoch, so it is drawn down to `floor`, the smallest positive
 * value the panel shows: the band visibly reaches the bottom of the axis.
 *
 * @param spec - the panel spec (its `yScale`)
 * @param lo - lower edges, one per point (NaN = no band there)
 * @param floor - smallest positive value of the panel's lines and bands
 */
export function bandLowOnYScale(spec: PanelSpec, lo: Float64Array, floor: number): Float64Array {
  return spec.yScale === 'log' ? lo.map((v) => (v > 0 ? v : Number.isNaN(v) ? v : floor)) : lo;
}

/** The smallest positive finite value among `arrays` (NaN when there is none). */
export function smallestPositive(arrays: readonly Float64Array[]): number {
  let floor = Infinity;
  for (const values of arrays) for (const v of values) if (v > 0 && v < floor) floor = v;
  return Number.isFinite(floor) ? floor : Number.NaN;
}

/**
 * The line of every series, its points while it has a single epoch, and (with `tooltips`)
 * invisible hover targets whose `<title>` gives the value and bands at that epoch.
 *
 * @param panel - the panel's series and points
 * @param frame - the panel frame
 * @param line - the line values, already {@link onYScale | on the y scale}
 */
export function lineMarks(panel: PanelModel, frame: PanelFrame, line: Float64Array): Plot.Markish[] {
  const { points } = panel;
  const { index, xy } = lineChannels(points);
  // Plot takes one dash pattern per mark, so each pattern gets its own line mark over its series.
  const dashOf = new Map(panel.series.map((s) => [s.key, s.dash]));
  const patterns = [...new Set(panel.series.map((s) => s.dash))];
  const marks: Plot.Markish[] = patterns.map((dash) =>
    Plot.lineY(index, {
      ...xy,
      y: line,
      stroke: points.series,
      strokeWidth: 1.5,
      ...(dash === undefined ? {} : { strokeDasharray: dash }),
      ...(patterns.length > 1 ? { filter: points.series.map((k) => dashOf.get(k) === dash) } : {}),
    }),
  );
  // A series with one epoch has no line yet: show its points.
  if (frame.axis.ticks.length <= 1 || new Set(points.epoch).size <= 1) {
    marks.push(Plot.dot(index, { x: points.epoch, y: line, fill: points.series, r: 2.5 }));
  }
  if (frame.tooltips) {
    const labelOf = new Map(panel.series.map((s) => [s.key, s.label]));
    marks.push(
      Plot.dot(tooltipPoints(points.epoch, frame), {
        x: (i: number) => points.epoch[i],
        y: (i: number) => line[i],
        r: 3.5,
        fill: (i: number) => points.series[i],
        fillOpacity: 0,
        title: (i: number) => tooltip(labelOf.get(points.series[i] ?? '') ?? '', points, i),
      }),
    );
  }
  return marks;
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

/** The hover text of point `i`: series, epoch and value, then every band present there. */
function tooltip(label: string, points: PanelPoints, i: number): string {
  const lines = [`${label} · epoch ${points.epoch[i]}: ${formatValue(points.y[i])}`];
  for (const band of BAND_ORDER) {
    const b = points.bands[band];
    if (b !== undefined && !Number.isNaN(b.lo[i] ?? Number.NaN))
      lines.push(`${BAND_NAME[band]}: ${formatValue(b.lo[i])} … ${formatValue(b.hi[i])}`);
  }
  return lines.join('\n');
}
