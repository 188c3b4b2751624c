/**
 * `@monitorch/viz/browser`: what draws figures without Node — the same figure code as the CLI,
 * Observable Plot on the page's own DOM (no linkedom, no resvg, no file system, no server).
 * Figures are built from lens tables (`inspector.allTables()`), not from run directories.
 */
export { escapeMarkup, xmlSafeText } from './escape.js';
export { seriesColor } from './figure/colors.js';
export { epochAxis, type EpochAxis } from './figure/epoch-axis.js';
export {
  figureModel,
  type ColumnModel,
  type FigureModel,
  type BandEdges,
  type PanelModel,
  type PanelPoints,
  type SeriesInfo,
} from './figure/figure-model.js';
export { renderFigure, type FigureOptions, type FigureSource, type RenderedFigure } from './figure/render-figure.js';
export { ProgressTracker, formatDuration, type BatchProgress, type ProgressSnapshot } from './progress.js';
