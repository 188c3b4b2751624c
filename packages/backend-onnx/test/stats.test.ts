import t, { type Test } from 'tap';
import { reduce, type Reduction, type ReductionOp, type ReductionRequest, type ReductionResult } from '@monitorch/core';
import {
  conv2d,
  crossEntropy,
  dropout,
  flatten,
  linear,
  maxPool2d,
  relu,
  sequential,
  sgd,
  tanh,
} from '@monitorch/backend-onnx';
import {
  compileEvalGraph,
  compileTrainGraph,
  decodeStat,
  decodeStatFrom,
  float32Threshold,
  initialParameters,
  runGraph,
  type CompiledNetworkGraph,
  type FeedTensor,
  type RunOutput,
} from '@monitorch/backend-onnx/internals';
import { randoms } from './fixtures/gradcheck-reference.js';
import { dropoutKeyFeeds } from './fixtures/dropout-keys.js';

const REDUCTIONS: Reduction[] = [
  { op: 'activeCount', per: 'channel', eps: 1e-8 },
  { op: 'activeCount', per: 'channel', eps: 0.05 },
  { op: 'activeCount', per: 'channel', eps: 1e-8, channelsLast: true },
  { op: 'activeCount', per: 'neuron', eps: 0 },
  { op: 'activeCount', per: 'neuron', eps: 1e-3 },
  { op: 'sum' },
  { op: 'sumSquares' },
  { op: 'min' },
  { op: 'max' },
  { op: 'l2' },
  { op: 'nonFinite' },
  { op: 'sampleL2' },
  { op: 'previousDot' },
  { op: 'histogram', lo: -0.5, hi: 0.5, bins: 7 },
];

/** Reductions of update tensors only (they need the parameter before the step). */
const UPDATE_REDUCTIONS: Reduction[] = [{ op: 'updateRatio' }];

/**
 * Every op of core's `Reduction`: a new op fails to compile here until a test covers it —
 * `true` for the ops {@link REDUCTIONS} and {@link UPDATE_REDUCTIONS} check in the step graphs,
 * or the test file that covers an op no step graph computes.
 */
const TESTED_OPS: Record<ReductionOp, true | string> = {
  activeCount: true,
  sum: true,
  sumSquares: true,
  min: true,
  max: true,
  l2: true,
  nonFinite: true,
  sampleL2: true,
  previousDot: true,
  histogram: true,
  updateRatio: true,
  // parameter snapshots only: reduced on the host by core's kernel
  singularRatio: 'parameter-snapshots.test.ts',
};

t.test('the graph statistics are checked for every reduction op core defines', async (t) => {
  const inGraph = Object.entries(TESTED_OPS)
    .filter(([, how]) => how === true)
    .map(([op]) => op);
  t.same(new Set([...REDUCTIONS, ...UPDATE_REDUCTIONS].map((r) => r.op)), new Set(inGraph));
});

function requestsFor(reductions: readonly Reduction[], updateOnly: readonly Reduction[] = []): ReductionRequest[] {
  return [
    ...reductions.flatMap((reduction): ReductionRequest[] => [
      { select: { of: 'output', modules: {}, phases: ['train', 'val'] }, reduction },
      { select: { of: 'outputGradient', modules: {} }, reduction },
      { select: { of: 'gradient', parameters: ['weight'] }, reduction },
      { select: { of: 'gradient', parameters: ['bias'] }, reduction },
      { select: { of: 'update', parameters: ['weight'] }, reduction },
      { select: { of: 'update', parameters: ['bias'] }, reduction },
    ]),
    ...updateOnly.flatMap((reduction): ReductionRequest[] => [
      { select: { of: 'update', parameters: ['weight'] }, reduction },
      { select: { of: 'update', parameters: ['bias'] }, reduction },
    ]),
  ];
}

const model = sequential({
  conv: conv2d(2, 3, 3, { padding: 1 }),
  relu: relu(),
  pool: maxPool2d(2),
  flat: flatten(),
  drop: dropout(0.5),
  lin: linear(3 * 2 * 2, 4),
  act: tanh(),
});
const N = 3;
const SHAPE = [N, 2, 4, 4];

function feedsFor(graph: CompiledNetworkGraph, x: Float32Array): Record<string, FeedTensor> {
  const init = initialParameters(graph.parameters, 3);
  const feeds: Record<string, FeedTensor> = {
    x: { data: x, dims: SHAPE },
    y: { data: Int32Array.from([0, 3, 1]), dims: [N] },
    lr: { data: new Float32Array([0.5]), dims: [] },
  };
  for (const i of graph.inputs) {
    if (i.role === 'param') feeds[i.name] = init[i.name]!;
    if (i.role === 'optState' || i.role === 'geometryState') {
      const dims = i.shape.map((d) => (d < 0 ? N : d));
      feeds[i.name] = { data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims };
    }
  }
  Object.assign(feeds, dropoutKeyFeeds(graph, 0, 1, N));
  return feeds;
}

