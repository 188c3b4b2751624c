import * as Plot from '@observablehq/plot';
import type { PanelModel } from './figure-model.js';
import { formatTick } from './format.js';
import type { PanelFrame } from './panels/panel-drawer.js';
import { PANEL_DRAWERS } from './panels/panel-kinds.js';
import { plotDocument } from './plot-document.js';

/**
 * Draws one panel with Observable Plot and returns its `<svg>` markup, placed at (x, y) of the
 * enclosing figure. The panel's kind draws the marks (`panels/<kind>-panel.ts`); the frame,
 * axes and scales are the same for every kind. Every text from the data (series names in
 * tooltips) goes through Plot's text nodes, which the serialiser escapes.
 *
 * @param panel - a panel of a known kind (`figureModel` leaves out the others)
 * @param frame - size, epoch axis, tick labels and tooltips
 * @param x - left edge in the figure
 * @param y - top edge in the figure
 */
export function drawPanel(panel: PanelModel, frame: PanelFrame, x: number, y: number): string {
  const { spec } = panel;
  const drawer = PANEL_DRAWERS[spec.kind];
  const marks =
    panel.points.length === 0
      ? [Plot.text(['no data yet'], { frameAnchor: 'middle', fill: '#888' })]
      : drawer.marks(panel, frame);
  const fixedDomain = spec.yDomain ?? drawer.defaultYDomain;
  const ownAxis = panel.points.length === 0 ? undefined : drawer.yAxis?.(panel, frame);
  const yAxis =
    ownAxis !== undefined
      ? { domain: [...ownAxis.domain], ticks: [...ownAxis.ticks] }
      : {
          ...(fixedDomain === undefined ? { nice: true } : { domain: [...fixedDomain] }),
          ticks: frame.height < 140 ? 3 : 5,
        };
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
      type: ownAxis?.type ?? (spec.yScale === 'log' ? 'log' : 'linear'),
      ...yAxis,
      tickFormat: formatTick,
      grid: true,
      label: null,
    },
    color: drawer.colorScale ?? { domain: panel.series.map((s) => s.key), range: panel.series.map((s) => s.color) },
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
