// Issue 14 benchmark: what each lens costs the seed MNIST CNN (batch 256, CPU), all measured side
// by side in one run.
//
// 1. Inside ONNX Runtime: the train graph compiled for no lens, for all ten lenses (the three seed
//    lenses and the seven of issue 14), and for each lens alone, run round-robin on the same batch
//    (geometry state fed back step to step as the engine does). Each lens's share is its graph's
//    step time (lower quartile: on a shared machine noise only adds time) over the plain graph's,
//    minus 1. Parameter-value lenses (ParameterNorm, ParameterCond) add nothing to a step: their
//    cost is one snapshot per epoch, timed apart and spread over an MNIST epoch's 235 steps.
// 2. End to end: a trainer (worker thread) training rounds with the ten lenses attached and
//    detached, alternating, the way bench/onnx.mjs measures the seed lenses (fewer blocks).
// 3. The memory the geometry state (previousDot's previous tensors) holds between steps.
// 4. Why the costly lens costs what it does: carrying its largest tensor out of ORT (output-copy.mjs).
import { Inspector } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import { OutputNorm, ParameterCond, ParameterNorm } from '@monitorch/lens-norms';
import { OutputGradientGeometry, ParameterGradientGeometry, ParameterUpdateGeometry } from '@monitorch/lens-geometry';
import { OutputDistribution } from '@monitorch/lens-output-distribution';
import { reduce } from '@monitorch/core';
import * as ort from 'onnxruntime-node';
import { DataLoader, Trainer, adam, crossEntropy, loadMnist } from '@monitorch/backend-onnx';
import { compileTrainGraph, initialParameters } from '@monitorch/backend-onnx/internals';
import { areaOptions, isMain } from './cli.mjs';
import { seedCnn } from './onnx.mjs';
import { outputCopyCost } from './output-copy.mjs';

const BATCH = 256;
const STEPS_PER_EPOCH = Math.ceil(60000 / BATCH);
const GRAPH_ROUNDS = Number(process.env.MONITORCH_BENCH_GRAPH_ROUNDS ?? 16);
const BLOCKS = Number(process.env.MONITORCH_BENCH_BLOCKS ?? 3);
const ROUNDS_PER_BLOCK = Number(process.env.MONITORCH_BENCH_ROUNDS ?? 2);
const TIMED_STEPS_PER_ROUND = 20;
/** OutputGradientGeometry's sampling in the "sampled" mode (the README's recommendation). */
const SAMPLED_EVERY = 50;
/** OutputGradientGeometry's sampling in the examples (`npm start`: examples/src/shared/lens-choice.ts). */
const EXAMPLES_EVERY = 20;
/** Lenses whose requests add nothing to a step graph (loss, parameter values): A/A noise of part 1. */
const NO_STEP_STATISTICS = ['LossMetrics', 'ParameterNorm', 'ParameterCond'];

/** The ten lenses, by name, each built with its defaults (a factory: a lens belongs to one Inspector). */
export const LENSES = {
  LossMetrics: () => new LossMetrics({ metrics: ['val_accuracy'], separateLossAndMetrics: false }),
  OutputActivation: () => new OutputActivation(),
  ParameterGradientActivation: () => new ParameterGradientActivation(),
  OutputNorm: () => new OutputNorm(),
  ParameterNorm: () => new ParameterNorm(),
  ParameterCond: () => new ParameterCond(),
  ParameterGradientGeometry: () => new ParameterGradientGeometry(),
  OutputGradientGeometry: () => new OutputGradientGeometry(),
  ParameterUpdateGeometry: () => new ParameterUpdateGeometry(),
  OutputDistribution: () => new OutputDistribution(),
};

const quantile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
};
const median = (xs) => quantile(xs, 0.5);