/** The tensor a statistic reduced, rebuilt from debug outputs. */
function tensorOf(
  stat: CompiledNetworkGraph['stats'][number],
  out: Record<string, RunOutput>,
  feeds: Record<string, FeedTensor>,
): { data: Float32Array; dims: number[] } {
  const pick = (name: string): { data: Float32Array; dims: number[] } => {
    const o = out[name];
    if (o === undefined) throw new Error(`missing debug output ${name}`);
    return { data: o.data as Float32Array, dims: [...o.dims] };
  };
  const param = `${stat.module.name}.${stat.parameter ?? ''}`;
  switch (stat.source) {
    case 'output':
      return pick(`debug.out.${stat.module.name}`);
    case 'outputGradient':
      return pick(`debug.outgrad.${stat.module.name}`);
    case 'gradient':
      return pick(`debug.grad.${param}`);
    case 'update': {
      const next = pick(`${param}.new`);
      const old = feeds[param]!.data as Float32Array;
      // ORT's Sub is a float32 subtraction; Float32Array stores exactly that rounding.
      return { data: Float32Array.from(next.data, (v, i) => v - old[i]!), dims: next.dims };
    }
    case 'parameter':
      throw new Error('no step graph reduces parameter values (snapshots are reduced on the host)');
  }
}

function compare(t: Test, label: string, got: ReductionResult, want: ReductionResult, tensor: Float32Array): void {
  if (got.op === 'activeCount' && want.op === 'activeCount') {
    t.same(Array.from(got.counts), Array.from(want.counts), `${label}: counts`);
    t.equal(got.size, want.size, `${label}: size`);
    t.equal(got.nonFinite, want.nonFinite, `${label}: nonFinite`);
    // per-unit finite entries (the rates' denominators), present exactly when core has them
    const finite = (r: typeof got): number[] | undefined => (r.finite === undefined ? undefined : Array.from(r.finite));
    t.same(finite(got), finite(want), `${label}: finite per unit`);
  } else if (got.op === 'histogram' && want.op === 'histogram') {
    t.same(Array.from(got.counts), Array.from(want.counts), `${label}: bin counts`);
    t.same([got.below, got.above, got.nonFinite], [want.below, want.above, want.nonFinite], `${label}: outside`);
  } else if (got.op === 'previousDot' && want.op === 'previousDot') {
    let scale = 0;
    for (const v of tensor) scale += v * v;
    const close = (a: number, b: number, s: number): boolean =>
      Object.is(a, b) || Math.abs(a - b) <= 1e-5 * Math.max(s, 1e-30);
    t.ok(
      close(got.norm, want.norm, Math.sqrt(scale)) &&
        close(got.previousNorm, want.previousNorm, want.previousNorm) &&
        close(got.dot, want.dot, Math.sqrt(scale) * want.previousNorm),
      `${label}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`,
    );
  } else if (got.op === 'nonFinite' && want.op === 'nonFinite') {
    t.same([got.nan, got.inf], [want.nan, want.inf], `${label}: NaN and Inf counts`);
  } else if ('value' in got && 'value' in want) {
    if (got.op === 'min' || got.op === 'max' || !Number.isFinite(want.value)) {
      t.ok(Object.is(got.value, want.value), `${label}: exactly ${want.value} (got ${got.value})`);
    } else {
      // ORT sums in float32: compare against the float32 error bound, relative to Σ|x| (or Σx²).
      let scale = 0;
      for (const v of tensor) scale += got.op === 'sum' ? Math.abs(v) : v * v;
      if (got.op === 'l2') scale = Math.sqrt(scale);
      // per-sample norms and ratios: relative to the answer itself
      if (got.op === 'sampleL2' || got.op === 'updateRatio') scale = Math.abs(want.value);
      const err = Math.abs(got.value - want.value) / Math.max(scale, 1e-30);
      t.ok(
        err < 1e-5,
        `${label}: ${got.value} vs ${want.value} (float32 accumulation, error ${err.toExponential(1)} of the scale)`,
      );
    }
  } else {
    t.fail(`${label}: ops differ (${got.op} vs ${want.op})`);
  }
}

