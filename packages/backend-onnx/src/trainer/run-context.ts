import type { LensReporter } from '../reporting/lens-reporter.js';
import type { StepEngine } from '../runtime/step-engine.js';
import type { ActiveGraphs } from './active-graphs.js';
import type { NetworkCompiler } from './network-compiler.js';
import type { ProgressCounters } from './progress-counters.js';
import type { WatchedRequests } from './watched-requests.js';
import type { NonFiniteLossPolicy } from './trainer-options.js';

/** What a trainer's runs (an epoch, an evaluation, a prediction) share: the parts of one trainer. */
export interface RunContext {
  /** Runs the graphs and holds the parameters. */
  readonly engine: StepEngine;
  /** The network's compiler: hyper-parameters of a step. */
  readonly compiler: NetworkCompiler;
  /** The graph pair that runs, for the current lens requests. */
  readonly graphs: ActiveGraphs;
  /** Sends each run's statistics and losses to the attached Inspector. */
  readonly reporter: LensReporter;
  /** Steps, epochs, learning rate, seed. */
  readonly counters: ProgressCounters;
  /** The requests that watch each run (sampling). */
  readonly watched: WatchedRequests;
  /** What a non-finite training loss does. */
  readonly nonFinite: NonFiniteLossPolicy;
}

/** The hyper-parameter inputs of the next run (learning rate, dropout keys of the next step). */
export function nextHypers({ compiler, counters }: RunContext): Record<string, number> {
  return compiler.hypers(counters.learningRate, counters.step, counters.seed);
}
