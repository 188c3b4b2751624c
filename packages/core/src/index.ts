/**
 * `@monitorch/core`: the event bus, the Inspector, the lens contract and lens kit, reduction
 * requests and their CPU kernels, running statistics, and reading run files. What the
 * Inspector uses to store and write tables (LensTable, RunWriter, record batches) is in
 * `@monitorch/core/internals` and may change in any release.
 *
 * @packageDocumentation
 */
export {
  MONITORCH_ERROR_CODES,
  MonitorchError,
  isMonitorchError,
  isMonitorchErrorCode,
  type MonitorchErrorCode,
} from './errors.js';
export { MODULE_KINDS, type ModuleInfo, type ModuleKind, type ParameterInfo } from './module-info.js';
export { DEFAULT_PHASE, type Phase } from './phase.js';
export {
  matchesModule,
  reductionKey,
  reductionsFor,
  requestWants,
  watches,
  watchesSource,
  type ModuleSelector,
  type Reduction,
  type ReductionOp,
  type ReductionRequest,
  type ReductionResult,
  type Sampling,
  type TensorSelector,
  type TensorSource,
} from './reduction.js';
export type {
  AdapterReport,
  EpochEvent,
  EventStamp,
  ForwardEvent,
  OutputEvent,
  GradientEvent,
  LossEvent,
  MetricEvent,
  MonitorEvent,
  OutputGradientEvent,
  ParameterEvent,
  ReductionAnswers,
  StepEvent,
  TensorEvent,
  TensorReport,
  UpdateEvent,
  WarningEvent,
} from './events.js';
export { tensorReport } from './events.js';
export { Bus } from './bus.js';
export type { Adapter, AdapterConnection, AdapterEvents } from './adapter.js';
export type { Lens, LensClass, LensHost } from './lens.js';
export {
  SUMMARY_COLUMNS,
  defineTable,
  type BandKind,
  type CellValue,
  type ColumnSpec,
  type ColumnType,
  type PanelSpec,
  type PlotSpec,
  type TableRow,
  type TableSpec,
} from './tables/table-spec.js';
export { RunningStats } from './stats/running-stats.js';
export { Inspector, type AttachOptions, type EpochClosed, type InspectorOptions } from './inspector.js';
export { reduce, type ReduceContext } from './kernels/reduce.js';
export { sampleL2 } from './kernels/sample-l2.js';
export { previousDot, type PreviousDotResult } from './kernels/previous-dot.js';
export { updateRatio } from './kernels/update-ratio.js';
export { singularRatio, type SingularRatioResult } from './kernels/singular-ratio.js';
export { histogram, histogramProblem, MAX_HISTOGRAM_BINS, type HistogramResult } from './kernels/histogram.js';
export { activeCountPerChannel, activeCountPerNeuron, type ActiveCountResult } from './kernels/active-count.js';
export { sum, sumSquares, l2 } from './kernels/moments.js';
export { min, max } from './kernels/extremes.js';
export { nonFinite, type NonFiniteCount } from './kernels/non-finite.js';
export type { TensorData } from './kernels/tensor-data.js';
export { QuantileSketch, type QuantileSketchOptions } from './stats/quantile-sketch.js';
export { SeriesStats, type SeriesSummary } from './stats/series-stats.js';
export type { RunningStatsState, StatsSummary } from './stats/running-stats.js';
export {
  LoopAdapter,
  type BeforeAfter,
  type LossOptions,
  type OutputOptions,
  type ParameterOptions,
} from './loop-adapter.js';
export type { ModuleDeclaration } from './loop/module-registry.js';
export { plotSpecOf, tableSpecOf } from './arrow/schema-reader.js';
export { readRun, readRunSync, type ReadRunOptions, type RunTableSource } from './arrow/run-reader.js';
export { runDamageText, type RunDamage } from './arrow/run-damage.js';
export type { ArrowFileSum, RunConfigValue, RunManifest } from './arrow/run-manifest.js';
export {
  RUN_COLUMN,
  readRuns,
  readRunsSync,
  runNames,
  type ReadRunsOptions,
  type RunEntry,
} from './arrow/read-runs.js';
export { readRunsInfo } from './arrow/runs-info.js';
export { runStatus, type RunStatus } from './arrow/run-status.js';
export { QUANTILE_COLUMNS, summaryCells } from './lens-kit/summary-cells.js';
export { unitRates, type BatchRates } from './lens-kit/unit-rates.js';
export { DeadUnits } from './lens-kit/dead-units.js';
export { orderPhases } from './lens-kit/phase-order.js';
export { AGGREGATIONS, type Aggregation } from './lens-kit/aggregation.js';
export { aggregationOption, checkEps, epsOption, phasesOption, stringListOption } from './lens-kit/option-checks.js';
export { oneValueRow, worst, type Worst } from './lens-kit/worst-rows.js';
export {
  WARNING_QUANTITIES,
  rateColumns,
  rateTable,
  type RateTableOptions,
  type RateWording,
} from './lens-kit/rate-table.js';
export { UnitRateEpoch } from './lens-kit/unit-rate-epoch.js';
export { UnitRateLens, type UnitRateLensConfig } from './lens-kit/unit-rate-lens.js';
export { ScalarSeriesLens, type ComparisonConfig, type ScalarSeriesLensConfig } from './lens-kit/scalar-series-lens.js';
export {
  NON_FINITE_SAMPLES_COLUMN,
  PARAMETER_COLUMN,
  scalarSeriesColumns,
  shareCells,
} from './lens-kit/scalar-series-table.js';
export { correlationSample, entriesFrom } from './lens-kit/geometry-samples.js';
export {
  BAND_KINDS,
  bandsOption,
  booleanOption,
  moduleSelectorOption,
  parametersOption,
  samplingOption,
} from './lens-kit/lens-options.js';
export { titleCase } from './lens-kit/title-case.js';
export { parameterRequests } from './lens-kit/parameter-requests.js';
export { samplingProblem } from './request-check.js';
