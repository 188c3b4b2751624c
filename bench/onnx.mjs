// ONNX backend benchmark: the seed's MNIST CNN at batch 256 on the CPU.
// Prints, measured side by side in one run: the step time with the three seed lenses attached
// vs with none, and — when /usr/bin/python3 has torch — the same network's step in PyTorch
// with 2 threads, as a speed ratio. `--json` prints one JSON object.
//
// How the lens overhead is measured. Step times on this shared 2-core VM wander by ±10 %
// between processes and trainers, and identical ONNX Runtime sessions differ by a few per cent
// with where their memory landed. So the comparison is made inside blocks: each block is a fresh
// trainer (new worker, sessions, memory) that trains rounds with the three lenses attached and
// detached, alternating which comes first; half the blocks build the lens sessions first, half
// the plain ones. Every timed step is divided by its block's median step (both modes), which
// takes out the blocks' different speeds; the overhead is the ratio of the medians of these
// normalised steps with and without lenses. Its 95 % interval comes from resampling whole
// blocks (a seeded bootstrap), and the same estimate between two groups of no-lens rounds placed
// alike in the schedule (A/A: no lenses in both) shows what noise alone gives.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Inspector } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import * as ort from 'onnxruntime-node';
import { DataLoader, Trainer, adam, crossEntropy, loadMnist } from '@monitorch/backend-onnx';
import { compileTrainGraph, initialParameters } from '@monitorch/backend-onnx/internals';
import { seedCnn as seedCnnOf } from '../examples/dist/mnist/seed-cnn.js';
import { areaOptions, isMain } from './cli.mjs';

const BATCH = 256;
const TIMED_STEPS_PER_ROUND = 4;
const WARMUP_ROUNDS = 2;
const ROUNDS_PER_BLOCK = 4; // a multiple of 4: the A/A groups need pairs 0, 3 and 1, 2 of each four
const BLOCKS = 24;

/** The seed notebook's CNN without dropout (the examples' definition, module names as the seed's). */
export const seedCnn = () => seedCnnOf([0, 0, 0]);

/** A trainer of {@link seedCnn} as the benches train it: MNIST input, cross-entropy, Adam. */
export const seedCnnTrainer = (seed = 42) =>
  Trainer.create({ model: seedCnn(), inputShape: [-1, 1, 28, 28], loss: crossEntropy(), optimizer: adam(), seed });

/** The value below which a fraction `p` of the samples lie (nearest rank). */
const quantile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
};
const median = (xs) => quantile(xs, 0.5);
const fastDecile = (xs) => quantile(xs, 0.1);

