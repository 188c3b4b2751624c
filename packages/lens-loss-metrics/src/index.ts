export {
  LossMetrics,
  type EpochLoss,
  type LossMetricsOptions,
  type LossQuery,
  type LossStatistic,
} from './loss-metrics.js';
export { LOSS_COLUMNS, lossTable, type LineKind, type LossTableOptions } from './loss-table.js';
