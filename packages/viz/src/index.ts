export { escapeMarkup } from './escape.js';
export { seriesColor } from './figure/colors.js';
export { epochAxis, type EpochAxis } from './figure/epoch-axis.js';
export { figureModel, type ColumnModel, type FigureModel, type PanelModel, type PanelPoint, type SeriesInfo } from './figure/figure-model.js';
export { plotSpecOf, tableNameOf, METADATA } from './figure/plot-spec.js';
export { readRunTables } from './figure/run-loader.js';
export { renderFigure, type FigureOptions, type FigureSource, type RenderedFigure } from './figure/render-figure.js';
export { figureFormatOf, figureHtml, renderFigureToFile, svgToPng, type FigureFileOptions, type FigureFormat } from './figure/figure-file.js';
