// Per-batch cost of the seed lenses on the LoopAdapter path, relative to the reductions they
// ask for. Layer set: an MNIST-sized CNN at batch 256 —
//   outputs  relu1 [256,64,4,4], relu2 [256,128,1,1], relu3 [256,32], softmax [256,10]
//   grads    conv1.weight [64,1,5,5] + bias [64], conv2.weight [128,64,3,3] + bias [128],
//            lin1.weight [32,128] + bias [32], lin2.weight [10,32] + bias [10]
// "reductions" = calling core reduce() directly on exactly these tensors (the floor any
// adapter pays); "lens path" = LoopAdapter calls + bus + lens folds + a tick every 50 batches
// (rows, Arrow batches, in memory). Figures are medians of several timed runs after warm-up.
import { Inspector, LoopAdapter, reduce, reductionKey } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import { areaOptions, isMain } from './cli.mjs';

const BATCHES = 100;
const TICK_EVERY = 50;
const RUNS = 5;

const OUTPUTS = [
  ['relu1', [256, 64, 4, 4]],
  ['relu2', [256, 128, 1, 1]],
  ['relu3', [256, 32]],
  ['softmax', [256, 10]],
];
const GRADS = [
  ['conv1', 'weight', [64, 1, 5, 5]],
  ['conv1', 'bias', [64]],
  ['conv2', 'weight', [128, 64, 3, 3]],
  ['conv2', 'bias', [128]],
  ['lin1', 'weight', [32, 128]],
  ['lin1', 'bias', [32]],
  ['lin2', 'weight', [10, 32]],
  ['lin2', 'bias', [10]],
];
const MODULES = [
  { name: 'conv1', kind: 'conv', parameters: ['weight', 'bias'] },
  { name: 'relu1', kind: 'activation' },
  { name: 'conv2', kind: 'conv', parameters: ['weight', 'bias'] },
  { name: 'relu2', kind: 'activation' },
  { name: 'lin1', kind: 'linear', parameters: ['weight', 'bias'] },
  { name: 'relu3', kind: 'activation' },
  { name: 'lin2', kind: 'linear', parameters: ['weight', 'bias'] },
  { name: 'softmax', kind: 'activation' },
];

/** Seeded tensor: about half exact zeros (ReLU-like), the rest small values of both signs. */
function tensor(shape, seed) {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const u = s / 4294967296;
    data[i] = u < 0.5 ? 0 : u - 0.75;
  }
  return data;
}

const outputs = OUTPUTS.map(([name, shape], i) => ({ name, shape, data: tensor(shape, 11 + i) }));
const grads = GRADS.map(([module, parameter, shape], i) => ({
  module,
  parameter,
  shape,
  data: tensor(shape, 101 + i),
}));
const channel = { op: 'activeCount', per: 'channel', eps: 1e-8 };
const neuron = { op: 'activeCount', per: 'neuron', eps: 1e-8 };

