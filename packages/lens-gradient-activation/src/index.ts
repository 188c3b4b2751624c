export { ParameterGradientActivation } from './gradient-activation.js';
export {
  resolveOptions,
  type Aggregation,
  type ParameterGradientActivationOptions,
  type ResolvedOptions,
} from './options.js';
export {
  GRADIENT_COLUMNS,
  GRADIENT_WORDING,
  WARNING_QUANTITIES,
  gradientTable,
  parameterQuantities,
  type GradientTableOptions,
} from './gradient-table.js';
export { titleCase } from './title-case.js';
