// Issue 14's in-graph statistics over real training steps: closed forms with plain SGD, the
// in-graph correlations against consecutive debug gradients, the last smaller batch, sampling,
// skipped steps and parameter snapshots, through the Trainer and its step engine.
import t from 'tap';
import {
  Inspector,
  reduce,
  reductionKey,
  type Reduction,
  type ReductionRequest,
  type ReductionResult,
  type TensorEvent,
} from '@monitorch/core';
import {
  crossEntropy,
  DataLoader,
  linear,
  relu,
  sequential,
  sgd,
  TensorDataset,
  Trainer,
  type Batch,
} from '@monitorch/backend-onnx';
import {
  compileNetwork,
  compileTrainGraph,
  decodeStatFrom,
  runGraph,
  type FeedTensor,
  type NetworkCompiler,
  type RunOutput,
} from '@monitorch/backend-onnx/internals';
import { blobs } from './fixtures/linear-classifier.js';
import { graphFeeds } from './fixtures/graph-feeds.js';
import { TensorRecorder } from './fixtures/tensor-recorder.js';

const F = 3;
const C = 2;
const LR = 0.1;
const model = sequential({ lin1: linear(F, 4), act: relu(), lin2: linear(4, C) });
const declaration = { model, inputShape: [-1, F], loss: crossEntropy(), optimizer: sgd({ lr: LR }) };
const DOT: Reduction = { op: 'previousDot' };
const L2: Reduction = { op: 'l2' };

/** The declared network, compiled in the graph form of `form` whatever device the trainer runs on. */
function compilerFor(form: 'cpu' | 'webgpu'): NetworkCompiler {
  const base = compileNetwork(declaration);
  return { ...base, compile: (requests) => base.compile(requests, { device: form }) };
}

function dataset(n: number): TensorDataset {
  const { x, y } = blobs(n, F);
  return new TensorDataset(x, [F], y);
}
const batches = (d: TensorDataset, size = 4): Batch[] => [...new DataLoader(d, { batchSize: size })];

/** The answer to `r` in an event. */
function answerOf(e: TensorEvent, r: Reduction): ReductionResult {
  const a = e.reductions.get(reductionKey(r));
  if (a === undefined) throw new Error(`no ${r.op} answer in ${e.type} ${e.module.name}`);
  return a;
}
type Dot = Extract<ReductionResult, { op: 'previousDot' }>;
/** The previousDot answer of an event. */
function dotOf(e: TensorEvent): Dot {
  const a = answerOf(e, DOT);
  if (a.op !== 'previousDot') throw new Error('previousDot expected');
  return a;
}
/** The l2 answer of an event. */
function l2Of(e: TensorEvent): number {
  const a = answerOf(e, L2);
  if (a.op !== 'l2') throw new Error('l2 expected');
  return a.value;
}
const cosine = (d: { dot: number; norm: number; previousNorm: number }): number => d.dot / (d.norm * d.previousNorm);

const geometryRequests: ReductionRequest[] = [
  { select: { of: 'gradient', parameters: ['weight', 'bias'] }, reduction: DOT },
  { select: { of: 'update', parameters: ['weight', 'bias'] }, reduction: DOT },
  { select: { of: 'update', parameters: ['weight', 'bias'] }, reduction: { op: 'updateRatio' } },
  { select: { of: 'outputGradient', modules: {} }, reduction: DOT },
];

