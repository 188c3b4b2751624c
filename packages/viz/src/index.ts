export { escapeMarkup, xmlSafeText } from './escape.js';
export { runColor, roleDash, seriesColor } from './figure/colors.js';
export { epochAxis, type EpochAxis } from './figure/epoch-axis.js';
export {
  figureModel,
  type ColumnModel,
  type FigureModel,
  type BandEdges,
  type FigureModelOptions,
  type PanelModel,
  type PanelPoints,
  type RunSwatch,
  type SeriesInfo,
} from './figure/figure-model.js';
export { drawablePlotSpec } from './figure/plot-spec.js';
export { readRunTables } from './figure/run-loader.js';
export { renderFigure, type FigureOptions, type FigureSource, type RenderedFigure } from './figure/render-figure.js';
export {
  figureFormatOf,
  figureHtml,
  renderFigureToFile,
  svgToPng,
  type FigureFileOptions,
  type FigureFormat,
} from './figure/figure-file.js';
export { serve, type LiveInspector, type LivePage, type ServeOptions } from './live/serve.js';
export { livePageHtml } from './live/page.js';
export { serveRuns, type RunsPage, type ServeRunsOptions } from './live/serve-runs.js';
export { RunList, type RunListRow } from './runs/run-list.js';
export { globRunDirs, isRunDir, runDirsIn, runSourceKind, type RunSourceKind } from './runs/run-dirs.js';
export { ProgressTracker, formatDuration, type BatchProgress, type ProgressSnapshot } from './progress.js';
export {
  TerminalReporter,
  type ReportedInspector,
  type TerminalReporterOptions,
} from './terminal/terminal-reporter.js';
export { epochSummary, type EpochSummary, type SummaryThresholds } from './terminal/epoch-summary.js';