function torchStep() {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const script = fileURLToPath(new URL('./torch_step.py', import.meta.url));
  const run = spawnSync('/usr/bin/python3', [script, String(BATCH), '40'], { encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0) return null;
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

/**
 * The statistics' cost inside ONNX Runtime alone: the same train graph compiled with and
 * without the seed lenses' requests, run side by side on one batch (no trainer, no events).
 */
async function graphOnlyOverhead(data) {
  const requests = [...new OutputActivation().requests, ...new ParameterGradientActivation().requests];
  const make = async (reqs) => {
    const g = compileTrainGraph(seedCnn(), {
      inputShape: [-1, 1, 28, 28],
      loss: crossEntropy(),
      optimizer: adam(),
      requests: reqs,
    });
    const sess = await ort.InferenceSession.create(g.bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: 2,
      logSeverityLevel: 3,
      extra: { session: { intra_op: { allow_spinning: '1' }, force_spinning_stop: '1' } }, // as the trainer's train session
    });
    const init = initialParameters(g.parameters, 1);
    const feeds = {};
    for (const inp of g.inputs) {
      const dims = inp.shape.map((d) => (d < 0 ? BATCH : d));
      if (inp.role === 'x') feeds[inp.name] = new ort.Tensor('float32', data.x.slice(0, BATCH * 784), dims);
      else if (inp.role === 'y')
        feeds[inp.name] = new ort.Tensor('int32', Int32Array.from(data.y.slice(0, BATCH)), dims);
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
  for (let i = 0; i < 3; i++) {
    await plain();
    await watched();
  }
  const a = [];
  const b = [];
  for (let r = 0; r < 30; r++) {
    for (let k = 0; k < 3; k++) a.push(await plain());
    for (let k = 0; k < 3; k++) b.push(await watched());
  }
  return {
    graphStepMs: fastDecile(b),
    graphStepNoStatsMs: fastDecile(a),
    graphStatsOverhead: fastDecile(b) / fastDecile(a) - 1,
  };
}

/**
 * One block: a fresh trainer (worker, sessions, memory) trained in rounds that alternate lenses
 * on and off, after an untimed warm-up. Returns every timed step, by mode, and each round's CPU
 * time per step.
 *
 * @param lensSessionsFirst - attach the lenses before the first step, so their sessions are
 *   built first (the trainer then drops its unused plain pair); else train a plain round first
 */
async function block(loader, lensSessionsFirst) {
  const trainer = await seedCnnTrainer();
  const inspector = new Inspector({
    lenses: [
      new LossMetrics({ metrics: ['val_accuracy'], separateLossAndMetrics: false }),
      new OutputActivation(),
      new ParameterGradientActivation(),
    ],
    logger: null,
  });
  const steps = { lenses: [], none: [] };
  // No-lens steps in two groups of rounds placed alike (each has one round right after a lens
  // round and one right before one), for an A/A comparison: see run().
  const noneByGroup = [[], []];
  /** One round: an epoch over the loader; every step but the first (the switch) is timed. */
  const round = async (withLenses, record = true, group = 0) => {
    if (withLenses) inspector.attach(trainer);
    const stamps = [];
    await trainer.trainEpoch(loader, {
      progress: () => {
        stamps.push(performance.now());
      },
    });
    if (withLenses) {
      await inspector.tickEpoch();
      inspector.detach();
    }
    if (!record) return;
    const which = withLenses ? 'lenses' : 'none';
    for (let i = 1; i < stamps.length; i++) {
      steps[which].push(stamps[i] - stamps[i - 1]);
      if (!withLenses) noneByGroup[group].push(stamps[i] - stamps[i - 1]);
    }
  };
  // Warm-up, untimed: builds both session pairs (in this block's order) and runs their first,
  // slow steps.
  for (let r = 0; r < WARMUP_ROUNDS; r++) {
    await round(lensSessionsFirst, false);
    await round(!lensSessionsFirst, false);
  }
  for (let r = 0; r < ROUNDS_PER_BLOCK; r++) {
    // Alternate which goes first, so drift on a shared machine hits both alike: rounds run
    // L P, P L, L P, P L. The no-lens rounds of pairs 0 and 3 and those of pairs 1 and 2 are
    // placed alike (in each group one follows a lens round, one follows a no-lens round), so
    // comparing the two groups (A/A) shows noise, not order effects.
    const lensesFirst = r % 2 === 0;
    const group = r % 4 === 0 || r % 4 === 3 ? 0 : 1;
    await round(lensesFirst, true, group);
    await round(!lensesFirst, true, group);
  }
  await inspector.close();
  await trainer.close();
  return { steps, noneByGroup };
}

/**
 * The overhead of `a` over `b` across blocks: each step divided by its block's median step
 * (both groups), then the ratio of the two groups' medians, minus 1.
 */
function normalisedOverhead(blocks, a, b) {
  const na = [];
  const nb = [];
  for (const blk of blocks) {
    const scale = median([...a(blk), ...b(blk)]);
    for (const x of a(blk)) na.push(x / scale);
    for (const x of b(blk)) nb.push(x / scale);
  }
  return median(na) / median(nb) - 1;
}

/** A 95 % interval of `estimate(blocks)` from resampling whole blocks (seeded, so runs repeat). */
export function bootstrapInterval(blocks, estimate, resamples = 1000) {
  let state = 0x9e3779b9;
  const nextIndex = () => {
    state = (state + 0x6d2b79f5) | 0; // mulberry32
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return Math.floor((((z ^ (z >>> 14)) >>> 0) / 4294967296) * blocks.length);
  };
  const estimates = [];
  for (let r = 0; r < resamples; r++) estimates.push(estimate(blocks.map(() => blocks[nextIndex()])));
  return [quantile(estimates, 0.025), quantile(estimates, 0.975)];
}

/** Runs the benchmark; prints and returns the figures. */
export async function run({ json = false } = {}) {
  const data = await loadMnist({ split: 'train', limit: BATCH * (TIMED_STEPS_PER_ROUND + 1) });
  const loader = new DataLoader(data, { batchSize: BATCH, shuffle: true, seed: 42 });
  const blocks = [];
  for (let k = 0; k < BLOCKS; k++) blocks.push(await block(loader, k % 2 === 0));
  const all = (which) => blocks.flatMap((t) => t.steps[which]);
  const lenses = (blk) => blk.steps.lenses;
  const none = (blk) => blk.steps.none;
  const groupB = (blk) => blk.noneByGroup[1];
  const groupA = (blk) => blk.noneByGroup[0];
  const lensOverhead = normalisedOverhead(blocks, lenses, none);
  const stepMs = median(all('lenses'));
  const stepNoLensMs = median(all('none'));
  const graphOnly = await graphOnlyOverhead(data);
  const torch = torchStep();
  const torchStepMs = torch === null ? null : torch.stepMs; // median, like stepMs
  const result = {
    stepMs,
    stepNoLensMs,
    lensOverhead,
    lensOverheadInterval: bootstrapInterval(blocks, (bs) => normalisedOverhead(bs, lenses, none)),
    // The same estimate between two halves of the no-lens steps: what noise alone shows.
    noiseFloor: normalisedOverhead(blocks, groupB, groupA),
    noiseFloorInterval: bootstrapInterval(blocks, (bs) => normalisedOverhead(bs, groupB, groupA)),
    blockOverheads: blocks.map((blk) => median(lenses(blk)) / median(none(blk)) - 1),
    stepFastMs: fastDecile(all('lenses')),
    stepNoLensFastMs: fastDecile(all('none')),
    lensOverheadFast: fastDecile(all('lenses')) / fastDecile(all('none')) - 1,
    timedSteps: all('lenses').length,
    ...graphOnly,
    torchStepMs,
    torchStepFastMs: torch === null ? null : torch.stepQ10Ms,
    speedupVsTorch: torchStepMs === null ? null : torchStepMs / stepMs,
  };
  if (json) {
    console.log(JSON.stringify(result));
  } else {
    const pct = (x) => `${(x * 100).toFixed(1)} %`;
    const ms = (x) => `${x.toFixed(1)} ms`;
    const interval = ([lo, hi]) => `95 % interval ${(lo * 100).toFixed(1)} … ${(hi * 100).toFixed(1)} %`;
    console.log(
      `onnx: seed CNN, batch ${BATCH}, CPU, worker thread; ${BLOCKS} blocks (fresh trainers) × ${ROUNDS_PER_BLOCK} rounds each way, lenses on/off alternating, ${result.timedSteps} timed steps each way`,
    );
    console.log('                                  median   fast decile');
    const row = (label, m, q) => console.log(`  ${label.padEnd(28)}${m.padStart(10)}${q.padStart(14)}`);
    row('step with the 3 seed lenses', ms(stepMs), ms(result.stepFastMs));
    row('step without lenses', ms(stepNoLensMs), ms(result.stepNoLensFastMs));
    console.log(
      `  lens overhead                ${pct(lensOverhead).padStart(9)}   (${interval(result.lensOverheadInterval)}; goal ≤ 2 %)`,
    );
    console.log(
      `  A/A, no lenses in both       ${pct(result.noiseFloor).padStart(9)}   (${interval(result.noiseFloorInterval)}: what noise alone shows)`,
    );
    console.log(`  fast deciles, all steps      ${pct(result.lensOverheadFast).padStart(9)}`);
    const sorted = [...result.blockOverheads].sort((a, b) => a - b);
    console.log(`  per block (median ratio), sorted: ${sorted.map((x) => (x * 100).toFixed(1)).join(' ')} %`);
    console.log(
      `  inside ORT alone             ${pct(graphOnly.graphStatsOverhead).padStart(9)}   (train graph with vs without the statistics: ${graphOnly.graphStepMs.toFixed(1)} vs ${graphOnly.graphStepNoStatsMs.toFixed(1)} ms)`,
    );
    console.log(
      torch === null
        ? '  PyTorch: not available (/usr/bin/python3 -c "import torch" failed)'
        : `  PyTorch ${torch.torch}, 2 threads${ms(torchStepMs).padStart(10)}${ms(torch.stepQ10Ms).padStart(14)}   →  ONNX with the lenses is ${result.speedupVsTorch.toFixed(2)}× faster at the median (goal ≥ 1.5×)`,
    );
  }
  return result;
}

if (isMain(import.meta.url)) {
  await run(
    areaOptions(
      'onnx',
      'Step time of the seed MNIST CNN (batch 256, CPU) with and without the seed lenses, and against PyTorch.',
      { json: true },
    ),
  );
}
