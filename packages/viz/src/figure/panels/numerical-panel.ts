import * as Plot from '@observablehq/plot';
import { BAND_OPACITY, BAND_ORDER } from './band-style.js';
import { lineChannels, lineMarks, onYScale } from './line-marks.js';
import type { PanelDrawer } from './panel-drawer.js';

/**
 * `numerical` panels: each series' line over the bands the spec asks for (mean ± std, min–max,
 * q1–q3), on an axis fitted to the data; loss, norms, ratios.
 */
export const numericalPanel: PanelDrawer = {
  seriesPerModule: false,
  legendSwatch: 'line',
  defaultYDomain: undefined,
  marks(panel, frame) {
    const { spec, points } = panel;
    const { index, xy } = lineChannels(points);
    const marks: Plot.Markish[] = [];
    for (const band of BAND_ORDER) {
      const edges = points.bands[band];
      if (edges === undefined) continue;
      marks.push(
        Plot.areaY(index, {
          ...xy,
          y1: onYScale(spec, edges.lo),
          y2: onYScale(spec, edges.hi),
          fill: points.series,
          fillOpacity: BAND_OPACITY[band],
        }),
      );
    }
    return [...marks, ...lineMarks(panel, frame, onYScale(spec, points.y))];
  },
};
