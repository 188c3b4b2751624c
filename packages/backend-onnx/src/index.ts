export { TensorDataset, type Labels } from './data/tensor-dataset.js';
export { DataLoader, type Batch, type DataLoaderOptions } from './data/data-loader.js';
export { randomSplit } from './data/random-split.js';
export { SeededRandom, seededPermutation } from './data/seeded-random.js';
export { accuracy } from './data/accuracy.js';
export { parseIdx, type IdxFile } from './data/idx-file.js';
export { loadMnist, type MnistOptions } from './data/mnist.js';
export { EarlyStopper, type EarlyStopperOptions } from './trainer/early-stopper.js';
export { Trainer } from './trainer/trainer.js';
export type { BatchSource } from './data/batch-source.js';
export type {
  CompilerTrainerOptions,
  EpochProgress,
  EpochSummary,
  EvaluateOptions,
  EvaluationResult,
  NonFiniteLossPolicy,
  RuntimeOptions,
  TrainEpochOptions,
  TrainerProgress,
} from './trainer/trainer-options.js';
export type { CompileTarget, NetworkCompiler } from './trainer/network-compiler.js';
export type { StatDecoder } from './reporting/stat-reports.js';
export { DEVICES, type Device } from './runtime/device.js';
export type { OrtApi } from './runtime/ort-api.js';
export type { SessionTuning } from './runtime/session-options.js';
export { LocalStepEngine } from './runtime/local-step-engine.js';
export {
  SESSIONS_KEPT,
  type BatchPayload,
  type EngineConfig,
  type EngineGraphs,
  type LoadResult,
  type PayloadDType,
  type RunRequest,
  type RunResult,
  type StepEngine,
  type TensorPayload,
} from './runtime/step-engine.js';
export { encodeCheckpoint, decodeCheckpoint, type Checkpoint } from './checkpoint/checkpoint-format.js';
export { readCheckpointFile, writeCheckpointFile } from './checkpoint/checkpoint-file.js';
// Graph generation: declaring networks and compiling them to ONNX training/eval graphs.
export type {
  CompiledGraph,
  GraphDType,
  GraphInput,
  GraphInputRole,
  GraphOutput,
  GraphOutputRole,
  PackedParts,
  StatOutput,
} from './graph/compiled-graph.js';
export {
  compileTrainGraph,
  compileEvalGraph,
  evalPhases,
  STEP_INPUT,
  type CompileOptions,
  type TrainCompileOptions,
  type EvalCompileOptions,
  type CompiledNetworkGraph,
} from './graph/compile.js';
export { compileNetwork, type NetworkDeclaration } from './graph/compile-network.js';
export { decodeStat, decodeStatFrom, statParts, type FetchedTensor } from './graph/decode-stat.js';
export { float32Threshold } from './graph/count-ops.js';
export { GraphRunner, runGraph, type FeedTensor, type RunOutput } from './graph/run-graph.js';
export { GraphBuilder, OPSET } from './onnx/graph-builder.js';
export {
  encodeModel,
  float,
  ONNX_DTYPES,
  type AttrValue,
  type ModelValue,
  type NodeValue,
  type OnnxDType,
  type TensorValue,
  type ValueInfo,
} from './onnx/model-proto.js';
export { ProtoWriter } from './onnx/proto-writer.js';
export { Scope, type Block } from './model/block.js';
export { Trace, type DebugOptions, type ModuleOutput } from './model/trace.js';
export { formatShape, type SymbolicTensor } from './model/symbolic-tensor.js';
export type { ParameterInit, ParameterSlot } from './model/parameter-slot.js';
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
export { Layer, LayerCall } from './layers/layer.js';
export { linear, Linear, type LinearOptions } from './layers/linear.js';
export { conv2d, Conv2d, type Conv2dOptions, type Size2 } from './layers/conv2d.js';
export { maxPool2d, avgPool2d, MaxPool2d, AvgPool2d, type Pool2dOptions } from './layers/pool2d.js';
export { flatten, Flatten } from './layers/flatten.js';
export { dropout, Dropout } from './layers/dropout.js';
export {
  dropoutKey,
  fillKeepMask,
  keeps,
  lowbias32,
  DROPOUT_KEY_PREFIX,
  DROPOUT_MASK_PREFIX,
  type DropoutMasks,
} from './layers/dropout-mask.js';
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
export type { Loss, LossContext, LossOps, TargetSpec } from './losses/loss.js';
export { crossEntropy, nll, mse, bce, bceWithLogits } from './losses/losses.js';
export type { Optimizer, UpdateContext, ParameterUpdate } from './optimizers/optimizer.js';
export { sgd, type SgdOptions } from './optimizers/sgd.js';
export { adam, adamW, type AdamOptions } from './optimizers/adam.js';
export { initialParameters, type InitialParameter } from './init/initial-parameters.js';
