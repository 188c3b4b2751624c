// ONNX backend benchmark: the seed's MNIST CNN at batch 256 on the CPU.
// Prints, measured side by side in one run: the step time with the three seed lenses attached
// vs with none (interleaved rounds, medians), and — when /usr/bin/python3 has torch — the same
// network's step in PyTorch with 2 threads, as a speed ratio. `--json` prints one JSON object.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Inspector } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-grad-activation';
import * as ort from 'onnxruntime-node';
import {
  DataLoader, Trainer, adam, compileTrainGraph, initialParameters, conv2d, crossEntropy, dropout, flatten, linear, loadMnist, maxPool2d, relu, sequential, softmax,
} from '@monitorch/backend-onnx';

const BATCH = 256;
const BATCHES_PER_ROUND = 4;
const ROUNDS = 21;

function seedCnn() {
  return sequential({
    conv: sequential({
      conv1: conv2d(1, 64, 7, { padding: 'same' }), pool1: maxPool2d(7), relu1: relu(), dropout: dropout(0),
      conv2: conv2d(64, 128, 4), relu2: relu(),
    }),
    flatten: flatten(),
    dense: sequential({
      dropout1: dropout(0), lin1: linear(128, 32), relu1: relu(), dropout2: dropout(0), lin2: linear(32, 10), softmax: softmax(1),
    }),
  });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

function torchStepMs() {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const script = fileURLToPath(new URL('./torch_step.py', import.meta.url));
  const run = spawnSync('/usr/bin/python3', [script, String(BATCH), '10'], { encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0) return null;
  return JSON.parse(run.stdout.trim().split('\n').pop()).stepMs;
}

/**
 * The statistics' cost inside ONNX Runtime alone: the same train graph compiled with and
 * without the seed lenses' requests, run side by side on one batch (no trainer, no events).
 */
async function graphOnlyOverhead(data) {
  const requests = [...new OutputActivation().requests, ...new ParameterGradientActivation().requests];
  const make = async (reqs) => {
    const g = compileTrainGraph(seedCnn(), { inputShape: [-1, 1, 28, 28], loss: crossEntropy(), optimizer: adam(), requests: reqs });
    const sess = await ort.InferenceSession.create(g.bytes, {
      executionProviders: ['cpu'], intraOpNumThreads: 2, logSeverityLevel: 3, extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    const init = initialParameters(g.parameters, 1);
    const feeds = {};
    for (const inp of g.inputs) {
      const dims = inp.shape.map((d) => (d < 0 ? BATCH : d));
      if (inp.role === 'x') feeds[inp.name] = new ort.Tensor('float32', data.x.slice(0, BATCH * 784), dims);
      else if (inp.role === 'y') feeds[inp.name] = new ort.Tensor('int32', Int32Array.from(data.y.slice(0, BATCH)), dims);
      else if (inp.role === 'param') feeds[inp.name] = new ort.Tensor('float32', init[inp.name].data, dims);
      else if (inp.role === 'hyper') feeds[inp.name] = new ort.Tensor('float32', new Float32Array([1e-3]), dims);
      else feeds[inp.name] = new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
    }
    return async () => {
      const start = performance.now();
      const out = await sess.run(feeds);
      const ms = performance.now() - start;
      for (const o of g.outputs) if (o.feeds) feeds[o.feeds] = out[o.name];
      return ms;
    };
  };
  const plain = await make([]);
  const watched = await make(requests);
  for (let i = 0; i < 3; i++) { await plain(); await watched(); }
  const a = [];
  const b = [];
  for (let r = 0; r < 24; r++) {
    for (let k = 0; k < 3; k++) a.push(await plain());
    for (let k = 0; k < 3; k++) b.push(await watched());
  }
  return { graphStepMs: median(b), graphStepNoStatsMs: median(a), graphStatsOverhead: median(b) / median(a) - 1 };
}

/** Runs the benchmark; prints and returns the figures. */
export async function run({ json = false } = {}) {
  const data = await loadMnist({ split: 'train', limit: BATCH * BATCHES_PER_ROUND });
  const loader = new DataLoader(data, { batchSize: BATCH, shuffle: true, seed: 42 });
  const create = () => Trainer.create({ model: seedCnn(), inputShape: [-1, 1, 28, 28], loss: crossEntropy(), optimizer: adam(), seed: 42 });
  const watched = await create();
  const plain = await create();
  const inspector = new Inspector({
    lenses: [new LossMetrics({ metrics: ['val_accuracy'], separateLossAndMetrics: false }), new OutputActivation(), new ParameterGradientActivation()],
    logger: null,
  });
  inspector.attach(watched);
  const timeRound = async (trainer) => {
    const start = performance.now();
    await trainer.trainEpoch(loader);
    return (performance.now() - start) / BATCHES_PER_ROUND;
  };
  await timeRound(watched); // warm-up: compile with the lenses' statistics, first runs
  await timeRound(plain);
  const withLenses = [];
  const without = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which goes first, so drift on a shared machine hits both alike.
    if (r % 2 === 0) { withLenses.push(await timeRound(watched)); without.push(await timeRound(plain)); }
    else { without.push(await timeRound(plain)); withLenses.push(await timeRound(watched)); }
    await inspector.tickEpoch();
  }
  await inspector.close();
  await watched.close();
  await plain.close();
  const stepMs = median(withLenses);
  const stepNoLensMs = median(without);
  const graphOnly = await graphOnlyOverhead(data);
  const torch = torchStepMs();
  const result = {
    stepMs, stepNoLensMs, lensOverhead: stepMs / stepNoLensMs - 1, ...graphOnly,
    torchStepMs: torch, speedupVsTorch: torch === null ? null : torch / stepMs,
  };
  if (json) {
    console.log(JSON.stringify(result));
  } else {
    console.log(`onnx: seed CNN, batch ${BATCH}, CPU, worker thread, medians of ${ROUNDS} interleaved rounds`);
    console.log(`  step with the 3 seed lenses  ${stepMs.toFixed(1)} ms`);
    console.log(`  step without lenses          ${stepNoLensMs.toFixed(1)} ms`);
    console.log(`  lens overhead                ${(result.lensOverhead * 100).toFixed(1)} % (goal ≤ 2 %)`);
    console.log(`  of which inside ORT          ${(graphOnly.graphStatsOverhead * 100).toFixed(1)} % (train graph with vs without the statistics: ${graphOnly.graphStepMs.toFixed(1)} vs ${graphOnly.graphStepNoStatsMs.toFixed(1)} ms)`);
    console.log(torch === null ? '  PyTorch: not available (/usr/bin/python3 -c "import torch" failed)'
      : `  PyTorch 2 threads            ${torch.toFixed(1)} ms  →  ONNX is ${result.speedupVsTorch.toFixed(2)}× faster (goal ≥ 1.5×)`);
  }
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run({ json: process.argv.includes('--json') });
}