/** A session of the train graph for `requests`, fed like the engine feeds it; returns one timed step. */
async function graphStepper(requests, data) {
  const g = compileTrainGraph(seedCnn(), {
    inputShape: [-1, 1, 28, 28],
    loss: crossEntropy(),
    optimizer: adam(),
    requests,
  });
  const sess = await ort.InferenceSession.create(g.bytes, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 2,
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: '1' } } }, // as the trainer's train session
  });
  const init = initialParameters(g.parameters, 1);
  const feeds = {};
  let stateBytes = 0;
  for (const inp of g.inputs) {
    const dims = inp.shape.map((d) => (d < 0 ? BATCH : d));
    const n = dims.reduce((a, b) => a * b, 1);
    if (inp.role === 'x') feeds[inp.name] = new ort.Tensor('float32', data.x.slice(0, BATCH * 784), dims);
    else if (inp.role === 'y') feeds[inp.name] = new ort.Tensor('int32', Int32Array.from(data.y.slice(0, BATCH)), dims);
    else if (inp.role === 'param') feeds[inp.name] = new ort.Tensor('float32', init[inp.name].data, dims);
    else if (inp.role === 'hyper') feeds[inp.name] = new ort.Tensor('float32', new Float32Array([1e-3]), dims);
    else feeds[inp.name] = new ort.Tensor('float32', new Float32Array(n), dims);
    if (inp.role === 'geometryState') stateBytes += 4 * n;
  }
  const step = async () => {
    const start = performance.now();
    const out = await sess.run(feeds);
    const ms = performance.now() - start;
    for (const o of g.outputs) if (o.feeds) feeds[o.feeds] = out[o.name];
    return ms;
  };
  return { step, stateBytes, stats: g.stats.length, release: () => sess.release() };
}

/**
 * Part 1: every configuration's graph, round-robin, one step each per round (order reversed
 * every other round). Each configuration's share is the median over rounds of its step over that
 * round's plain steps (the mean of the plain graph's sessions): pairing by round takes out the
 * machine's drift, which on a shared machine is larger than most shares.
 */
async function graphShares(data, configs, plainNames) {
  const steppers = {};
  for (const [name, requests] of Object.entries(configs)) steppers[name] = await graphStepper(requests, data);
  for (const s of Object.values(steppers)) for (let i = 0; i < 2; i++) await s.step(); // warm-up
  const rounds = [];
  for (let r = 0; r < GRAPH_ROUNDS; r++) {
    const order = Object.keys(configs);
    if (r % 2 === 1) order.reverse();
    const round = {};
    for (const name of order) round[name] = await steppers[name].step();
    rounds.push(round);
  }
  const plainOf = (round) => plainNames.reduce((a, k) => a + round[k], 0) / plainNames.length;
  const out = {};
  for (const [name, s] of Object.entries(steppers)) {
    out[name] = {
      share: median(rounds.map((round) => round[name] / plainOf(round))) - 1,
      stepMs: median(rounds.map((round) => round[name])),
      stateBytes: s.stateBytes,
      stats: s.stats,
    };
    await s.release();
  }
  return out;
}

/** The host cost of one parameter snapshot (copy out of the engine + core kernels), per epoch. */
async function snapshotCost() {
  const g = compileTrainGraph(seedCnn(), { inputShape: [-1, 1, 28, 28], loss: crossEntropy(), optimizer: adam() });
  const params = initialParameters(g.parameters, 1);
  const trainer = await Trainer.create({
    model: seedCnn(),
    inputShape: [-1, 1, 28, 28],
    loss: crossEntropy(),
    optimizer: adam(),
    seed: 1,
  });
  const names = g.parameters.map((p) => p.fullName);
  const copy = [];
  const kernels = { l2: [], singularRatio: [] };
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await trainer.state(); // all state, an upper bound of the parameters-only copy the trainer takes
    copy.push(performance.now() - t0);
    for (const op of ['l2', 'singularRatio']) {
      const t1 = performance.now();
      for (const p of g.parameters) {
        if (op === 'singularRatio' && p.shape.length < 2) continue;
        reduce(params[p.fullName].data, p.shape, { op });
      }
      kernels[op].push(performance.now() - t1);
    }
  }
  await trainer.close();
  return {
    copyMs: median(copy),
    l2Ms: median(kernels.l2),
    singularRatioMs: median(kernels.singularRatio),
    parameters: names.length,
  };
}

/**
 * Part 2: one block — a fresh trainer trained in rounds, each mode in turn (order rotating from
 * round to round), after an untimed warm-up round per mode. A mode is an Inspector with its
 * lenses, or none. Returns every mode's step times.
 */
