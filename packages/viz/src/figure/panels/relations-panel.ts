import * as Plot from '@observablehq/plot';
import type { PanelPoints } from '../figure-model.js';
import { formatValue } from '../format.js';
import type { PanelDrawer } from './panel-drawer.js';

/**
 * `relations` panels: the series' shares stacked per epoch (a big panel stacks one band per
 * module, labelled at the first epoch where it is tall enough to read), e.g. how the update
 * is split across layers.
 */
export const relationsPanel: PanelDrawer = {
  seriesPerModule: true,
  overlaysRuns: false,
  legendSwatch: 'fill',
  defaultYDomain: undefined,
  marks(panel, frame) {
    const stacked = stack(
      panel.points,
      panel.series.map((s) => s.key),
    );
    const labelOf = new Map(panel.series.map((s) => [s.key, s.label]));
    const at = { length: stacked.epoch.length };
    const marks: Plot.Markish[] = [
      Plot.areaY(at, {
        x: stacked.epoch,
        y1: stacked.y1,
        y2: stacked.y2,
        z: stacked.series,
        fill: stacked.series,
        fillOpacity: 0.85,
      }),
    ];
    const first = stacked.epoch.reduce((a, b) => Math.min(a, b), Infinity);
    // Label a band only where it is tall enough (6 % of the axis) for its text to fit inside.
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
      const share = (i: number): string => formatValue((stacked.y2[i] ?? 0) - (stacked.y1[i] ?? 0));
      marks.push(
        Plot.dot(at, {
          x: stacked.epoch,
          y: mid,
          r: 3,
          fill: stacked.series,
          fillOpacity: 0,
          title: Array.from(
            at,
            (_, i) => `${labelOf.get(stacked.series[i] ?? '') ?? ''} · epoch ${stacked.epoch[i]}: ${share(i)}`,
          ),
        }),
      );
    }
    return marks;
  },
};

/** Each point's band: from `y1` (the shares stacked below it) to `y2`, in drawing order. */
interface Stacked {
  epoch: number[];
  series: string[];
  y1: number[];
  y2: number[];
}

/** Stacks the series' shares per epoch, in series order (first series at the bottom). */
function stack(points: PanelPoints, order: readonly string[]): Stacked {
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
    // A missing or negative share takes no room: the others stay stacked on what is there.
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
