import type { ReductionRequest } from '@monitorch/core';
import { initialParameters } from '../init/initial-parameters.js';
import type { Loss } from '../losses/loss.js';
import type { Block } from '../model/block.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { EngineGraphs, TensorPayload } from '../runtime/step-engine.js';
import type { CompileTarget, NetworkCompiler } from '../trainer/network-compiler.js';
import { compileEvalGraph, compileTrainGraph } from './compile.js';
import { DROPOUT_KEY_PREFIX, dropoutKey } from '../layers/dropout-mask.js';
import { decodeStat } from './decode-stat.js';

/** What {@link compileNetwork} needs. */
export interface NetworkDeclaration {
  /** The network. */
  readonly model: Block;
  /** Input shape, batch first (`[N, 1, 28, 28]`; the batch size is free). */
  readonly inputShape: readonly number[];
  /** The training loss (the eval graph reports it too). */
  readonly loss: Loss;
  /** How parameters are updated. */
  readonly optimizer: Optimizer;
}

/**
 * The {@link NetworkCompiler} of a declared network: train and eval graphs for the lenses'
 * requests, PyTorch-default initial parameters, and the stat decoder.
 *
 * @example
 * ```ts
 * const compiler = compileNetwork({ model, inputShape: [-1, 1, 28, 28], loss: crossEntropy(), optimizer: adam() });
 * ```
 */
export function compileNetwork(declaration: NetworkDeclaration): NetworkCompiler {
  const { model, inputShape, loss, optimizer } = declaration;
  // Compile once without statistics now, so a bad declaration fails at once, not at attach time.
  const probe = compileTrainGraph(model, { inputShape, loss, optimizer });
  const dropoutModules = probe.inputs
    .filter((i) => i.hyper?.startsWith(DROPOUT_KEY_PREFIX) === true)
    .map((i) => (i.hyper as string).slice(DROPOUT_KEY_PREFIX.length));
  return {
    compile(requests: readonly ReductionRequest[], target?: CompileTarget): EngineGraphs {
      // GPU graphs: no finiteness gate (an If syncs the host every run), dropout masks without
      // BitwiseXor/BitShift (fed as inputs on WebGPU, ONNX Dropout on CUDA), and a max-pool
      // backward without Indices or MaxUnpool.
      const device = target?.device ?? 'cpu';
      return {
        train: compileTrainGraph(model, { inputShape, loss, optimizer, requests, device }),
        eval: compileEvalGraph(model, { inputShape, loss, requests, device }),
      };
    },
    initialParameters(seed: number): Record<string, TensorPayload> {
      const out: Record<string, TensorPayload> = {};
      for (const [name, p] of Object.entries(initialParameters(probe.parameters, seed))) {
        out[name] = { dtype: 'float32', dims: p.dims, data: p.data };
      }
      return out;
    },
    decode: (stat, outputs, batchSize) => decodeStat(stat, outputs, batchSize),
    learningRate: optimizer.learningRate,
    hypers(learningRate: number, step: number, seed = 0): Record<string, number> {
      const hypers: Record<string, number> = { lr: learningRate };
      for (const module of dropoutModules) hypers[`${DROPOUT_KEY_PREFIX}${module}`] = dropoutKey(seed, step, module);
      return hypers;
    },
  };
}