async function endToEndBlock(loader, modes, rotation) {
  const trainer = await Trainer.create({
    model: seedCnn(),
    inputShape: [-1, 1, 28, 28],
    loss: crossEntropy(),
    optimizer: adam(),
    seed: 42,
  });
  const inspectors = Object.fromEntries(
    Object.entries(modes).map(([name, makeLenses]) => [
      name,
      makeLenses === null ? null : new Inspector({ lenses: makeLenses(), logger: null }),
    ]),
  );
  const steps = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
  const round = async (mode, record) => {
    const inspector = inspectors[mode];
    inspector?.attach(trainer);
    const stamps = [];
    await trainer.trainEpoch(loader, { progress: () => stamps.push(performance.now()) });
    if (inspector !== null) {
      await inspector.tickEpoch();
      inspector.detach();
    }
    // every step but the first (the switch of graphs) is timed
    if (record) for (let i = 1; i < stamps.length; i++) steps[mode].push(stamps[i] - stamps[i - 1]);
  };
  const names = Object.keys(modes);
  for (const m of names) await round(m, false);
  for (let r = 0; r < ROUNDS_PER_BLOCK; r++) {
    for (let k = 0; k < names.length; k++) await round(names[(k + r + rotation) % names.length], true);
  }
  for (const inspector of Object.values(inspectors)) await inspector?.close();
  await trainer.close();
  return steps;
}

