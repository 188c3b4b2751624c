import * as Plot from '@observablehq/plot';
import { BAND_OPACITY, BAND_ORDER } from './band-style.js';
import { bandLowOnYScale, lineChannels, lineMarks, onYScale, smallestPositive } from './line-marks.js';
import { logAxis } from '../log-axis.js';
import type { PanelDrawer } from './panel-drawer.js';

/**
 * `numerical` panels: each series' line over the bands the spec asks for (mean ± std, min–max,
 * q1–q3), on an axis fitted to the data; loss, norms, ratios. On a log axis a band whose lower
 * edge is at or below zero reaches down to the panel's smallest positive value.
 */
export const numericalPanel: PanelDrawer = {
  seriesPerModule: false,
  legendSwatch: 'line',
  defaultYDomain: undefined,
  yAxis(panel, frame) {
    const { spec, points } = panel;
    if (spec.yScale !== 'log' || spec.yDomain !== undefined) return undefined;
    const edges = BAND_ORDER.flatMap((band) => {
      const b = points.bands[band];
      return b === undefined ? [] : [b.lo, b.hi];
    });
    return logAxis([points.y, ...edges], frame.height < 140 ? 3 : 5);
  },
  marks(panel, frame) {
    const { spec, points } = panel;
    const { index, xy } = lineChannels(points);
    const marks: Plot.Markish[] = [];
    const present = BAND_ORDER.flatMap((band) => {
      const edges = points.bands[band];
      return edges === undefined ? [] : [edges.lo, edges.hi];
    });
    const floor = smallestPositive([points.y, ...present]);
    for (const band of BAND_ORDER) {
      const edges = points.bands[band];
      if (edges === undefined) continue;
      marks.push(
        Plot.areaY(index, {
          ...xy,
          y1: bandLowOnYScale(spec, edges.lo, floor),
          y2: onYScale(spec, edges.hi),
          fill: points.series,
          fillOpacity: BAND_OPACITY[band],
        }),
      );
    }
    return [...marks, ...lineMarks(panel, frame, onYScale(spec, points.y))];
  },
};
