import type * as Plot from '@observablehq/plot';
import type { PanelSpec } from '@monitorch/core';
import type { EpochAxis } from '../epoch-axis.js';
import type { PanelModel } from '../figure-model.js';

/** The kinds a panel spec may name (`numerical`, `probability`, `relations`), as core types them. */
export type PanelKind = PanelSpec['kind'];

/** Size and decorations of one drawn panel. */
export interface PanelFrame {
  /** Width in pixels, margins and axis labels included. */
  readonly width: number;
  /** Height in pixels, margins and axis labels included. */
  readonly height: number;
  /** The epoch axis, shared by every panel of the figure so epochs line up. */
  readonly axis: EpochAxis;
  /** Whether the epoch tick labels are written (only on the last panel of a column). */
  readonly xLabels: boolean;
  /** Adds invisible points whose SVG `<title>` shows the values on hover. */
  readonly tooltips: boolean;
}

/**
 * How one panel kind is drawn: like an Observable Plot mark, one per file
 * (`panels/<kind>-panel.ts`), all listed in `panels/panel-kinds.ts`. The frame, axes, scales
 * and the "no data yet" text are shared and drawn around the marks by `drawPanel`.
 */
export interface PanelDrawer {
  /**
   * Whether a big panel of this kind has one series per module (stacked shares) rather than one
   * per phase × quantity (× module). Small panels always show one module.
   */
  readonly seriesPerModule: boolean;
  /**
   * Whether the series of compared runs can share this kind's panel (default true). Stacked
   * shares cannot (two runs' stacks on one axis add up to nonsense): such a panel is drawn
   * once per run.
   */
  readonly overlaysRuns?: boolean;
  /** How the legend shows this kind's series: as lines (with their dash) or as filled areas. */
  readonly legendSwatch: 'line' | 'fill';
  /** The y domain when the spec sets none; `undefined` takes it from the data, rounded. */
  readonly defaultYDomain: readonly [number, number] | undefined;
  /**
   * The Plot marks of a panel that has at least one point.
   *
   * @param panel - series and points, built by `figureModel`
   * @param frame - size, epoch axis and whether to add hover tooltips
   */
  marks(panel: PanelModel, frame: PanelFrame): Plot.Markish[];
}
