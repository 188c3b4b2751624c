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
//    detached, alternating, the way bench/onnx.mjs measures the seed lenses (fewer blocks); with
//    OutputGradientGeometry sampled every 50th and 20th step; and, to time a sampled step of it
//    apart from the noise of a run's two or three, without it and with it every 10th step.
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
import { DataLoader, adam, crossEntropy, loadMnist } from '@monitorch/backend-onnx';
import { compileTrainGraph, initialParameters } from '@monitorch/backend-onnx/internals';
import { areaOptions, isMain } from './cli.mjs';
import { seedCnn, seedCnnTrainer } from './onnx.mjs';
import { outputCopyCost } from './output-copy.mjs';
import { addedNodes, profileDir, profilingOptions, readKernelTimes } from './kernel-times.mjs';

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
/** A dense sampling, to time the sampled step itself (a tenth of the steps). */
const DENSE_EVERY = 10;
/** The Inspector-level sampling of the last mode, and OutputGradientGeometry's own there. */
const INSPECTOR_SAMPLED = { every: 5, ogg: 100 };
/** The end-to-end goal of issue 14 (all lenses attached vs none). */
const GOAL = 0.03;
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
async function graphStepper(requests, data, extraOptions = {}) {
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
    extra: { session: { intra_op: { allow_spinning: '1' }, force_spinning_stop: '1' } }, // as the trainer's train session
    ...extraOptions,
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
  return {
    step,
    stateBytes,
    stats: g.stats.length,
    release: () => sess.release(),
    endProfiling: () => sess.endProfiling(),
  };
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

/** Each configuration's kernel time per step (ORT's profiler, 10 timed runs after 2 warm-up ones). */
async function kernelShares(data, configs) {
  const out = {};
  for (const [name, requests] of Object.entries(configs)) {
    const dir = profileDir();
    const s = await graphStepper(requests, data, profilingOptions(dir));
    for (let i = 0; i < 12; i++) await s.step();
    s.endProfiling();
    await s.release();
    out[name] = readKernelTimes(dir, 2);
  }
  return out;
}

/** The host cost of one parameter snapshot (copy out of the engine + core kernels), per epoch. */
async function snapshotCost() {
  const g = compileTrainGraph(seedCnn(), { inputShape: [-1, 1, 28, 28], loss: crossEntropy(), optimizer: adam() });
  const params = initialParameters(g.parameters, 1);
  const trainer = await seedCnnTrainer(1);
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
  const trainer = await seedCnnTrainer();
  const inspectors = Object.fromEntries(
    Object.entries(modes).map(([name, makeLenses]) => [
      name,
      makeLenses === null
        ? null
        : new Inspector({
            lenses: makeLenses(),
            logger: null,
            ...(name === 'allInspectorSampled' ? { sampling: { everySteps: INSPECTOR_SAMPLED.every } } : {}),
          }),
    ]),
  );
  const steps = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
  // Each timed step's Inspector step index (the sampling clock), for telling sampled steps apart.
  const stepIndex = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
  const round = async (mode, record) => {
    const inspector = inspectors[mode];
    inspector?.attach(trainer);
    const first = inspector?.events.step ?? 0; // steps this Inspector saw before the round
    const stamps = [];
    await trainer.trainEpoch(loader, { progress: (p) => stamps.push([performance.now(), p.batch]) });
    if (inspector !== null) {
      await inspector.tickEpoch();
      inspector.detach();
    }
    // every step but the first (the switch of graphs) is timed
    if (!record) return;
    for (let i = 1; i < stamps.length; i++) {
      steps[mode].push(stamps[i][0] - stamps[i - 1][0]);
      stepIndex[mode].push(first + stamps[i][1] - 1);
    }
  };
  const names = Object.keys(modes);
  for (const m of names) await round(m, false);
  for (let r = 0; r < ROUNDS_PER_BLOCK; r++) {
    for (let k = 0; k < names.length; k++) await round(names[(k + r + rotation) % names.length], true);
  }
  for (const inspector of Object.values(inspectors)) await inspector?.close();
  await trainer.close();
  return { steps, stepIndex };
}

/**
 * What sampling OutputGradientGeometry costs, from two modes of every block: all ten lenses
 * but it (the steps between sampled ones, steady) and all ten with it every 10th step (a tenth
 * of the steps sampled, so a run has enough of them). The extra cost per sampled step is the
 * dense mode's mean step over the other's, times 10: means, so that what a sampled step costs
 * its neighbours (switching graphs there and back, freeing its state) is counted too. Each
 * block's means are over its no-lens mean first; the median over blocks is taken. From them,
 * the overhead of all ten with OutputGradientGeometry every n-th step,
 * `(allButIt − 1) + extra / n`, and the sparsest n the goal allows.
 */
function sampledStepCost(blocks, indices) {
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const per = blocks.map((b, k) => {
    const base = mean(b.none);
    const idx = indices[k].allSampledDense;
    const sampled = b.allSampledDense.filter((_, i) => idx[i] % DENSE_EVERY === 0);
    return {
      base,
      between: mean(b.allButOutputGradientGeometry) / base,
      extra: ((mean(b.allSampledDense) - mean(b.allButOutputGradientGeometry)) * DENSE_EVERY) / base,
      sampledMs: median(sampled),
      n: sampled.length,
    };
  });
  const between = median(per.map((p) => p.between));
  const extra = median(per.map((p) => p.extra));
  const base = median(per.map((p) => p.base));
  const at = (n) => between - 1 + extra / n;
  return {
    sampledSteps: per.reduce((a, p) => a + p.n, 0),
    sampledStepMs: median(per.map((p) => p.sampledMs)),
    extraMsPerSampledStep: extra * base,
    allButItOverhead: between - 1,
    overheadEvery: { 20: at(20), 50: at(50), 100: at(100), [STEPS_PER_EPOCH]: at(STEPS_PER_EPOCH) },
    // A sampled step that measured no dearer than the others: noise, and any n is as good.
    everyNeededForGoal: between - 1 >= GOAL ? null : extra <= 0 ? 1 : Math.ceil(extra / (GOAL - (between - 1))),
  };
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
  const kernels = await kernelShares(data, configs);
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
    // For the cost of one sampled step (sampledStepCost): without the lens, and with it every 10th step.
    allButOutputGradientGeometry: () =>
      Object.entries(LENSES)
        .filter(([name]) => name !== 'OutputGradientGeometry')
        .map(([, make]) => make()),
    allSampledDense: allSampledEvery(DENSE_EVERY),
    // Sampling on the Inspector too: every lens every 5th step, OutputGradientGeometry every 100th.
    allInspectorSampled: allSampledEvery(INSPECTOR_SAMPLED.ogg),
  };
  const blocks = [];
  const indices = [];
  for (let k = 0; k < BLOCKS; k++) {
    const { steps, stepIndex } = await endToEndBlock(loader, modes, k);
    blocks.push(steps);
    indices.push(stepIndex);
  }
  const sampledCost = sampledStepCost(blocks, indices);
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
    // ORT's profiler: kernel time per step of the plain graph, and that of each configuration's
    // statistics (the nodes the plain graph lacks), with the op types taking most of it.
    kernelNoLensMs: kernels.none.kernelMs,
    kernelStatistics: Object.fromEntries(Object.keys(configs).map((k) => [k, addedNodes(kernels[k], kernels.none)])),
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
    sampledStep: sampledCost,
    endToEndOverheadInspectorSampled: overhead('allInspectorSampled'),
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
  console.log(
    `    (and by ORT's profiler: the plain step's kernels take ${result.kernelNoLensMs.toFixed(1)} ms; each lens's statistics nodes take, per step)`,
  );
  const kernelCell = (k) => {
    const { ms, ops } = result.kernelStatistics[k];
    const top = ops
      .filter(([, t]) => t >= 0.05)
      .map(([op, t]) => `${op} ${t.toFixed(2)}`)
      .join(', ');
    return `statistics ${ms.toFixed(2)} ms (${pct(ms / result.kernelNoLensMs).trim()})${top ? `: ${top}` : ''}`;
  };
  for (const [k, share] of Object.entries(result.lensShares)) {
    const state = graph[k].stateBytes > 0 ? `  geometry state ${mb(graph[k].stateBytes)}` : '';
    console.log(`    ${k.padEnd(28)}${pct(share)}  (${graph[k].stats} statistics)${state}  ${kernelCell(k)}`);
  }
  for (const k of ['allButOutputGradientGeometry', 'all']) console.log(`    ${k.padEnd(28)}${kernelCell(k)}`);
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
  console.log(
    `    all ten, the Inspector sampling every ${INSPECTOR_SAMPLED.every}th step (OutputGradientGeometry every ${INSPECTOR_SAMPLED.ogg}th) ${pct(result.endToEndOverheadInspectorSampled).trim()}`,
  );
  const sc = result.sampledStep;
  console.log(
    `    all ten but OutputGradientGeometry ${pct(sc.allButItOverhead).trim()}; a sampled step of it (every ${DENSE_EVERY}th, ${sc.sampledSteps} sampled steps) takes ${sc.sampledStepMs.toFixed(1)} ms and adds ${sc.extraMsPerSampledStep.toFixed(1)} ms with its neighbours' share`,
  );
  console.log(
    `    so all ten with it every n-th step: ${Object.entries(sc.overheadEvery)
      .map(([n, v]) => `n=${n} ${pct(v).trim()}`)
      .join(
        ', ',
      )}; the goal (${pct(GOAL).trim()}) needs n ≥ ${sc.everyNeededForGoal ?? '— (unmet without it)'}${sc.extraMsPerSampledStep <= 0 ? ' (a sampled step measured no dearer than the rest: noise this run)' : ''}`,
  );
  return result;
}

if (isMain(import.meta.url)) {
  await run(
    areaOptions('onnx-lenses', 'What each lens costs the seed CNN step (issue 14 lenses included).', { json: true }),
  );
}
