// TensorFlow.js adapter benchmark, on tfjs's WASM backend: a fit() step of an MNIST MLP
// (784 → 128 ReLU → 64 ReLU → 10 softmax, batch 256) with watch() and the three seed lenses vs
// plain fit(), side by side in one run; then the same network's plain step in tfjs (WASM) and in
// our ONNX backend (onnxruntime-node, CPU), so users can choose.
//
// Both fit() modes carry a timing callback (a plain callback object, as watch() is), so both pay
// tfjs's own per-batch cost of resolving the loss for callbacks; the difference is the adapter.
// Rounds alternate lenses on / off (L P P L …) in blocks on one model, so drift on a shared
// machine hits both alike; the overhead is the median over blocks of each block's ratio of
// median steps (a slow spell of the machine then moves one block, not the result).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { Inspector } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import { watch } from '@monitorch/adapter-tfjs';
import {
  DataLoader,
  Trainer,
  adam,
  crossEntropy,
  flatten,
  linear,
  loadMnist,
  relu,
  sequential,
  softmax,
} from '@monitorch/backend-onnx';
import { areaOptions, isMain } from './cli.mjs';

const BATCH = 256;
const STEPS_PER_ROUND = 8;
const BLOCKS = 8;

function tfjsMlp() {
  return tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [28, 28, 1], name: 'flatten' }),
      tfl.layers.dense({ units: 128, name: 'lin1' }),
      tfl.layers.reLU({ name: 'relu1' }),
      tfl.layers.dense({ units: 64, name: 'lin2' }),
      tfl.layers.reLU({ name: 'relu2' }),
      tfl.layers.dense({ units: 10, name: 'lin3' }),
      tfl.layers.softmax({ name: 'softmax' }),
    ],
  });
}

function onnxMlp() {
  return sequential({
    flatten: flatten(),
    lin1: linear(784, 128),
    relu1: relu(),
    lin2: linear(128, 64),
    relu2: relu(),
    lin3: linear(64, 10),
    softmax: softmax(1),
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : ((s[(s.length - 1) >> 1] ?? 0) + (s[s.length >> 1] ?? 0)) / 2;
};

/** One fit() epoch over the data; returns its step times (the first, a warm-up, left out). */
async function fitRound(model, x, y, extra) {
  const stamps = [];
  await model.fit(x, y, {
    epochs: 1,
    batchSize: BATCH,
    shuffle: false,
    verbose: 0,
    callbacks: [...extra, { onBatchEnd: () => void stamps.push(performance.now()) }],
  });
  return stamps.slice(1).map((t, i) => t - (stamps[i] ?? t));
}

async function tfjsSteps(data) {
  await tf.setBackend('wasm');
  const x = tf.tensor4d(data.x, [data.length, 28, 28, 1]);
  const labels = tf.tensor1d(Int32Array.from(data.y), 'int32');
  const y = tf.cast(tf.oneHot(labels, 10), 'float32');
  const model = tfjsMlp();
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const inspector = new Inspector({
    lenses: [new LossMetrics(), new OutputActivation(), new ParameterGradientActivation()],
    logger: null,
  });
  const steps = { lenses: [], none: [], blockRatios: [] };
  let block = { lenses: [], none: [] };
  const round = async (withLenses, record) => {
    const extra = withLenses ? [watch(model, inspector)] : [];
    const times = await fitRound(model, x, y, extra);
    if (withLenses) inspector.detach();
    if (record) {
      steps[withLenses ? 'lenses' : 'none'].push(...times);
      block[withLenses ? 'lenses' : 'none'].push(...times);
    }
  };
  await round(true, false);
  await round(false, false);
  for (let b = 0; b < BLOCKS; b++) {
    for (const withLenses of b % 2 === 0 ? [true, false, false, true] : [false, true, true, false]) {
      await round(withLenses, true);
    }
    steps.blockRatios.push(median(block.lenses) / median(block.none));
    block = { lenses: [], none: [] };
  }
  await inspector.close();
  tf.dispose([x, labels, y]);
  model.dispose();
  return steps;
}

async function onnxSteps(data) {
  const trainer = await Trainer.create({
    model: onnxMlp(),
    inputShape: [-1, 1, 28, 28],
    loss: crossEntropy(),
    optimizer: adam(),
    seed: 42,
  });
  const loader = new DataLoader(data, { batchSize: BATCH, shuffle: false });
  const steps = [];
  for (let r = 0; r < 1 + BLOCKS; r++) {
    const stamps = [];
    await trainer.trainEpoch(loader, { progress: () => void stamps.push(performance.now()) });
    if (r > 0) steps.push(...stamps.slice(1).map((t, i) => t - (stamps[i] ?? t)));
  }
  await trainer.close();
  return steps;
}

/** Runs the benchmark; prints and returns the figures. */
export async function run() {
  const data = await loadMnist({ split: 'train', limit: BATCH * STEPS_PER_ROUND });
  const tfjs = await tfjsSteps(data);
  const stepMs = median(tfjs.lenses);
  const stepNoLensMs = median(tfjs.none);
  const onnxStepMs = median(await onnxSteps(data));
  const result = {
    network: 'MLP 784-128-64-10, batch 256',
    tfjsBackend: 'wasm',
    stepMs,
    stepNoLensMs,
    lensOverhead: median(tfjs.blockRatios) - 1,
    blockOverheads: tfjs.blockRatios.map((r) => r - 1),
    onnxStepMs,
    onnxSpeedup: stepNoLensMs / onnxStepMs,
    timedSteps: { lenses: tfjs.lenses.length, none: tfjs.none.length },
  };
  console.log(`fit() step, ${result.network}, tfjs WASM backend (medians of ${result.timedSteps.none} steps each):`);
  console.log(`  plain fit():                         ${stepNoLensMs.toFixed(2)} ms`);
  console.log(`  fit() + watch() + three seed lenses: ${stepMs.toFixed(2)} ms`);
  console.log(
    `  lens overhead:                       ${(result.lensOverhead * 100).toFixed(1)} % (goal ≤ 5 %; median of ${BLOCKS} blocks, each from ${result.blockOverheads.map((r) => (r * 100).toFixed(1)).join(', ')} %)`,
  );
  console.log('same network, plain training step:');
  console.log(`  tfjs (WASM):                         ${stepNoLensMs.toFixed(2)} ms`);
  console.log(`  @monitorch/backend-onnx (CPU):       ${onnxStepMs.toFixed(2)} ms`);
  console.log(`  ONNX backend is ${result.onnxSpeedup.toFixed(2)}× the speed of tfjs WASM`);
  return result;
}

if (isMain(import.meta.url)) {
  areaOptions('tfjs', 'fit() step with and without the tfjs adapter (WASM), and tfjs vs the ONNX backend.');
  await run();
}
