import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { Inspector } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import { watch } from '@monitorch/adapter-tfjs';
import type { TensorDataset } from '@monitorch/backend-onnx';
import type { Dropout } from '../shared/cli-options.js';
import { dropoutLabel } from '../shared/cli-options.js';
import { layerDeaths, type LayerDeath } from '../shared/layer-death.js';
import type { MnistData } from '../mnist/train-mnist.js';
import type { LossOn } from '../mnist/seed-cnn.js';
import { seedCnnTfjs } from './seed-cnn-tfjs.js';
import { registerWasmConvFilterGradient } from './wasm-conv-gradient.js';

/** Options of {@link trainMnistTfjs}. */
export interface TfjsMnistOptions {
  readonly data: MnistData;
  readonly runDir: string;
  readonly dropout: Dropout;
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly lossOn: LossOn;
  /** tfjs backend: `wasm` (default, with the filter gradient it lacks registered) or `cpu` (plain JS, slow). */
  readonly backend?: 'wasm' | 'cpu';
  /** Where per-epoch lines go. */
  readonly log?: (line: string) => void;
}

/** One finished epoch, as the lenses recorded it. */
export interface TfjsMnistEpoch {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly valLoss: number;
  readonly valAccuracy: number;
  readonly seconds: number;
}

/** What a run measured. */
export interface TfjsMnistResult {
  readonly runDir: string;
  readonly epochs: readonly TfjsMnistEpoch[];
  readonly lastEpoch: ReadonlyMap<string, LayerDeath>;
  readonly backend: string;
}

/**
 * The seed experiment in TensorFlow.js: the seed CNN trained with `model.fit()` (Adam 1e-3,
 * CrossEntropy, validation on the test set after every epoch), watched by the three seed lenses
 * through one callback, `watch(model, inspector)`. Runs on tfjs's WASM backend, to which the example
 * adds the convolution filter gradient it lacks ({@link registerWasmConvFilterGradient}), or on
 * its plain-JavaScript CPU backend.
 */
export async function trainMnistTfjs(o: TfjsMnistOptions): Promise<TfjsMnistResult> {
  const log = o.log ?? (() => undefined);
  const backend = o.backend ?? 'wasm';
  if (backend === 'wasm') registerWasmConvFilterGradient();
  await tf.setBackend(backend);
  const [x, y] = tensorsOf(o.data.train);
  const [xTest, yTest] = tensorsOf(o.data.test);
  const model = seedCnnTfjs(o.dropout, o.lossOn, o.seed);
  model.compile({
    optimizer: tf.train.adam(1e-3),
    // PyTorch's CrossEntropyLoss: log-softmax of what the network outputs (the seed feeds it
    // the softmax output; with lossOn 'logits' it gets the logits).
    loss: (labels: tf.Tensor, outputs: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, outputs),
    metrics: ['acc'],
  });
  const lossLens = new LossMetrics({ metrics: ['acc', 'val_acc'] });
  const inspector = new Inspector({
    lenses: [lossLens, new OutputActivation(), new ParameterGradientActivation()],
    runDir: o.runDir,
    overwrite: true,
  });
  const epochs: TfjsMnistEpoch[] = [];
  let started = performance.now();
  try {
    await model.fit(x, y, {
      epochs: o.epochs,
      batchSize: o.batchSize,
      validationData: [xTest, yTest],
      verbose: 0,
      callbacks: [
        watch(model, inspector),
        {
          onEpochBegin: () => {
            started = performance.now();
            return Promise.resolve();
          },
          onEpochEnd: (epoch: number, logs?: Record<string, unknown>) => {
            const row: TfjsMnistEpoch = {
              epoch: epoch + 1,
              trainLoss: lossLens.loss({ phase: 'train' }),
              valLoss: lossLens.loss({ phase: 'val' }),
              valAccuracy: typeof logs?.['val_acc'] === 'number' ? logs['val_acc'] : Number.NaN,
              seconds: (performance.now() - started) / 1000,
            };
            epochs.push(row);
            log(epochLine(row));
            return Promise.resolve();
          },
        },
      ],
    });
    const result: TfjsMnistResult = {
      runDir: o.runDir,
      epochs,
      lastEpoch: layerDeaths(inspector),
      backend: tf.getBackend(),
    };
    await inspector.close();
    await writeFile(
      join(o.runDir, 'summary.json'),
      JSON.stringify(
        {
          dropout: dropoutLabel(o.dropout),
          lossOn: o.lossOn,
          seed: o.seed,
          backend: result.backend,
          epochs,
          lastEpoch: Object.fromEntries(result.lastEpoch),
        },
        null,
        2,
      ) + '\n',
    );
    return result;
  } finally {
    await inspector.close();
    tf.dispose([x, y, xTest, yTest]);
    model.dispose();
  }
}

/** An epoch's line: the lenses' losses, the accuracy on the test images, the time. */
export function epochLine(e: TfjsMnistEpoch): string {
  return (
    `epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)} · val loss ${e.valLoss.toFixed(4)} · ` +
    `val_acc ${(e.valAccuracy * 100).toFixed(2)} % · ${e.seconds.toFixed(0)} s`
  );
}

/** A dataset's images as `[N, 28, 28, 1]` (the same bytes as `[N, 1, 28, 28]`) and one-hot labels. */
function tensorsOf(d: TensorDataset): [tf.Tensor4D, tf.Tensor2D] {
  const labels = tf.tensor1d(Int32Array.from(d.y), 'int32');
  const y = tf.cast(tf.oneHot(labels, 10), 'float32') as tf.Tensor2D;
  labels.dispose();
  return [tf.tensor4d(d.x, [d.length, 28, 28, 1]), y];
}