async function checkTrain(
  t: Test,
  x: Float32Array,
  finiteGate = true,
  reductions = REDUCTIONS,
  updateOnly = UPDATE_REDUCTIONS,
): Promise<number> {
  const graph = compileTrainGraph(model, {
    inputShape: SHAPE,
    loss: crossEntropy(),
    optimizer: sgd({ lr: 0.5, momentum: 0.9 }),
    requests: requestsFor(reductions, updateOnly),
    debug: { outputs: true, outputGradients: true, gradients: true },
    finiteGate,
    ...(finiteGate ? {} : { device: 'webgpu' as const }),
  });
  const feeds = feedsFor(graph, x);
  const out = await runGraph(graph, feeds);
  const sources = new Set(graph.stats.map((s) => s.source));
  t.same([...sources].sort(), ['gradient', 'output', 'outputGradient', 'update'], 'every source has statistics');
  // 7 modules × R outputs + 7 × R output gradients + (2 params × 2 modules × R) × 2 sources.
  const r = reductions.length;
  t.equal(
    graph.stats.length,
    7 * r * 2 + 2 * 2 * r * 2 + 2 * 2 * updateOnly.length,
    'one statistic per (tensor, reduction)',
  );
  let poisoned = 0;
  for (const stat of graph.stats) {
    const tensor = tensorOf(stat, out, feeds);
    const got = decodeStatFrom(stat, out, N);
    // The first step: no previous tensor (zero state), the parameter before the step as fed.
    const param = `${stat.module.name}.${stat.parameter ?? ''}`;
    const context = stat.source === 'update' ? { parameter: feeds[param]!.data as Float32Array } : {};
    const want = reduce(tensor.data, tensor.dims, stat.reduction, context);
    if ((want.op === 'activeCount' && want.nonFinite > 0) || (want.op === 'nonFinite' && want.nan + want.inf > 0))
      poisoned++;
    compare(
      t,
      `${stat.source} ${stat.module.name}${stat.parameter === undefined ? '' : `.${stat.parameter}`} ${JSON.stringify(stat.reduction)}`,
      got,
      want,
      tensor.data,
    );
  }
  return poisoned;
}

// Both graph forms: with the finiteness gate (CPU default; a clean step takes its short
// branch, a poisoned one the exact branch) and without it (GPU graphs).
for (const finiteGate of [true, false]) {
  const form = finiteGate ? 'behind the finiteness gate' : 'inline (no gate)';
  t.test(`train graph statistics equal core reduce() on the same tensors, ${form}`, async (t) => {
    t.equal(
      await checkTrain(
        t,
        randoms(
          SHAPE.reduce((a, b) => a * b, 1),
          21,
        ),
        finiteGate,
      ),
      0,
      'no non-finite entries in a clean run',
    );
  });

  t.test(`non-finite entries: NaN/Inf never active, counted apart; min/max NaN like core, ${form}`, async (t) => {
    const x = randoms(
      SHAPE.reduce((a, b) => a * b, 1),
      22,
    );
    x[5] = Number.NaN;
    x[40] = Number.POSITIVE_INFINITY;
    x[70] = Number.NEGATIVE_INFINITY;
    t.ok((await checkTrain(t, x, finiteGate)) > 50, 'many statistics saw non-finite entries');
  });

  t.test(`a whole NaN/Inf sample: per-unit finite counts equal core's, ${form}`, async (t) => {
    const x = randoms(
      SHAPE.reduce((a, b) => a * b, 1),
      23,
    );
    const perSample = x.length / N;
    for (let i = perSample; i < 2 * perSample; i++) x[i] = i % 3 === 0 ? Number.NaN : Number.POSITIVE_INFINITY;
    t.ok((await checkTrain(t, x, finiteGate)) > 50, 'many statistics saw non-finite entries');
  });
}

t.test(
  "huge finite entries overflow the gate's sum: the exact branch runs and still counts no non-finite entry",
  async (t) => {
    // |x| ≈ 1e38: the sum of |x| over the input-sized tensors overflows float32 (> 3.4e38) while
    // every entry stays finite, so the gate must fall back to the exact branch without harm.
    // (Float32 sums of such tensors overflow by design, so only the exact reductions are compared.)
    const x = Float32Array.from(
      randoms(
        SHAPE.reduce((a, b) => a * b, 1),
        24,
      ),
      (v) => (v >= 0 ? 1e38 : -1e38),
    );
    const exactOnes = REDUCTIONS.filter(
      (r) => r.op === 'activeCount' || r.op === 'min' || r.op === 'max' || r.op === 'nonFinite',
    );
    const poisoned = await checkTrain(t, x, true, exactOnes, []);
    t.equal(poisoned, 0, 'every watched entry is finite, and every count says so');
  },
);

