/**
 * `@monitorch/adapter-tfjs`: watch a TensorFlow.js model train. `watch(model, inspector)` is a
 * `fit()` callback; {@link TfjsAdapter} serves custom loops (`optimizer.minimize`,
 * `tf.variableGrads`). Reductions run on the model's tfjs backend; only the answers are read back.
 *
 * @packageDocumentation
 */
export { TfjsAdapter, outputLayout, type StepReport, type TfjsAdapterOptions } from './tfjs-adapter.js';
export { watch, type TfjsWatch, type WatchOptions } from './watch.js';
export {
  backendAnswer,
  readAnswer,
  type BackendAnswer,
  type ReductionContext,
  type TensorLayout,
} from './backend-reductions.js';
export {
  modelModules,
  type ModelModules,
  type ModuleMapOptions,
  type OutputSite,
  type ParameterSite,
} from './model-modules.js';
export { LAYER_KINDS } from './layer-kinds.js';
export { floatThreshold } from './float-threshold.js';
export type { LayerLike, LayerVariableLike, LayersModelLike, OptimizerLike } from './tfjs-shapes.js';