/** Runs the benchmark; prints and returns the figures. */
export async function run({ json = false } = {}) {
  const data = await loadMnist({ split: 'train', limit: BATCH * (TIMED_STEPS_PER_ROUND + 1) });
  const requestsOf = (make) => make().requests;
  const configs = {
    none: [],
    all: Object.values(LENSES).flatMap(requestsOf),
    allButOutputGradientGeometry: Object.entries(LENSES)
      .filter(([k]) => k !== 'OutputGradientGeometry')
      .flatMap(([, make]) => requestsOf(make)),
  };
  // Cheaper ways to watch output gradients: without the first convolution's [256, 64, 28, 28]
  // gradient, or norms only (no correlation: no state).
  const ogg = {
    'OutputGradientGeometry without conv1': new OutputGradientGeometry({ exclude: ['conv.conv1'] }).requests,
    'OutputGradientGeometry norms only': new OutputGradientGeometry({ computeCorrelation: false }).requests,
  };
  for (const [name, make] of Object.entries(LENSES)) configs[name] = requestsOf(make);
  Object.assign(configs, ogg);
  const plainNames = ['none', ...NO_STEP_STATISTICS];
  const graph = await graphShares(data, configs, plainNames);
  const snapshot = await snapshotCost();
  const copy = await outputCopyCost();
  const loader = new DataLoader(data, { batchSize: BATCH, shuffle: true, seed: 42 });
  const all = () => Object.values(LENSES).map((make) => make());
  // The documented default for the costly lens (README): output-gradient geometry every 20th step.
  const allSampledEvery = (everySteps) => () =>
    Object.entries(LENSES).map(([name, make]) =>
      name === 'OutputGradientGeometry' ? new OutputGradientGeometry({ sampling: { everySteps } }) : make(),
    );
  const modes = {
    none: null,
    all,
    allSampled: allSampledEvery(SAMPLED_EVERY),
    allSampledAsExamples: allSampledEvery(EXAMPLES_EVERY),
  };
  const blocks = [];
  for (let k = 0; k < BLOCKS; k++) blocks.push(await endToEndBlock(loader, modes, k));
  // Mean step per mode (sampled steps are rare: a median would hide them), each block's steps
  // over that block's no-lens mean first, which takes out the blocks' different speeds.
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const overhead = (mode) => mean(blocks.map((b) => mean(b[mode]) / mean(b.none))) - 1;
  // The plain graph four times over (no lens, and the lenses that add no step statistic compile
  // the identical graph): their mean is the baseline, their spread what noise alone shows.
  const plain = plainNames.map((k) => graph[k].share);
  const base = median(plainNames.map((k) => graph[k].stepMs));
  const snapshotPerStepMs = (snapshot.copyMs + snapshot.l2Ms + snapshot.singularRatioMs) / STEPS_PER_EPOCH;
  const allButOgg = graph.allButOutputGradientGeometry.share;
  const result = {
    graphStepNoLensMs: base,
    graphStepAllLensesMs: graph.all.stepMs,
    graphOverheadAll: graph.all.share,
    graphOverheadAllButOutputGradientGeometry: allButOgg,
    graphOverheadAllSampledEstimate: allButOgg + graph.OutputGradientGeometry.share / SAMPLED_EVERY,
    graphNoiseAA: Math.max(...plain.map(Math.abs)),
    cheaperOutputGradientGeometry: Object.fromEntries(Object.keys(ogg).map((k) => [k, graph[k].share])),
    lensShares: Object.fromEntries(Object.keys(LENSES).map((k) => [k, graph[k].share])),
    geometryStateBytes: Object.fromEntries(
      Object.keys(configs)
        .filter((k) => graph[k].stateBytes > 0)
        .map((k) => [k, graph[k].stateBytes]),
    ),
    snapshot,
    outputCopy: copy,
    snapshotPerStepShare: snapshotPerStepMs / base,
    endToEndNoLensStepMs: mean(blocks.flatMap((b) => b.none)),
    endToEndAllStepMs: mean(blocks.flatMap((b) => b.all)),
    endToEndAllSampledStepMs: mean(blocks.flatMap((b) => b.allSampled)),
    endToEndOverheadAll: overhead('all'),
    endToEndOverheadAllSampled: overhead('allSampled'),
    endToEndAllSampledAsExamplesStepMs: mean(blocks.flatMap((b) => b.allSampledAsExamples)),
    endToEndOverheadAllSampledAsExamples: overhead('allSampledAsExamples'),
    timedSteps: blocks.flatMap((b) => b.none).length,
  };
  if (json) {
    console.log(JSON.stringify(result));
    return result;
  }
  const pct = (x) => `${(x * 100).toFixed(1)} %`.padStart(8);
  const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  console.log(
    `onnx-lenses: seed CNN, batch ${BATCH}, CPU (2 threads); ${GRAPH_ROUNDS} graph rounds, ${BLOCKS} trainer blocks`,
  );
  console.log(
    `  A/A: the plain graph's four sessions (none, ${NO_STEP_STATISTICS.join(', ')}) are within ±${pct(result.graphNoiseAA).trim()} of their mean — what noise alone shows`,
  );
  console.log(
    `  inside ORT: plain step ${base.toFixed(1)} ms, all ten lenses ${graph.all.stepMs.toFixed(1)} ms → ${pct(result.graphOverheadAll)}`,
  );
  for (const [k, share] of Object.entries(result.lensShares)) {
    const state = graph[k].stateBytes > 0 ? `  geometry state ${mb(graph[k].stateBytes)}` : '';
    console.log(`    ${k.padEnd(28)}${pct(share)}  (${graph[k].stats} statistics)${state}`);
  }
  console.log(
    `  parameter snapshot per epoch: copy ${snapshot.copyMs.toFixed(2)} ms, l2 ${snapshot.l2Ms.toFixed(2)} ms, σmin/σmax ${snapshot.singularRatioMs.toFixed(1)} ms → ${pct(result.snapshotPerStepShare)} of a step over ${STEPS_PER_EPOCH} steps`,
  );
  console.log(`  geometry state of all lenses: ${mb(graph.all.stateBytes)} (held between steps, batch ${BATCH})`);
  for (const [k, share] of Object.entries(result.cheaperOutputGradientGeometry)) {
    console.log(`    ${k.padEnd(36)}${pct(share)}  geometry state ${mb(graph[k].stateBytes)}`);
  }
  console.log(
    `  a ${copy.mib.toFixed(0)} MiB tensor (conv1's output gradient) per run: kept inside ORT ${copy.inside.toFixed(1)} ms, carried out ${copy.carried.toFixed(1)} ms, carried and correlated ${copy.correlated.toFixed(1)} ms; in JS, writing it into a fresh buffer ${copy.freshWrite.toFixed(1)} ms vs a reused one ${copy.reusedWrite.toFixed(1)} ms`,
  );
  console.log(
    `  all but OutputGradientGeometry ${pct(allButOgg)}; with it every ${SAMPLED_EVERY}th step (estimate) ${pct(result.graphOverheadAllSampledEstimate)}`,
  );
  console.log(`  end to end (trainer in its worker), mean step, ${result.timedSteps} timed steps per mode:`);
  console.log(`    no lenses                          ${result.endToEndNoLensStepMs.toFixed(1)} ms`);
  console.log(
    `    all ten lenses, defaults           ${result.endToEndAllStepMs.toFixed(1)} ms  ${pct(result.endToEndOverheadAll)}`,
  );
  console.log(
    `    all ten, OutputGradientGeometry every ${SAMPLED_EVERY}th step ${result.endToEndAllSampledStepMs.toFixed(1)} ms  ${pct(result.endToEndOverheadAllSampled)}  (goal ≤ 3 %)`,
  );
  console.log(
    `    all ten, OutputGradientGeometry every ${EXAMPLES_EVERY}th step (the examples) ${result.endToEndAllSampledAsExamplesStepMs.toFixed(1)} ms  ${pct(result.endToEndOverheadAllSampledAsExamples)}`,
  );
  return result;
}

if (isMain(import.meta.url)) {
  await run(
    areaOptions('onnx-lenses', 'What each lens costs the seed CNN step (issue 14 lenses included).', { json: true }),
  );
}
