export { OutputActivation } from './output-activation.js';
export { resolveOptions, type Aggregation, type OutputActivationOptions, type ResolvedOptions } from './options.js';
export {
  ACTIVATION_COLUMNS,
  ACTIVATION_WORDING,
  LAYER_QUANTITIES,
  WARNING_QUANTITIES,
  activationTable,
  type ActivationTableOptions,
} from './activation-table.js';
