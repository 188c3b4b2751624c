/**
 * `@monitorch/backend-onnx`: declare a network, train it with ONNX Runtime, watch it with
 * monitorch lenses. This entry point is what a user of the {@link Trainer} and a writer of a new
 * layer, loss or optimizer need; the graph compiler, the step engines and the ONNX encoder are
 * in `@monitorch/backend-onnx/internals` (see `internals.ts`), which may change in any release.
 *
 * @packageDocumentation
 */

// Data: datasets, loaders, splits, MNIST.
export { TensorDataset, type Labels } from './data/tensor-dataset.js';
export { DataLoader, type Batch, type DataLoaderOptions } from './data/data-loader.js';
export type { BatchSource } from './data/batch-source.js';
export { randomSplit } from './data/random-split.js';
export { SeededRandom, seededPermutation } from './data/seeded-random.js';
export { accuracy } from './data/accuracy.js';
export { parseIdx, type IdxFile } from './data/idx-file.js';
export { loadMnist, type MnistOptions } from './data/mnist.js';

// Training: the trainer, its options and results, early stopping.
export { Trainer } from './trainer/trainer.js';
export type {
  EpochProgress,
  EpochSummary,
  EvaluateOptions,
  EvaluationResult,
  NonFiniteLossPolicy,
  RuntimeOptions,
  TrainEpochOptions,
  TrainerProgress,
} from './trainer/trainer-options.js';
export type { NetworkDeclaration } from './graph/compile-network.js';
export { EarlyStopper, type EarlyStopperOptions } from './trainer/early-stopper.js';

// Devices and the ONNX Runtime package to run on.
export { DEVICES, type Device } from './runtime/device.js';
export type { OrtApi } from './runtime/ort-api.js';

// Checkpoints, and the tensors they (and `trainer.state()`) hold.
export { encodeCheckpoint, decodeCheckpoint, type Checkpoint } from './checkpoint/checkpoint-format.js';
export { readCheckpointFile, writeCheckpointFile } from './checkpoint/checkpoint-file.js';
export type { PayloadDType, TensorPayload } from './runtime/step-engine.js';

// Networks: containers of blocks.
export { Scope, type Block } from './model/block.js';
export {
  sequential,
  custom,
  residual,
  Sequential,
  Custom,
  Residual,
  TensorOps,
  type ChildCall,
  type CustomForward,
} from './model/containers.js';

// Layers, and what a new layer is written with.
export { Layer, LayerCall } from './layers/layer.js';
export { formatShape, type SymbolicTensor } from './model/symbolic-tensor.js';
export { linear, Linear, type LinearOptions } from './layers/linear.js';
export { conv2d, Conv2d, type Conv2dOptions, type Size2 } from './layers/conv2d.js';
export { maxPool2d, avgPool2d, MaxPool2d, AvgPool2d, type Pool2dOptions } from './layers/pool2d.js';
export { flatten, Flatten } from './layers/flatten.js';
export { dropout, Dropout } from './layers/dropout.js';
export {
  relu,
  leakyRelu,
  sigmoid,
  tanh,
  gelu,
  softmax,
  logSoftmax,
  ReLU,
  LeakyReLU,
  Sigmoid,
  Tanh,
  GELU,
  Softmax,
  LogSoftmax,
} from './layers/activations.js';

// Losses and optimizers.
export type { Loss, LossContext, LossOps, TargetSpec } from './losses/loss.js';
export { crossEntropy, nll, mse, bce, bceWithLogits } from './losses/losses.js';
export type { Optimizer, UpdateContext, ParameterUpdate } from './optimizers/optimizer.js';
export { sgd, type SgdOptions } from './optimizers/sgd.js';
export { adam, adamW, type AdamOptions } from './optimizers/adam.js';