t.test('eval graph: output statistics for the val phase, dropout off', async (t) => {
  const graph = compileEvalGraph(model, {
    inputShape: SHAPE,
    loss: crossEntropy(),
    requests: requestsFor(REDUCTIONS),
    debug: { outputs: true },
  });
  t.same([...new Set(graph.stats.map((s) => s.source))], ['output'], 'only output statistics');
  t.same(graph.stats[0]?.phases, ['val'], 'serves the val phase');
  const x = randoms(
    SHAPE.reduce((a, b) => a * b, 1),
    23,
  );
  const feeds = feedsFor(graph, x);
  const out = await runGraph(graph, feeds);
  t.same(
    Array.from(out['debug.out.drop']!.data as Float32Array),
    Array.from(out['debug.out.flat']!.data as Float32Array),
    'dropout is the identity in eval',
  );
  for (const stat of graph.stats) {
    const tensor = tensorOf(stat, out, feeds);
    compare(
      t,
      `${stat.module.name} ${JSON.stringify(stat.reduction)}`,
      decodeStatFrom(stat, out, N),
      reduce(tensor.data, tensor.dims, stat.reduction),
      tensor.data,
    );
  }
});

t.test('eps boundary: the float32 comparison equals the float64 one', async (t) => {
  t.equal(float32Threshold(0.5), 0.5, 'representable eps unchanged');
  const th = float32Threshold(0.1);
  t.ok(th <= 0.1 && Math.fround(th) === th, 'at most eps and a float32');
  t.ok(Math.fround(0.1) > 0.1 && th < Math.fround(0.1), 'the float32 just above eps stays above the threshold');
  const net = sequential({ act: relu() });
  const req: ReductionRequest[] = [
    { select: { of: 'output', modules: {} }, reduction: { op: 'activeCount', per: 'channel', eps: 0.1 } },
  ];
  const graph = compileTrainGraph(net, {
    inputShape: [2, 3],
    loss: crossEntropy(),
    optimizer: sgd({ lr: 0 }),
    requests: req,
  });
  const x = Float32Array.from([Math.fround(0.1), th, 0.2, 0.3, th, 1e-9]);
  const out = await runGraph(graph, {
    x: { data: x, dims: [2, 3] },
    y: { data: Int32Array.from([0, 1]), dims: [2] },
    lr: { data: new Float32Array([0]), dims: [] },
    'optimizer.step': { data: new Float32Array([0]), dims: [] },
  });
  const stat = graph.stats[0]!;
  const got = decodeStatFrom(stat, out, 2);
  const want = reduce(
    x.map((v) => Math.max(v, 0)),
    [2, 3],
    stat.reduction,
  );
  t.same(got, want, 'counts at the eps boundary match core');
  t.same(
    got.op === 'activeCount' ? Array.from(got.counts) : [],
    [2, 0, 1],
    'fround(0.1) and 0.2 count, the float below 0.1 does not',
  );
});

t.test('decodeStat widens counts of any numeric array type to exact float64', async (t) => {
  const stat = {
    source: 'output',
    module: { name: 'm', kind: 'activation', type: 'ReLU', order: 0 },
    phase: 'train',
    reduction: { op: 'activeCount', per: 'channel', eps: 0 },
    outputs: ['c', 'n'],
    shape: [-1, 3],
  } as const;
  const nonFinite = { data: new Float32Array([2]), dims: [] };
  for (const data of [
    new Float32Array([16777216, 0, 3]),
    new Int32Array([16777216, 0, 3]),
    new BigInt64Array([16777216n, 0n, 3n]),
    [16777216, 0, 3],
  ]) {
    const got = decodeStat(stat as never, [{ data, dims: [3] }, nonFinite], 4);
    t.ok(
      got.op === 'activeCount' && got.counts instanceof Float64Array,
      `${data.constructor.name}: Float64Array counts`,
    );
    if (got.op === 'activeCount')
      t.same(
        [Array.from(got.counts), got.size, got.nonFinite],
        [[16777216, 0, 3], 4, 2],
        `${data.constructor.name}: values, size 4·1, 2 non-finite`,
      );
  }
  const wide = new Float64Array([5, 6, 7]);
  const got = decodeStat(stat as never, [{ data: wide, dims: [3] }, nonFinite], 4);
  t.equal(
    got.op === 'activeCount' ? got.counts : undefined,
    wide,
    'float64 counts (views of a widened packed output) are used without a copy',
  );
});
