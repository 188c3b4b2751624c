// CPU reduction kernels of @monitorch/core: throughput on a 64 MB float32 tensor, one core.
// Figures are medians of several timed runs after warm-up; GB/s counts input bytes read.
import { activeCountPerChannel, l2, sum } from '@monitorch/core';
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
  return figures;
}

if (isMain(import.meta.url))
  await run(areaOptions('kernels', 'CPU reduction kernels: throughput on a 64 MB float32 tensor, one core.'));
