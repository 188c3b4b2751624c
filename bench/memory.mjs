// Memory over a long run: 10,000 epochs × 20 layers through the LoopAdapter with the three
// seed lenses (tiny tensors), tables kept in memory with a bounded window. Prints the heap
// after a forced GC at a few epochs and the growth between epoch 2,000 and the end.
import v8 from 'node:v8';
import vm from 'node:vm';
import { Inspector, LoopAdapter } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import { areaOptions, isMain } from './cli.mjs';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

/** JS heap plus ArrayBuffers in use after two full collections, in MB. */
function heapMB() {
  gc();
  gc();
  // Arrow keeps column data in ArrayBuffers, which live outside the JS heap: count both.
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
}

/**
 * Runs the synthetic training and returns the heap samples.
 *
 * @param {{ epochs?: number, layers?: number, maxRows?: number, sampleEvery?: number }} o
 */
export async function longRun(o = {}) {
  const epochs = o.epochs ?? 10_000;
  const layers = o.layers ?? 20; // alternating linear / relu: 10 of each
  const maxRows = o.maxRows ?? 1000;
  const sampleEvery = o.sampleEvery ?? 1000;
  const inspector = new Inspector({
    lenses: [new LossMetrics({ metrics: ['val_accuracy'] }), new OutputActivation(), new ParameterGradientActivation()],
    keepInMemory: { maxRows },
    logger: null,
  });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  const width = 4;
  const batch = 2;
  const out = new Float32Array(batch * width);
  const weight = new Float32Array(width * width);
  const bias = new Float32Array(width);
  let seed = 7;
  const fill = (a) => {
    for (let i = 0; i < a.length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      a[i] = seed / 4294967296 < 0.3 ? 0 : seed / 4294967296 - 0.5;
    }
  };
  const samples = [];
  let events = 0;
  const t0 = process.hrtime.bigint();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    fill(out);
    fill(weight);
    fill(bias);
    for (let l = 0; l < layers; l++) {
      const linear = l % 2 === 0;
      loop.output(`layer${l}`, out, [batch, width], { kind: linear ? 'linear' : 'activation' });
    }
    for (let l = layers - 2; l >= 0; l -= 2) {
      loop.gradient(`layer${l}`, 'weight', weight, [width, width]);
      loop.gradient(`layer${l}`, 'bias', bias, [width]);
    }
    loop.loss(1 / epoch, { batchSize: batch });
    loop.step();
    inspector.pushMetric('val_accuracy', 1 - 1 / epoch, { phase: 'val' });
    events += layers + layers + 3;
    await inspector.tickEpoch();
    if (epoch % sampleEvery === 0 || epoch === 1) samples.push({ epoch, heapMB: heapMB() });
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const rows = [...inspector.allTables().values()].reduce((n, t) => n + t.numRows, 0);
  await inspector.close();
  return { samples, seconds, events, rowsInMemory: rows };
}

/** Runs the long run, prints the heap curve and returns the figures. */
export async function run() {
  // MONITORCH_MEMORY_EPOCHS shortens the run (the acceptance figure is for 10,000 epochs).
  const epochs = Number(process.env.MONITORCH_MEMORY_EPOCHS ?? 10_000);
  const { samples, seconds, events, rowsInMemory } = await longRun({
    epochs,
    sampleEvery: Math.max(1, Math.floor(epochs / 10)),
  });
  for (const s of samples) console.log(`epoch ${String(s.epoch).padStart(6)}: heap ${s.heapMB.toFixed(2)} MB`);
  const from = Math.min(2000, Math.floor(epochs / 5));
  const at2000 = samples.find((s) => s.epoch >= from)?.heapMB ?? Number.NaN;
  const last = samples[samples.length - 1]?.heapMB ?? Number.NaN;
  const peak = Math.max(...samples.filter((s) => s.epoch >= from).map((s) => s.heapMB));
  const growthMB = last - at2000;
  console.log(
    `${epochs} epochs × 20 layers, 3 lenses: ${seconds.toFixed(1)} s, ${(events / seconds / 1000).toFixed(0)}k reports/s incl. ticks`,
  );
  console.log(
    `heap after GC: ${at2000.toFixed(2)} MB at epoch ${from}, ${last.toFixed(2)} MB at ${epochs} (growth ${growthMB.toFixed(2)} MB, peak ${peak.toFixed(2)} MB); ${rowsInMemory} rows kept in memory`,
  );
  return {
    epochs,
    seconds,
    heapAt2000MB: at2000,
    heapAt10000MB: last,
    heapGrowthMB: growthMB,
    heapPeakAfter2000MB: peak,
    rowsInMemory,
  };
}

if (isMain(import.meta.url))
  await run(areaOptions('memory', 'Memory over a long run: heap after forced GCs, growth to the end.'));
