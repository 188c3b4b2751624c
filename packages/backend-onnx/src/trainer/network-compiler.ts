import type { ReductionRequest } from '@monitorch/core';
import type { Device } from '../runtime/device.js';
import type { EngineGraphs, TensorPayload } from '../runtime/step-engine.js';
import type { StatDecoder } from '../reporting/stat-reports.js';

/**
 * What the trainer needs from a network declaration: graphs for a set of lens requests, the
 * initial parameters, how to read statistic outputs, and the hyper-parameter values of a step.
 * `compileNetwork` builds one from `model`/`loss`/`optimizer`; tests and other front ends may
 * provide their own.
 */
export interface NetworkCompiler {
  /**
   * Train and eval graphs computing exactly the statistics `requests` ask for.
   *
   * @param requests - the lenses' reduction requests
   * @param target - where the graphs will run (compilers may shape the graphs for it)
   */
  compile(requests: readonly ReductionRequest[], target?: CompileTarget): EngineGraphs;
  /** Seeded initial parameter values, by full parameter name (`dense.lin1.weight`). */
  initialParameters(seed: number): Record<string, TensorPayload>;
  /** Reads one statistic's outputs as a core reduction answer. */
  readonly decode: StatDecoder;
  /** The optimizer's initial learning rate. */
  readonly learningRate: number;
  /**
   * Hyper-parameter inputs of a run, by name (the learning rate, dropout mask keys…).
   *
   * @param learningRate - the current learning rate
   * @param step - optimizer steps finished before this one
   * @param seed - the trainer's seed (dropout keys derive from it and the step)
   */
  hypers(learningRate: number, step: number, seed: number): Record<string, number>;
}

/** Where compiled graphs will run. */
export interface CompileTarget {
  /** The execution provider the sessions use. */
  readonly device: Device;
}