for (const form of ['cpu', 'webgpu'] as const) {
  t.test(
    `${form} graph form, plain SGD: update norm = lr × gradient norm, update correlation = gradient correlation`,
    async (t) => {
      const trainer = await Trainer.fromCompiler({ compiler: compilerFor(form), worker: false, seed: 5 });
      t.teardown(() => trainer.close());
      const lens = new TensorRecorder(geometryRequests);
      const inspector = new Inspector({ lenses: [lens], logger: null });
      inspector.attach(trainer);
      await trainer.trainEpoch(batches(dataset(16))); // 4 steps
      await inspector.tickEpoch();
      for (const [module, parameter] of [
        ['lin1', 'weight'],
        ['lin1', 'bias'],
        ['lin2', 'weight'],
      ] as const) {
        const grads = lens.of('gradient', module, parameter).map((e) => dotOf(e));
        const updates = lens.of('update', module, parameter).map((e) => dotOf(e));
        t.equal(grads.length, 4, `${module}.${parameter}: four steps`);
        t.same([grads[0]!.previousNorm, updates[0]!.previousNorm], [0, 0], 'no previous tensor at the first step');
        for (let s = 0; s < 4; s++) {
          const g = grads[s]!;
          const u = updates[s]!;
          // ΔP = (P − lr·g) − P in float32: relative error a few float32 ulps of |P| / |ΔP|.
          t.ok(
            Math.abs(u.norm - LR * g.norm) <= 1e-4 * LR * g.norm,
            `step ${s}: ‖ΔP‖ ${u.norm} = lr·‖g‖ ${LR * g.norm}`,
          );
          if (s > 0) {
            t.ok(
              Math.abs(u.previousNorm - grads[s - 1]!.norm * LR) <= 1e-4 * LR * g.norm,
              `step ${s}: previous update norm`,
            );
            t.ok(Math.abs(cosine(u) - cosine(g)) < 1e-4, `step ${s}: cos ${cosine(u)} = ${cosine(g)}`);
          }
        }
      }
      await inspector.close();
    },
  );
}

t.test('in-graph correlations equal the cosines of consecutive debug gradients and output gradients', async (t) => {
  const graph = compileTrainGraph(model, {
    ...declaration,
    inputShape: [-1, F],
    requests: geometryRequests,
    debug: { gradients: true, outputGradients: true },
  });
  const { x, y } = blobs(12, F);
  let params: Record<string, FeedTensor> | undefined;
  let previous: Record<string, RunOutput> | undefined;
  let previousDebug: Record<string, RunOutput> | undefined;
  for (let step = 0; step < 3; step++) {
    const feeds = graphFeeds(
      graph,
      { data: x.slice(step * 4 * F, (step + 1) * 4 * F), dims: [4, F] },
      { data: y.slice(step * 4, (step + 1) * 4), dims: [4] },
      { lr: LR, ...(params === undefined ? {} : { params }) },
    );
    for (const input of graph.inputs) {
      if (input.role !== 'geometryState') continue;
      // As the engine does: the output that `feeds` this input carries its next value.
      const carrier = graph.outputs.find((o) => o.role === 'geometryStateNew' && o.feeds === input.name);
      const fed = carrier === undefined ? undefined : previous?.[carrier.name];
      const dims = input.shape.map((d) => (d < 0 ? 4 : d));
      feeds[input.name] =
        fed === undefined
          ? { data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims }
          : { data: fed.data as Float32Array, dims: fed.dims };
    }
    const out = await runGraph(graph, feeds);
    for (const stat of graph.stats) {
      if (stat.reduction.op !== 'previousDot' || stat.source === 'update') continue;
      const name =
        stat.source === 'gradient'
          ? `debug.grad.${stat.module.name}.${stat.parameter ?? ''}`
          : `debug.outgrad.${stat.module.name}`;
      const now = out[name]!;
      const before = previousDebug?.[name];
      const want = reduce(
        now.data as Float32Array,
        [...now.dims],
        DOT,
        before === undefined ? {} : { previous: before.data as Float32Array },
      );
      const got = decodeStatFrom(stat, out, 4);
      if (got.op !== 'previousDot' || want.op !== 'previousDot') throw new Error('previousDot expected');
      const label = `step ${step} ${stat.source} ${stat.module.name}${stat.parameter === undefined ? '' : `.${stat.parameter}`}`;
      t.ok(Math.abs(got.norm - want.norm) <= 1e-6 * Math.max(1, want.norm), `${label}: norm`);
      t.ok(
        Math.abs(got.previousNorm - want.previousNorm) <= 1e-6 * Math.max(1, want.previousNorm),
        `${label}: previous norm`,
      );
      if (step > 0)
        t.ok(Math.abs(cosine(got) - cosine(want)) < 1e-6, `${label}: cosine ${cosine(got)} vs ${cosine(want)}`);
    }
    params = {};
    for (const o of graph.outputs)
      if (o.role === 'paramNew' && o.feeds !== undefined)
        params[o.feeds] = { data: out[o.name]!.data as Float32Array, dims: out[o.name]!.dims };
    previous = out;
    previousDebug = out;
  }
});