/** Median milliseconds per batch of `batch()` over BATCHES batches, RUNS runs, after a warm-up run. */
async function perBatch(setup) {
  const times = [];
  for (let r = 0; r <= RUNS; r++) {
    const { batch, tick, close } = setup();
    const t0 = performance.now();
    for (let b = 1; b <= BATCHES; b++) {
      batch();
      if (b % TICK_EVERY === 0) await tick();
    }
    const ms = (performance.now() - t0) / BATCHES;
    await close();
    if (r > 0) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const reductionsOnly = (which) => () => ({
  batch: () => {
    if (which !== 'grads') for (const o of outputs) reduce(o.data, o.shape, channel);
    if (which !== 'outputs') for (const g of grads) reduce(g.data, g.shape, neuron);
  },
  tick: async () => undefined,
  close: async () => undefined,
});

const lensPath = (lenses) => () => {
  const inspector = new Inspector({ lenses: lenses(), logger: null });
  const loop = new LoopAdapter(MODULES);
  inspector.attach(loop);
  return {
    batch: () => {
      for (const o of outputs) loop.output(o.name, o.data, o.shape);
      for (const g of grads) loop.gradient(g.module, g.parameter, g.data, g.shape);
      loop.loss(0.5, { batchSize: 256 });
      loop.step();
    },
    tick: () => inspector.tickEpoch(),
    close: () => inspector.close(),
  };
};

/**
 * The lenses' own share: fold pre-answered events straight into a lens (no adapter, no bus),
 * ticking every TICK_EVERY batches, so the rest of the path can be told apart.
 */
const foldsOnly = () => () => {
  const out = new OutputActivation();
  const grad = new ParameterGradientActivation();
  const info = new Map(
    MODULES.map((m, order) => [
      m.name,
      {
        name: m.name,
        kind: m.kind,
        type: m.kind,
        order,
        parameters: (m.parameters ?? []).map((p) => ({ name: p, shape: [] })),
      },
    ]),
  );
  const stamp = { epoch: 1, step: 0, phase: 'train' };
  const fwd = outputs.map((o) => ({
    type: 'output',
    module: info.get(o.name),
    shape: o.shape,
    ...stamp,
    reductions: new Map([[reductionKey(channel), reduce(o.data, o.shape, channel)]]),
  }));
  const bwd = grads.map((g) => ({
    type: 'gradient',
    module: info.get(g.module),
    parameter: g.parameter,
    shape: g.shape,
    ...stamp,
    reductions: new Map([[reductionKey(neuron), reduce(g.data, g.shape, neuron)]]),
  }));
  return {
    batch: () => {
      for (const e of fwd) out.foldOutput(e);
      for (const e of bwd) grad.foldGradient(e);
    },
    tick: async () => {
      out.tick(1);
      grad.tick(1);
    },
    close: async () => undefined,
  };
};

/** Runs the lens benchmark, prints one line per figure and returns them. */
export async function run() {
  const outputsMs = await perBatch(reductionsOnly('outputs'));
  const gradsMs = await perBatch(reductionsOnly('grads'));
  const allMs = await perBatch(reductionsOnly('all'));
  const noLensMs = await perBatch(lensPath(() => []));
  const lossMs = await perBatch(lensPath(() => [new LossMetrics()]));
  const outputMs = await perBatch(lensPath(() => [new OutputActivation()]));
  const gradMs = await perBatch(lensPath(() => [new ParameterGradientActivation()]));
  const seedMs = await perBatch(
    lensPath(() => [new LossMetrics(), new OutputActivation(), new ParameterGradientActivation()]),
  );
  const foldMs = await perBatch(foldsOnly());
  const us = (ms) => `${(ms * 1000).toFixed(1)} µs`;
  const ratio = (a, b) => (a / b).toFixed(2);
  console.log('per batch (MNIST-sized CNN, batch 256; 4 outputs, 8 gradients):');
  console.log(`  reductions only: outputs ${us(outputsMs)}, gradients ${us(gradsMs)}, both ${us(allMs)}`);
  console.log(`  loop adapter, no lens:            ${us(noLensMs)}`);
  console.log(`  LossMetrics:                      ${us(lossMs)}  (no reductions)`);
  console.log(`  OutputActivation:                 ${us(outputMs)}  = ${ratio(outputMs, outputsMs)} × its reductions`);
  console.log(`  ParameterGradientActivation:      ${us(gradMs)}  = ${ratio(gradMs, gradsMs)} × its reductions`);
  console.log(`  all three lenses:                 ${us(seedMs)}  = ${ratio(seedMs, allMs)} × the reductions`);
  console.log(
    `  of which lens folds + ticks (OutputActivation + ParameterGradientActivation, 12 events): ${us(foldMs)}`,
  );
  return {
    reductionsOutputsUs: outputsMs * 1000,
    reductionsGradsUs: gradsMs * 1000,
    reductionsAllUs: allMs * 1000,
    noLensUs: noLensMs * 1000,
    lossMetricsUs: lossMs * 1000,
    outputActivationUs: outputMs * 1000,
    gradActivationUs: gradMs * 1000,
    seedLensesUs: seedMs * 1000,
    lensFoldsUs: foldMs * 1000,
    outputActivationRatio: outputMs / outputsMs,
    gradActivationRatio: gradMs / gradsMs,
    seedLensesRatio: seedMs / allMs,
  };
}

if (isMain(import.meta.url))
  await run(
    areaOptions('lenses', 'Per-batch cost of the seed lenses on the LoopAdapter path, against the reductions alone.'),
  );
