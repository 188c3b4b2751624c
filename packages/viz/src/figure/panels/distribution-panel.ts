import * as Plot from '@observablehq/plot';
import { heatMap } from './distribution-cells.js';
import { distributionLegend } from './distribution-legend.js';
import type { PanelDrawer } from './panel-drawer.js';
import { SHARE_COLOR_SCALE } from './share-colors.js';

/**
 * `distribution` panels: how a tensor's values spread over fixed bins, epoch by epoch, as a
 * heat map (fastai's "colorful dimension"): x the epoch, y the value, colour the share of the
 * entries in each bin on a log scale. Saturation shows as colour piling into the top or bottom
 * bins or into the edge rows beyond the binned range (set apart by thin rules), collapse as a
 * band narrowing to one bin, explosion as colour leaving the range.
 */
export const distributionPanel: PanelDrawer = {
  seriesPerModule: false,
  legendSwatch: 'fill',
  defaultYDomain: undefined,
  colorScale: SHARE_COLOR_SCALE,
  legend: distributionLegend,
  yAxis(panel, frame) {
    const { domain, ticks } = heatMap(panel, frame);
    return domain === undefined ? undefined : { type: 'linear', domain, ticks };
  },
  marks(panel, frame) {
    const { cells, edges } = heatMap(panel, frame);
    const marks: Plot.Markish[] = [
      Plot.rect(
        { length: cells.length },
        {
          x1: cells.x1,
          x2: cells.x2,
          y1: cells.y1,
          y2: cells.y2,
          fill: cells.share,
          // Without it anti-aliasing leaves hairline seams between neighbouring cells.
          shapeRendering: 'crispEdges',
          // Cells of the first and last epoch reach half a cell past the shared epoch axis.
          clip: 'frame',
          ...(frame.tooltips ? { title: cells.title } : {}),
        },
      ),
    ];
    if (edges.length > 0) {
      marks.push(
        Plot.ruleY(
          { length: edges.length },
          { y: edges.y, x1: edges.x1, x2: edges.x2, stroke: '#333', strokeWidth: 0.75, clip: 'frame' },
        ),
      );
    }
    if (cells.length === 0) marks.push(Plot.text(['no entries in range'], { frameAnchor: 'middle', fill: '#888' }));
    return marks;
  },
};