t.test('output gradients: the last, smaller batch and the next epoch start from zero state', async (t) => {
  const trainer = await Trainer.create({ ...declaration, worker: false, seed: 5 });
  t.teardown(() => trainer.close());
  const lens = new TensorRecorder([{ select: { of: 'outputGradient', modules: { names: ['lin2'] } }, reduction: DOT }]);
  const inspector = new Inspector({ lenses: [lens], logger: null });
  inspector.attach(trainer);
  const data = batches(dataset(10)); // 4, 4, 2
  await trainer.trainEpoch(data);
  await trainer.trainEpoch(data);
  await inspector.tickEpoch();
  const seen = lens.of('outputGradient', 'lin2').map((e) => [e.shape[0], dotOf(e).previousNorm > 0]);
  t.same(
    seen,
    [
      [4, false],
      [4, true],
      [2, false], // another shape: no previous tensor
      [4, false], // and back: zero state again
      [4, true],
      [2, false],
    ],
    'batch sizes and whether a previous tensor of the same shape was there',
  );
  await inspector.close();
});

t.test('sampling: unwatched steps report nothing, train identically, and keep the geometry state', async (t) => {
  const data = batches(dataset(24)); // 6 steps
  const plain = await Trainer.create({ ...declaration, worker: false, seed: 9 });
  t.teardown(() => plain.close());
  await plain.trainEpoch(data);

  const sampled = await Trainer.create({ ...declaration, worker: false, seed: 9 });
  t.teardown(() => sampled.close());
  const lens = new TensorRecorder([
    { select: { of: 'gradient', parameters: ['weight'] }, reduction: DOT, sampling: { everySteps: 3 } },
    { select: { of: 'gradient', parameters: ['weight'] }, reduction: L2 },
  ]);
  const inspector = new Inspector({ lenses: [lens], logger: null });
  inspector.attach(sampled);
  await sampled.trainEpoch(data);
  await inspector.tickEpoch();
  const events = lens.of('gradient', 'lin1', 'weight');
  t.same(
    events.map((e) => [e.step, e.reductions.has(reductionKey(DOT)), e.reductions.has(reductionKey(L2))]),
    [0, 1, 2, 3, 4, 5].map((s) => [s, s % 3 === 0, true]),
    'previousDot at steps 0 and 3 only; the unsampled l2 every step',
  );
  const d3 = dotOf(events[3]!);
  t.ok(Math.abs(d3.previousNorm - l2Of(events[0]!)) < 1e-6, 'step 3 correlates with step 0, the previous watched step');
  t.same(
    await sampled.state(),
    await plain.state(),
    'the parameters after six steps equal those of a run without lenses',
  );
  await inspector.close();
});

t.test('a step that skipped its update leaves the geometry state as it was', async (t) => {
  const good = dataset(12);
  const poisoned = new TensorDataset(good.x.slice(), [F], good.y);
  poisoned.x[5 * F] = Number.NaN; // sample 5 → the second of three batches
  const trainer = await Trainer.create({ ...declaration, worker: false, seed: 5, onNonFiniteLoss: 'continue' });
  t.teardown(() => trainer.close());
  const lens = new TensorRecorder([
    { select: { of: 'gradient', parameters: ['weight'] }, reduction: DOT },
    { select: { of: 'outputGradient', modules: { names: ['lin2'] } }, reduction: DOT },
  ]);
  const inspector = new Inspector({ lenses: [lens], logger: null });
  inspector.attach(trainer);
  const summary = await trainer.trainEpoch(batches(poisoned));
  t.equal(summary.skippedUpdates, 1, 'the second step skipped its update');
  await inspector.tickEpoch();
  for (const [type, module, parameter] of [
    ['gradient', 'lin1', 'weight'],
    ['outputGradient', 'lin2', undefined],
  ] as const) {
    const d = lens.of(type, module, parameter).map((e) => dotOf(e));
    t.equal(d.length, 3, `${type} ${module}: three steps reported`);
    t.ok(Number.isNaN(d[1]!.norm), 'the skipped step saw NaN');
    t.equal(d[2]!.previousNorm, d[0]!.norm, `${type} ${module}: step 3 compares with step 1, not the skipped step`);
  }
  await inspector.close();
});

