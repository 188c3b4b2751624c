/**
 * `@monitorch/backend-onnx/internals`: the machinery behind the `Trainer` — the graph
 * compiler and its output declarations, the step engines that run the graphs, the ONNX encoder,
 * the dropout-mask hash, the step pipeline. For tests, benchmarks, custom network front ends
 * (`Trainer.fromCompiler` with a `NetworkCompiler`) and debugging. No stability promise beyond
 * the graph contract of `src/graph/README.md` (it only gains fields): anything else here may
 * change in any release. Everything a training script needs is in the main entry point,
 * `@monitorch/backend-onnx`.
 *
 * @packageDocumentation
 */
// A custom front end: what `Trainer.fromCompiler` needs instead of a network declaration.
export type { CompilerTrainerOptions } from './trainer/trainer-options.js';
export type { CompileTarget, NetworkCompiler } from './trainer/network-compiler.js';
export type { StatDecoder } from './reporting/stat-reports.js';
export { compileNetwork } from './graph/compile-network.js';

// Graph compilation: train and eval graphs, their inputs, outputs and statistics.
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
export { decodeStat, decodeStatFrom, statParts, type FetchedTensor } from './graph/decode-stat.js';
export { float32Threshold } from './graph/count-ops.js';
export { GraphRunner, runGraph, type FeedTensor, type RunOutput } from './graph/run-graph.js';
export { initialParameters, type InitialParameter } from './init/initial-parameters.js';

// Tracing a network into a graph.
export { Trace, type DebugOptions, type ModuleOutput } from './model/trace.js';
export type { ParameterInit, ParameterSlot } from './model/parameter-slot.js';

// ONNX encoding.
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

// Dropout masks: the counter hash the CPU and WebGPU graphs draw with, and its JS reference.
export {
  dropoutKey,
  fillKeepMask,
  keeps,
  lowbias32,
  DROPOUT_KEY_PREFIX,
  DROPOUT_MASK_PREFIX,
  type DropoutMasks,
} from './layers/dropout-mask.js';

// Step engines: where the graphs run and the training state lives between steps.
export { LocalStepEngine } from './runtime/local-step-engine.js';
export {
  SESSIONS_KEPT,
  type BatchPayload,
  type EngineConfig,
  type EngineGraphs,
  type LoadResult,
  type ReusedGraphs,
  type RunRequest,
  type RunResult,
  type StepEngine,
} from './runtime/step-engine.js';
export { sessionOptions, type SessionTuning } from './runtime/session-options.js';

// Reporting: steps that overlap with the reporting of the previous one.
export { runPipelined, type PipelineStages } from './reporting/step-pipeline.js';
