import type { MonitorchError, ReductionRequest } from '@monitorch/core';
import { copyBatch, openBatches, type BatchSource } from '../data/batch-source.js';
import type { Batch } from '../data/data-loader.js';
import type { ReportedRun } from '../reporting/lens-reporter.js';
import { runPipelined } from '../reporting/step-pipeline.js';
import { nonFiniteLossError, skippedUpdateWarning } from './non-finite-loss.js';
import { nextHypers, type RunContext } from './run-context.js';
import { stderrProgressLine } from './stderr-progress-line.js';
import type { EpochProgress, EpochSummary, TrainEpochOptions } from './trainer-options.js';

/** The tensor sources a train epoch provides (parameter values: by snapshot). */
const TRAIN_SOURCES = ['output', 'outputGradient', 'gradient', 'update', 'parameter'] as const;

/** The requests of a step with no Inspector attached: one array, so consecutive steps are alike. */
const NO_REQUESTS: readonly ReductionRequest[] = [];

/** A train step's result and connection, with its 1-based step number (for a non-finite-loss message). */
interface StepOutcome extends ReportedRun {
  readonly step: number;
}

/**
 * Trains one epoch on the current graphs: one optimizer step per batch, each step reported while
 * the next one runs (see {@link runPipelined}). Counts the steps as they finish and the epoch when
 * it ends; an epoch stopped by a non-finite loss is not counted.
 *
 * @throws MonitorchError `NON_FINITE_LOSS` (after reporting it) when a loss is NaN or infinite
 *   and the policy is `stop`
 */
export async function trainEpoch(
  run: RunContext,
  source: BatchSource,
  options: TrainEpochOptions,
): Promise<EpochSummary> {
  const { engine, counters, reporter, graphs } = run;
  const progress =
    options.progress === true ? stderrProgressLine() : options.progress === false ? undefined : options.progress;
  const epoch = counters.epoch;
  const { batches, total, owned } = openBatches(source, epoch);
  let lossSum = 0;
  let samples = 0;
  let finiteSamples = 0;
  let count = 0;
  let nonFiniteLosses = 0;
  let skippedUpdates = 0;
  let stop: MonitorchError | undefined;
  reporter.clearStarted();
  reporter.seen(TRAIN_SOURCES);
  await runPipelined<Batch, StepOutcome>(batches, {
    start: (batch) => {
      const connection = reporter.connection;
      // Only the requests that watch this step: an unwatched step runs the graph without
      // statistics and leaves the geometry state as it was.
      const requests =
        connection === undefined
          ? NO_REQUESTS
          : run.watched.at(connection.requests, reporter.startStep(), connection.clock.epoch, 'train');
      const step = async (): Promise<StepOutcome> => {
        const stats = graphs.current.train.stats;
        const result = await engine.run('train', {
          batch: owned ? batch : copyBatch(batch),
          hypers: nextHypers(run),
          wantPrediction: false,
          wantStats: connection !== undefined && stats.length > 0,
        });
        counters.step += 1;
        return { result, step: counters.step, connection, stats };
      };
      // Post the step before returning when the loaded graphs already serve these requests: the
      // pipeline reports the previous step as soon as this returns, and that reporting must
      // overlap this step, not delay its start. Only a change of graphs waits first.
      return graphs.serves(requests) ? step() : graphs.follow(requests).then(step);
    },
    settle: (batch, { result, step }) => {
      count += 1;
      samples += batch.size;
      if (Number.isFinite(result.loss)) {
        lossSum += result.loss * batch.size;
        finiteSamples += batch.size;
      } else {
        nonFiniteLosses += 1;
      }
      if (result.updateSkipped === true) skippedUpdates += 1;
      // The user's callback runs before the next step starts, so a learning rate it sets
      // applies to that step.
      progress?.({ batch: count, batches: total, loss: result.loss, epoch } satisfies EpochProgress);
      if (Number.isFinite(result.loss) || run.nonFinite !== 'stop') return true;
      stop = nonFiniteLossError(result.loss, step, counters.epoch, run.nonFinite);
      return false;
    },
    report: (batch, outcome) =>
      reporter.trainStep(
        outcome,
        batch.size,
        (loss) => nonFiniteLossError(loss, outcome.step, counters.epoch, run.nonFinite).message,
        () => skippedUpdateWarning(outcome.step, counters.epoch),
      ),
  });
  if (stop !== undefined) throw stop;
  counters.epoch += 1;
  return {
    loss: finiteSamples > 0 ? lossSum / finiteSamples : Number.NaN,
    batches: count,
    samples,
    nonFiniteLosses,
    skippedUpdates,
  };
}
