// CPU reduction kernels of @monitorch/core: throughput on a 64 MB float32 tensor, one core.
// Figures are medians of several timed runs after warm-up; GB/s counts input bytes read.
import { activeCountPerChannel, histogram, l2, previousDot, sampleL2, singularRatio, sum } from '@monitorch/core';
import { areaOptions, isMain } from './cli.mjs';

const WARMUP = 3;
const RUNS = 9;

/** Median seconds of `RUNS` calls of `fn`, after `WARMUP` untimed calls. */
function medianSeconds(fn) {
  for (let i = 0; i < WARMUP; i++) fn();
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** A ReLU-like tensor: about half exact zeros, the rest small positives (seeded, reproducible). */
function reluLike(length) {
  const data = new Float32Array(length);
  let s = 12345;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const u = s / 4294967296;
    data[i] = u < 0.5 ? 0 : u - 0.5;
  }
  return data;
}

/** The weights of the seed CNN (examples/mnist-cnn): what ParameterCond snapshots each epoch. */
const SEED_CNN_WEIGHTS = [
  ['conv1', [32, 1, 3, 3]],
  ['conv2', [64, 32, 3, 3]],
  ['fc1', [128, 9216]],
  ['fc2', [10, 128]],
];

/** Milliseconds of σ_min/σ_max per seed-CNN weight (random weights, seeded). */
function singularRatioFigures() {
  const figures = {};
  let total = 0;
  for (const [name, shape] of SEED_CNN_WEIGHTS) {
    const w = reluLike(shape.reduce((a, b) => a * b, 1)).map((x, i) => (i % 3 === 0 ? -x : x));
    const ms = medianSeconds(() => singularRatio(w, shape)) * 1e3;
    figures[`singularRatio_${name}_ms`] = ms;
    total += ms;
  }
  figures.singularRatioSeedCnnMs = total;
  return figures;
}

/** Runs the kernel benchmarks, prints one line per figure and returns them (GB/s). */
export async function run() {
  const first = [256, 64, 32, 32]; // [N, C, H, W]
  const last = [256, 32, 32, 64]; // [N, H, W, C]
  const fewLast = [256, 16384, 4]; // [N, T, F] with only 4 features
  const length = first.reduce((a, b) => a * b, 1);
  const data = reluLike(length);
  const bytes = data.byteLength;
  const mb = Math.round(bytes / 2 ** 20);
  const gbps = (fn) => bytes / 1e9 / medianSeconds(fn);
  const figures = {
    activeCountChannelGBps: gbps(() => activeCountPerChannel(data, first, 1e-8)),
    activeCountChannelLastGBps: gbps(() => activeCountPerChannel(data, last, 1e-8, true)),
    activeCountFewChannelsLastGBps: gbps(() => activeCountPerChannel(data, fewLast, 1e-8, true)),
    l2GBps: gbps(() => l2(data, first)),
    sumGBps: gbps(() => sum(data, first)),
    sampleL2GBps: gbps(() => sampleL2(data, first)),
    histogramGBps: gbps(() => histogram(data, first, -4.05, 4.05, 81)),
    previousDotGBps: gbps(() => previousDot(data, first, data)),
    ...singularRatioFigures(),
  };
  console.log(`kernel activeCount/channel ${mb}MB: ${figures.activeCountChannelGBps.toFixed(2)} GB/s`);
  console.log(
    `kernel activeCount/channel channels-last ${mb}MB: ${figures.activeCountChannelLastGBps.toFixed(2)} GB/s`,
  );
  console.log(
    `kernel activeCount/channel channels-last F=4 ${mb}MB: ${figures.activeCountFewChannelsLastGBps.toFixed(2)} GB/s`,
  );
  console.log(`kernel l2 ${mb}MB: ${figures.l2GBps.toFixed(2)} GB/s`);
  console.log(`kernel sum ${mb}MB: ${figures.sumGBps.toFixed(2)} GB/s`);
  console.log(`kernel sampleL2 ${mb}MB: ${figures.sampleL2GBps.toFixed(2)} GB/s`);
  console.log(`kernel histogram 81 bins ${mb}MB: ${figures.histogramGBps.toFixed(2)} GB/s`);
  console.log(`kernel previousDot ${mb}MB: ${figures.previousDotGBps.toFixed(2)} GB/s`);
  for (const [name] of SEED_CNN_WEIGHTS) {
    console.log(`kernel singularRatio ${name}: ${figures[`singularRatio_${name}_ms`].toFixed(2)} ms`);
  }
  console.log(`kernel singularRatio seed CNN, all weights: ${figures.singularRatioSeedCnnMs.toFixed(2)} ms`);
  return figures;
}

if (isMain(import.meta.url))
  await run(areaOptions('kernels', 'CPU reduction kernels: throughput on a 64 MB float32 tensor, one core.'));
