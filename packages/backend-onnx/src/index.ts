export { TensorDataset, type Labels } from './data/tensor-dataset.js';
export { DataLoader, type Batch, type DataLoaderOptions } from './data/data-loader.js';
export { randomSplit } from './data/random-split.js';
export { SeededRandom, seededPermutation } from './data/seeded-random.js';
export { accuracy } from './data/accuracy.js';
export { parseIdx, type IdxFile } from './data/idx-file.js';
export { loadMnist, type MnistOptions } from './data/mnist.js';
export { EarlyStopper, type EarlyStopperOptions } from './training/early-stopper.js';
export { Trainer, type BatchSource, type TrainerProgress } from './trainer/trainer.js';
export type {
  CompilerTrainerOptions, EpochProgress, EpochSummary, EvaluateOptions, EvaluationResult, NonFiniteLossPolicy,
  RuntimeOptions, TrainEpochOptions,
} from './trainer/trainer-options.js';
export type { NetworkCompiler } from './trainer/network-compiler.js';
export type { StatDecoder } from './trainer/stat-reports.js';
export { DEVICES, type Device } from './runtime/device.js';
export type { OrtApi } from './runtime/ort-api.js';
export type { SessionTuning } from './runtime/session-options.js';
export { LocalStepEngine } from './runtime/local-step-engine.js';
export type {
  BatchPayload, EngineConfig, EngineGraphs, LoadResult, PayloadDType, RunRequest, RunResult, StepEngine, TensorPayload,
} from './runtime/step-engine.js';
export { encodeCheckpoint, decodeCheckpoint, type Checkpoint } from './checkpoint/checkpoint-format.js';
export { readCheckpointFile, writeCheckpointFile } from './checkpoint/checkpoint-file.js';
