import { join } from 'node:path';
import { Inspector } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import {
  DataLoader,
  adam,
  crossEntropy,
  linear,
  randomSplit,
  relu,
  sequential,
  softmax,
  type Device,
} from '@monitorch/backend-onnx';
import { createTrainer } from '../shared/create-trainer.js';
import { renderFigureToFile } from '@monitorch/viz';
import { layerDeaths, type LayerDeath } from '../shared/layer-death.js';

export type { LayerDeath } from '../shared/layer-death.js';
import { decisionBoundary, writeDecisionBoundary } from './decision-boundary.js';
import { gaussianPopulations } from './gaussian-populations.js';

/** Options of {@link trainActivations2d}. */
export interface Activations2dOptions {
  /** Run directory: Arrow files, figure and decision boundary (default `runs/2d`). */
  readonly out?: string;
  /** Epochs (default 50, as in the seed). */
  readonly epochs?: number;
  /** Seed of the data, the split, the shuffle and the initial weights (default 42). */
  readonly seed?: number;
  /** Where ONNX Runtime trains (default `cpu`). */
  readonly device?: Device;
  /** Write figure.png/.svg/.html and the decision boundary (default true). */
  readonly figures?: boolean;
  /** Where per-epoch lines go (default: nowhere). */
  readonly log?: (line: string) => void;
}

/** What {@link trainActivations2d} measured and wrote. */
export interface Activations2dResult {
  /** The run directory. */
  readonly runDir: string;
  /** Validation accuracy after each epoch. */
  readonly valAccuracy: readonly number[];
  /** Rates of the watched layers in the last epoch, by module name (`relu2`, `lin2`, …). */
  readonly lastEpoch: ReadonlyMap<string, LayerDeath>;
  /** The redundant second layer: relu2's output rates with lin2's gradient rates. */
  readonly secondLayer: LayerDeath;
  /** Files written besides the Arrow tables. */
  readonly files: readonly string[];
}

/**
 * The seed notebook's 2D experiment: an over-parameterised MLP (2→16→16→2 with a final
 * softmax, CrossEntropy applied to the softmax output as in the seed) learns two separable
 * Gaussian clouds, while LossMetrics, OutputActivation and ParameterGradientActivation watch.
 * The second hidden layer is redundant: the task is linear, so many of its neurons die.
 *
 * @example
 * ```ts
 * const result = await trainActivations2d({ out: 'runs/2d', log: console.log });
 * result.secondLayer.outputDeath; // relu2's death rate in the last epoch
 * ```
 */
export async function trainActivations2d(options: Activations2dOptions = {}): Promise<Activations2dResult> {
  const runDir = options.out ?? 'runs/2d';
  const epochs = options.epochs ?? 50;
  const seed = options.seed ?? 42;
  const log = options.log ?? (() => undefined);

  const { dataset, positive, negative } = gaussianPopulations({ seed });
  const [train, val] = randomSplit(dataset, [0.7, 0.3], seed) as [typeof dataset, typeof dataset];
  const trainLoader = new DataLoader(train, { batchSize: 8, shuffle: true, seed });
  const valLoader = new DataLoader(val, { batchSize: 8 });

  const inspector = new Inspector({
    lenses: [new LossMetrics({ metrics: ['val_accuracy'] }), new OutputActivation(), new ParameterGradientActivation()],
    runDir,
    overwrite: true, // each run of the example replaces the previous one in the same directory
  });
  const model = sequential({
    lin1: linear(2, 16),
    relu1: relu(),
    lin2: linear(16, 16),
    relu2: relu(),
    lin3: linear(16, 2),
    softmax: softmax(1),
  });
  const trainer = await createTrainer({
    model,
    sampleShape: [2],
    loss: crossEntropy(),
    optimizer: adam(),
    device: options.device ?? 'cpu',
    seed,
  });
  const valAccuracy: number[] = [];
  const files: string[] = [];
  try {
    inspector.attach(trainer);
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const { loss } = await trainer.trainEpoch(trainLoader);
      const evaluation = await trainer.evaluate(valLoader);
      valAccuracy.push(evaluation.accuracy);
      inspector.pushMetric('val_accuracy', evaluation.accuracy);
      await inspector.tickEpoch();
      log(
        `epoch ${String(epoch).padStart(2)}  train loss ${loss.toFixed(4)}  val loss ${evaluation.loss.toFixed(4)}  val accuracy ${evaluation.accuracy.toFixed(3)}`,
      );
    }
    const lastEpoch = layerDeaths(inspector);
    if (options.figures ?? true) {
      const boundary = await decisionBoundary(
        async (points) => (await trainer.predict(points, [points.length / 2, 2])).data,
        positive,
        negative,
      );
      files.push(...(await writeDecisionBoundary(runDir, boundary)));
    }
    await inspector.close();
    if (options.figures ?? true) {
      for (const ext of ['png', 'svg', 'html']) {
        const file = join(runDir, `figure.${ext}`);
        await renderFigureToFile(runDir, { file, title: 'Activations: 2D (seed notebook)' });
        files.push(file);
      }
    }
    const relu2 = lastEpoch.get('relu2');
    const lin2 = lastEpoch.get('lin2');
    const secondLayer: LayerDeath = {
      outputActivation: relu2?.outputActivation,
      outputDeath: relu2?.outputDeath,
      weightGradientDeath: lin2?.weightGradientDeath,
      biasGradientDeath: lin2?.biasGradientDeath,
    };
    return { runDir, valAccuracy, lastEpoch, secondLayer, files };
  } finally {
    await inspector.close();
    await trainer.close();
  }
}