t.test('parameter snapshots: at each epoch end and on inspector.snapshotParameters(), never per step', async (t) => {
  const trainer = await Trainer.fromCompiler({ compiler: compileNetwork(declaration), seed: 5 }); // in the worker
  t.teardown(() => trainer.close());
  const cond: Reduction = { op: 'singularRatio' };
  const lens = new TensorRecorder([
    { select: { of: 'parameter', parameters: ['weight'] }, reduction: L2 },
    { select: { of: 'parameter', parameters: ['weight'] }, reduction: cond },
  ]);
  const inspector = new Inspector({ lenses: [lens], logger: null });
  inspector.attach(trainer);
  const check = async (label: string, events: TensorEvent[]): Promise<void> => {
    const state = await trainer.state();
    t.same(
      events.map((e) => e.module.name),
      ['lin1', 'lin2'],
      `${label}: one report per weight`,
    );
    for (const e of events) {
      const w = state[`${e.module.name}.weight`]!;
      const want = reduce(w.data as Float32Array, [...w.dims], L2);
      t.same(answerOf(e, L2), want, `${label}: ${e.module.name} ‖W‖ of the current parameters`);
      t.same(
        answerOf(e, cond),
        reduce(w.data as Float32Array, [...w.dims], cond),
        `${label}: ${e.module.name} σmin/σmax`,
      );
    }
  };
  inspector.snapshotParameters(); // before any step: the initial parameters, at once
  await check('initial', lens.events.splice(0));
  await trainer.trainEpoch(batches(dataset(8)));
  t.same(lens.events, [], 'no snapshot during the epoch');
  await inspector.tickEpoch();
  const atTick = lens.events.splice(0);
  t.same(
    atTick.map((e) => e.epoch),
    [1, 1],
    'the epoch-end snapshot belongs to the closing epoch',
  );
  await check('epoch end', atTick);
  // Asked for mid-epoch: read after the running step, reported when it arrives (before the epoch closes).
  let asked = false;
  await trainer.trainEpoch(batches(dataset(8)), {
    progress: ({ batch }) => {
      if (batch === 1 && !asked) {
        asked = true;
        inspector.snapshotParameters();
      }
    },
  });
  const midEpoch = lens.events.splice(0);
  t.same(
    midEpoch.map((e) => [e.type, e.epoch]),
    [
      ['parameter', 2],
      ['parameter', 2],
    ],
    'the mid-epoch snapshot arrived within the epoch',
  );
  await inspector.close();
});

t.test(
  'a new Inspector run starts without a previous tensor; the trainer says which sources it provides',
  async (t) => {
    const trainer = await Trainer.create({ ...declaration, seed: 5 }); // in the worker
    t.teardown(() => trainer.close());
    const request: ReductionRequest = { select: { of: 'gradient', parameters: ['weight'] }, reduction: DOT };
    const data = batches(dataset(8)); // 2 steps
    const previousNorms = async (): Promise<boolean[]> => {
      // The second request watches conv outputs, and the network has none: the trainer's 'seen'
      // tells the Inspector outputs are reported, so it does not warn SOURCE_NOT_REPORTED.
      const lens = new TensorRecorder([
        request,
        { select: { of: 'output', modules: { kinds: ['conv'] } }, reduction: L2 },
      ]);
      const inspector = new Inspector({ lenses: [lens], logger: null });
      const warnings: string[] = [];
      inspector.errors$.subscribe((e) => warnings.push(e.code));
      inspector.attach(trainer);
      await trainer.trainEpoch(data);
      await inspector.tickEpoch();
      await inspector.close();
      t.same(warnings, [], 'no SOURCE_NOT_REPORTED warning');
      return lens.of('gradient', 'lin1', 'weight').map((e) => dotOf(e).previousNorm > 0);
    };
    t.same(await previousNorms(), [false, true], 'first run: the first step has no previous gradient');
    t.same(await previousNorms(), [false, true], 'second run: neither, although the engine ran steps before');
  },
);
