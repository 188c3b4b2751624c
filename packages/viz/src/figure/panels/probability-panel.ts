import * as Plot from '@observablehq/plot';
import { lineChannels, lineMarks, onYScale } from './line-marks.js';
import type { PanelDrawer } from './panel-drawer.js';

/**
 * `probability` panels: each series' line over a light area down to zero, on a fixed 0–1 axis
 * (unless the spec sets `yDomain`), so rates of different layers compare at a glance. Compared
 * runs get their lines only.
 */
export const probabilityPanel: PanelDrawer = {
  seriesPerModule: false,
  legendSwatch: 'line',
  defaultYDomain: [0, 1],
  marks(panel, frame) {
    const { spec, points } = panel;
    const { index, xy } = lineChannels(points);
    const line = onYScale(spec, points.y);
    // Compared runs' areas would pile into a muddy brown: their lines alone stay readable.
    if (panel.series.some((s) => s.run !== undefined)) return lineMarks(panel, frame, line);
    return [
      Plot.areaY(index, { ...xy, y1: 0, y2: line, fill: points.series, fillOpacity: 0.2 }),
      ...lineMarks(panel, frame, line),
    ];
  },
};
