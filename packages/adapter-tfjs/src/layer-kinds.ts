import type { ModuleKind } from '@monitorch/core';

/**
 * The kind of each tfjs-layers class, by `layer.getClassName()`: the words lenses select on.
 * A class missing here is `other` (still watched); pass `kinds` to `TfjsAdapter` to name the
 * kind of your own layer classes.
 */
export const LAYER_KINDS: Readonly<Record<string, ModuleKind>> = {
  Dense: 'linear',
  Conv1D: 'conv',
  Conv2D: 'conv',
  Conv3D: 'conv',
  Conv2DTranspose: 'conv',
  Conv3DTranspose: 'conv',
  SeparableConv2D: 'conv',
  DepthwiseConv2D: 'conv',
  Activation: 'activation',
  ReLU: 'activation',
  LeakyReLU: 'activation',
  PReLU: 'activation',
  ELU: 'activation',
  ThresholdedReLU: 'activation',
  Softmax: 'activation',
  Dropout: 'dropout',
  SpatialDropout1D: 'dropout',
  AlphaDropout: 'dropout',
  GaussianDropout: 'dropout',
  GaussianNoise: 'dropout',
  MaxPooling1D: 'pool',
  MaxPooling2D: 'pool',
  MaxPooling3D: 'pool',
  AveragePooling1D: 'pool',
  AveragePooling2D: 'pool',
  AveragePooling3D: 'pool',
  GlobalMaxPooling1D: 'pool',
  GlobalMaxPooling2D: 'pool',
  GlobalAveragePooling1D: 'pool',
  GlobalAveragePooling2D: 'pool',
  BatchNormalization: 'normalization',
  LayerNormalization: 'normalization',
  Flatten: 'reshape',
  Reshape: 'reshape',
  Permute: 'reshape',
  RepeatVector: 'reshape',
  Cropping2D: 'reshape',
  ZeroPadding2D: 'reshape',
  UpSampling2D: 'reshape',
};

/**
 * Layer classes whose `call` does not compute their output from one input tensor that the
 * adapter could reduce: wrappers run an inner layer the model does not list, so its output and
 * gradients have no module of their own. Their parameters are still watched.
 */
export const WRAPPER_CLASSES: ReadonlySet<string> = new Set(['Bidirectional', 'TimeDistributed']);

/** Container classes: their layers are modules (`outer.inner`), the container itself is not. */
export const CONTAINER_CLASSES: ReadonlySet<string> = new Set(['Sequential', 'Model', 'Functional', 'LayersModel']);

/** tfjs parameter names that monitorch calls otherwise, so lenses' defaults (`weight`, `bias`) apply. */
export const PARAMETER_NAMES: Readonly<Record<string, string>> = { kernel: 'weight' };

/** Activation names (tfjs `activation.getClassName()`) and the type a fused activation reports. */
export const ACTIVATION_TYPES: Readonly<Record<string, string>> = {
  relu: 'ReLU',
  relu6: 'ReLU6',
  elu: 'ELU',
  selu: 'SELU',
  sigmoid: 'Sigmoid',
  hardSigmoid: 'HardSigmoid',
  tanh: 'Tanh',
  softmax: 'Softmax',
  softplus: 'Softplus',
  softsign: 'Softsign',
  swish: 'Swish',
  mish: 'Mish',
  gelu: 'GELU',
  gelu_new: 'GELU',
  logSoftmax: 'LogSoftmax',
};
