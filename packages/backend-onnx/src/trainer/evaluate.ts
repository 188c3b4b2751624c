import type { Phase } from '@monitorch/core';
import { correctCount } from '../data/accuracy.js';
import { copyBatch, openBatches, type BatchSource } from '../data/batch-source.js';
import type { Batch } from '../data/data-loader.js';
import type { ReportedRun } from '../reporting/lens-reporter.js';
import { runPipelined } from '../reporting/step-pipeline.js';
import { nextHypers, type RunContext } from './run-context.js';
import type { EvaluateOptions, EvaluationResult } from './trainer-options.js';

/**
 * Runs the current eval graph (no dropout, no update) over the batches, each batch reported
 * while the next one runs, and returns the sample-weighted mean loss and the accuracy (NaN for
 * labels that are not class indices).
 */
export async function evaluate(
  run: RunContext,
  source: BatchSource,
  options: EvaluateOptions,
): Promise<EvaluationResult> {
  const { engine, reporter, graphs } = run;
  const phase: Phase = options.phase ?? 'val';
  // Evaluation phases are gated by epoch only (see core's `Sampling`).
  const connection = reporter.connection;
  reporter.seen(['output']);
  await graphs.follow(
    connection === undefined
      ? []
      : run.watched.at(connection.requests, connection.clock.step, connection.clock.epoch, phase),
  );
  // A loader's order for epoch 0: evaluation does not depend on how far training went.
  const { batches, owned } = openBatches(source, 0);
  let lossSum = 0;
  let samples = 0;
  let correct = 0;
  let classLabels = true;
  await runPipelined<Batch, ReportedRun>(batches, {
    start: (batch) => {
      const connection = reporter.connection;
      const stats = graphs.current.eval.stats;
      return engine
        .run('eval', {
          // Labels are still needed here for the accuracy: move a copy of them.
          batch: owned ? { ...batch, y: batch.y.slice() } : copyBatch(batch),
          hypers: nextHypers(run),
          wantPrediction: true,
          wantStats: connection !== undefined,
        })
        .then((result) => ({ result, connection, stats }));
    },
    settle: (batch, { result }) => {
      samples += batch.size;
      lossSum += result.loss * batch.size;
      const prediction = result.prediction;
      if (batch.y instanceof Int32Array && prediction !== undefined && prediction.data instanceof Float32Array) {
        correct += correctCount(prediction.data, batch.y, prediction.data.length / batch.size);
      } else {
        classLabels = false;
      }
      return true;
    },
    report: (batch, outcome) => reporter.evalBatch(outcome, phase, batch.size),
  });
  return {
    loss: samples > 0 ? lossSum / samples : Number.NaN,
    accuracy: classLabels && samples > 0 ? correct / samples : Number.NaN,
    samples,
  };
}
