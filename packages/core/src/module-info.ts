/**
 * What a module is, in the words lenses select on. Backends map their layer classes to one
 * of these kinds (ReLU → `activation`, Dropout → `dropout`, Linear → `linear`, …).
 */
export type ModuleKind =
  'activation' | 'dropout' | 'linear' | 'conv' | 'pool' | 'normalization' | 'reshape' | 'container' | 'other';

/** All module kinds, in a stable order. */
export const MODULE_KINDS: readonly ModuleKind[] = [
  'activation',
  'dropout',
  'linear',
  'conv',
  'pool',
  'normalization',
  'reshape',
  'container',
  'other',
];

/** A named parameter tensor of a module (for example `weight` with shape `[out, in]`). */
export interface ParameterInfo {
  /** Parameter name inside its module, e.g. `weight` or `bias`. */
  readonly name: string;
  /** Tensor shape; dimension 0 is the output neuron / output channel. */
  readonly shape: readonly number[];
}

/**
 * One module of the watched network. `name` is the full dotted path (`conv.relu1`), unique in
 * a model; `order` is the forward order, used to keep table rows stable.
 */
export interface ModuleInfo {
  /** Full dotted name, unique within the model (e.g. `dense.lin1`). */
  readonly name: string;
  /** Kind used by lens selectors. */
  readonly kind: ModuleKind;
  /** Layer class as the backend calls it (e.g. `ReLU`, `Conv2d`); informative. */
  readonly type: string;
  /** Parameter tensors this module owns (empty for activations). */
  readonly parameters: readonly ParameterInfo[];
  /** Position in forward order (0-based). */
  readonly order: number;
}
