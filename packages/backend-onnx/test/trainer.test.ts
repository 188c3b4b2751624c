import t from 'tap';
import { Inspector, type OutputEvent, type GradientEvent, type LossEvent, type MonitorEvent } from '@monitorch/core';
import { DataLoader, TensorDataset, Trainer, type OrtApi } from '@monitorch/backend-onnx';
import { SESSIONS_KEPT } from '@monitorch/backend-onnx/internals';
import { blobs, f32, linearClassifier, referenceStep } from './fixtures/linear-classifier.js';
import { RecordingLens } from './fixtures/recording-lens.js';

const F = 3;
const C = 4;
const compiler = linearClassifier({ features: F, classes: C, learningRate: 0.5 });

function dataset(n: number): TensorDataset {
  const { x } = blobs(n, F);
  const y = Int32Array.from({ length: n }, (_, i) => (i * 7) % C);
  return new TensorDataset(x, [F], y);
}

const requests = [
  {
    select: { of: 'output', modules: {}, phases: ['train', 'val'] },
    reduction: { op: 'activeCount', per: 'channel', eps: 0.5 },
  },
  { select: { of: 'gradient', parameters: ['weight', 'bias'] }, reduction: { op: 'l2' } },
] as const;

for (const worker of [false, true]) {
  t.test(
    `${worker ? 'worker' : 'in-process'}: steps equal a float64 JS reference; events carry the graph's answers`,
    async (t) => {
      const data = dataset(12);
      const loader = new DataLoader(data, { batchSize: 5 }); // batches 5, 5, 2
      const trainer = await Trainer.fromCompiler({ compiler, worker, seed: 3 });
      t.teardown(() => trainer.close());
      const lens = new RecordingLens(requests);
      const inspector = new Inspector({ lenses: [lens], logger: null });
      const warnings: MonitorEvent[] = [];
      inspector.attach(trainer);
      inspector.events.warning$.subscribe((w) => warnings.push(w));

      const init = compiler.initialParameters(3);
      let W: Float64Array = Float64Array.from(f32(init['lin.weight']));
      let b: Float64Array = Float64Array.from(f32(init['lin.bias']));
      const refs: ReturnType<typeof referenceStep>[] = [];
      for (const batch of loader.batches(0)) {
        const r = referenceStep(W, b, batch.x, batch.y as Int32Array, F, C, 0.5);
        refs.push(r);
        W = r.W;
        b = r.b;
      }
      const summary = await trainer.trainEpoch(loader);
      t.same([summary.batches, summary.samples, summary.nonFiniteLosses], [3, 12, 0]);
      const state = await trainer.state();
      for (let i = 0; i < W.length; i++)
        t.ok(Math.abs(f32(state['lin.weight'])[i]! - W[i]!) < 1e-5, `W[${i}] after 3 SGD steps`);
      for (let i = 0; i < b.length; i++) t.ok(Math.abs(f32(state['lin.bias'])[i]! - b[i]!) < 1e-5, `b[${i}]`);
      t.same(trainer.progress, { step: 3, epoch: 1, learningRate: 0.5, seed: 3 });

      // Event order per step: forward, loss, gradients, step; stamped with the step before it.
      const kinds = lens.events.map((e) => `${e.type}${e.type === 'gradient' ? `:${e.parameter}` : ''}@${e.step}`);
      t.same(
        kinds,
        [0, 1, 2].flatMap((s) => [
          `output@${s}`,
          `loss@${s}`,
          `gradient:bias@${s}`,
          `gradient:weight@${s}`,
          `step@${s + 1}`,
        ]),
      );
      const forwards = lens.events.filter((e): e is OutputEvent => e.type === 'output');
      const losses = lens.events.filter((e): e is LossEvent => e.type === 'loss');
      const grads = lens.events.filter((e): e is GradientEvent => e.type === 'gradient' && e.parameter === 'weight');
      const sizes = [5, 5, 2];
      refs.forEach((r, k) => {
        t.ok(Math.abs(losses[k]!.value - r.loss) < 1e-5, `loss of batch ${k}`);
        t.equal(losses[k]!.batchSize, sizes[k]);
        t.equal(losses[k]!.phase, 'train');
        // active counts recomputed from the reference logits (|z| > 0.5 per class)
        const expected = new Float64Array(C);
        for (let i = 0; i < r.z.length; i++) if (Math.abs(r.z[i]!) > 0.5) expected[i % C]! += 1;
        const answer = forwards[k]!.reductions.get('activeCount:channel:0.5');
        t.same(
          answer,
          { op: 'activeCount', counts: expected, size: sizes[k], nonFinite: 0 },
          `active counts of batch ${k}`,
        );
        t.same(forwards[k]!.shape, [sizes[k], C]);
        t.equal(forwards[k]!.module.name, 'lin');
        const l2 = grads[k]!.reductions.get('l2');
        t.ok(l2?.op === 'l2' && Math.abs(l2.value - r.gWl2) < 1e-5, `gradient l2 of batch ${k}`);
        t.same(grads[k]!.shape, [C, F]);
      });

      // Evaluation: val-phase outputs and losses, nothing else; accuracy from the logits.
      lens.events = [];
      const evaluation = await trainer.evaluate(loader);
      t.same(
        lens.events.map((e) => `${e.type}:${e.phase}`),
        ['output:val', 'loss:val', 'output:val', 'loss:val', 'output:val', 'loss:val'],
      );
      const final = referenceStep(W, b, data.x, data.y as Int32Array, F, C, 0);
      t.ok(Math.abs(evaluation.loss - final.loss) < 1e-5, 'sample-weighted mean eval loss');
      let correct = 0;
      for (let n = 0; n < data.length; n++) {
        const row = Array.from(final.z.subarray(n * C, n * C + C));
        if (row.indexOf(Math.max(...row)) === data.y[n]) correct++;
      }
      t.equal(evaluation.accuracy, correct / data.length);
      t.equal(evaluation.samples, 12);
      t.same(warnings, []);

      const predicted = await trainer.predict(data.x.subarray(0, 2 * F), [2, F]);
      t.same(predicted.shape, [2, C]);
      for (let i = 0; i < 2 * C; i++) t.ok(Math.abs(predicted.data[i]! - final.z[i]!) < 1e-5, `prediction ${i}`);
      t.equal(data.x.length, 12 * F, "predict leaves the caller's array alone");
      await inspector.close();
    },
  );
}

t.test(
  'statistics are compiled in only when an Inspector asks; setLearningRate applies to the next step',
  async (t) => {
    const trainer = await Trainer.fromCompiler({ compiler, worker: false });
    t.teardown(() => trainer.close());
    t.same(trainer.compiledGraphs.train.stats, [], 'no stats before attach');
    const loader = new DataLoader(dataset(8), { batchSize: 8 });
    const before = await trainer.state();
    trainer.setLearningRate(0);
    await trainer.trainEpoch(loader);
    t.same(f32((await trainer.state())['lin.weight']), f32(before['lin.weight']), 'lr 0 leaves the weights');
    t.throws(() => trainer.setLearningRate(Number.NaN), { code: 'INVALID_ARGUMENT' });
    const inspector = new Inspector({ lenses: [new RecordingLens(requests)], logger: null });
    inspector.attach(trainer);
    t.same(trainer.compiledGraphs.train.stats, [], 'compiled lazily, not on attach');
    await trainer.trainEpoch(loader);
    t.equal(trainer.compiledGraphs.train.stats.length, 3, 'after the next step: forward + two gradient stats');
    t.equal(trainer.progress.epoch, 2);
    await inspector.close();
  },
);

t.test('bad batches get clear errors naming the shapes', async (t) => {
  const trainer = await Trainer.fromCompiler({ compiler, worker: false });
  t.teardown(() => trainer.close());
  const wrongShape = new TensorDataset(new Float32Array(8 * 2), [2], new Int32Array(8));
  await t.rejects(trainer.trainEpoch(new DataLoader(wrongShape, { batchSize: 4 })), {
    code: 'SHAPE_MISMATCH',
    message: /must have shape \[N, 3\] but the batch has \[4, 2\]/,
  });
  const floatLabels = new TensorDataset(new Float32Array(4 * F), [F], new Float32Array(4));
  await t.rejects(trainer.trainEpoch(new DataLoader(floatLabels, { batchSize: 4 })), {
    code: 'INVALID_ARGUMENT',
    message: /integer class labels/,
  });
  t.equal(trainer.progress.step, 0, 'no step was taken');
  const running = trainer.trainEpoch(new DataLoader(dataset(8), { batchSize: 4 }));
  await t.rejects(trainer.evaluate(new DataLoader(dataset(8), { batchSize: 4 })), {
    code: 'INVALID_ARGUMENT',
    message: /already running/,
  });
  await running;
  await trainer.close();
  await t.rejects(trainer.trainEpoch(new DataLoader(dataset(8), { batchSize: 4 })), { code: 'ALREADY_CLOSED' });
});

t.test('a non-finite loss stops the run with its step, keeping finished epochs', async (t) => {
  const data = dataset(12);
  const poisoned = new TensorDataset(data.x.slice(), [F], data.y);
  poisoned.x[6 * F] = Number.NaN; // sample 6 → batch 2 (of 4 samples) in epoch order
  const good = new DataLoader(data, { batchSize: 4 });
  const bad = new DataLoader(poisoned, { batchSize: 4 });
  const lens = new RecordingLens([]);
  const inspector = new Inspector({ lenses: [lens], logger: null });
  const trainer = await Trainer.fromCompiler({ compiler, worker: true });
  t.teardown(() => trainer.close());
  const warnings: MonitorEvent[] = [];
  inspector.attach(trainer);
  inspector.events.warning$.subscribe((w) => warnings.push(w));
  await trainer.trainEpoch(good);
  await inspector.tickEpoch();
  const error = await trainer.trainEpoch(bad).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.match(error, { code: 'NON_FINITE_LOSS', details: { step: 5, epoch: 2 } });
  t.match((error as Error).message, /at step 5 \(epoch 2\)\. Training stopped/);
  t.equal(warnings.length, 1);
  t.match(warnings[0], { type: 'warning', code: 'NON_FINITE_LOSS', step: 4, epoch: 2 });
  const losses = lens.events.filter((e): e is LossEvent => e.type === 'loss');
  t.equal(losses.length, 5, '3 + 2 losses reported, the NaN one included');
  t.ok(Number.isNaN(losses[4]!.value));
  t.equal(trainer.progress.epoch, 1, 'the broken epoch is not counted');
  await inspector.close();

  // 'continue': a NaN in the last batch; the epoch finishes and reports the count.
  const late = new TensorDataset(data.x.slice(), [F], data.y);
  late.x[10 * F] = Number.NaN;
  const going = await Trainer.fromCompiler({ compiler, worker: false, onNonFiniteLoss: 'continue' });
  t.teardown(() => going.close());
  const reference = await Trainer.fromCompiler({ compiler, worker: false });
  t.teardown(() => reference.close());
  const firstTwo = await reference.trainEpoch([...new DataLoader(data, { batchSize: 4 })].slice(0, 2));
  const summary = await going.trainEpoch(new DataLoader(late, { batchSize: 4 }));
  t.same([summary.batches, summary.samples, summary.nonFiniteLosses], [3, 12, 1]);
  t.equal(summary.loss, firstTwo.loss, 'mean over the finite batches only');
  t.equal(going.progress.epoch, 1);
});

interface SessionCounts {
  created: number;
  released: number;
  mostAlive: number;
  /** Each created session's `session.intra_op.allow_spinning` option, in creation order. */
  spinning: unknown[];
  /** Each created session's `session.force_spinning_stop` option, in creation order. */
  spinningStop: unknown[];
}

/** The real onnxruntime-node, counting the sessions it creates and releases. */
async function countingOrt(): Promise<{ ort: OrtApi; sessions: SessionCounts }> {
  const ort = (await import('onnxruntime-node')) as unknown as OrtApi;
  const sessions: SessionCounts = { created: 0, released: 0, mostAlive: 0, spinning: [], spinningStop: [] };
  return {
    sessions,
    ort: {
      Tensor: ort.Tensor,
      InferenceSession: {
        async create(model, options) {
          const session = await ort.InferenceSession.create(model, options);
          sessions.created += 1;
          const extra = options?.extra as
            { session?: { intra_op?: { allow_spinning?: unknown }; force_spinning_stop?: unknown } } | undefined;
          sessions.spinning.push(extra?.session?.intra_op?.allow_spinning);
          sessions.spinningStop.push(extra?.session?.force_spinning_stop);
          sessions.mostAlive = Math.max(sessions.mostAlive, sessions.created - sessions.released);
          const release = session.release.bind(session);
          session.release = async () => {
            sessions.released += 1;
            await release();
          };
          return session;
        },
      },
    },
  };
}

t.test(
  're-attaching an Inspector switches back to warm sessions; a fourth request set evicts the oldest',
  async (t) => {
    const { ort: counting, sessions } = await countingOrt();
    const trainer = await Trainer.fromCompiler({ compiler, ort: counting, worker: false });
    const plain = await Trainer.fromCompiler({ compiler, worker: false });
    t.teardown(() => plain.close());
    const loader = new DataLoader(dataset(8), { batchSize: 4 });
    const epoch = async (): Promise<void> => {
      await trainer.trainEpoch(loader);
      await plain.trainEpoch(loader);
    };
    t.same([sessions.created, sessions.released], [2, 0], 'train + eval session for the graphs without statistics');
    await epoch();
    const inspector = new Inspector({ lenses: [new RecordingLens(requests)], logger: null });
    inspector.attach(trainer);
    await epoch();
    t.same([sessions.created, sessions.released], [4, 0], 'attached: a second pair, the first one kept');
    inspector.detach();
    await epoch();
    inspector.attach(trainer);
    await epoch();
    t.same([sessions.created, sessions.released], [4, 0], 'detach and re-attach: both pairs reused, nothing rebuilt');
    inspector.detach();
    // The same statistics asked for in another order, with a sampling that watches every step:
    // the same graphs, so the same warm sessions.
    const resampled = [requests[1], requests[0]].map((r) => ({ ...r, sampling: { everySteps: 1 } }));
    const reordered = new Inspector({ lenses: [new RecordingLens(resampled)], logger: null });
    reordered.attach(trainer);
    await epoch();
    t.same([sessions.created, sessions.released], [4, 0], 'order and sampling of requests compile no new graph');
    reordered.detach();
    await reordered.close();
    // Parameter values come from host snapshots, not from a graph: added to the statistics'
    // requests, or alone (what the steps a sampled Inspector skips keep), they change no graph.
    const parameterValues = { select: { of: 'parameter', parameters: ['weight'] }, reduction: { op: 'l2' } } as const;
    for (const set of [[...requests, parameterValues], [parameterValues]]) {
      const withValues = new Inspector({ lenses: [new RecordingLens(set)], logger: null });
      withValues.attach(trainer);
      await epoch();
      withValues.detach();
      await withValues.close();
    }
    t.same([sessions.created, sessions.released], [4, 0], 'parameter-value requests compile no new graph');
    const third = new Inspector({ lenses: [new RecordingLens([requests[0]] as never)], logger: null });
    third.attach(trainer);
    await epoch();
    t.same([sessions.created, sessions.released], [6, 0], 'a third request set: a third pair, all three kept');
    third.detach();
    const other = new Inspector({ lenses: [new RecordingLens([requests[1]] as never)], logger: null });
    other.attach(trainer);
    await epoch();
    t.same(
      [sessions.created, sessions.released],
      [8, 2],
      `a fourth request set: one new pair, the least recently used one (of ${SESSIONS_KEPT} kept) released`,
    );
    t.equal(
      sessions.mostAlive,
      2 * SESSIONS_KEPT,
      'the old pair is released before the new one is built: never four pairs at once',
    );
    t.same(
      f32((await trainer.state())['lin.weight']),
      f32((await plain.state())['lin.weight']),
      'switching graphs never touched the training state',
    );
    await other.close();
    await third.close();
    await inspector.close();
    await trainer.close();
    t.equal(sessions.released, sessions.created, 'close releases every kept session');
  },
);

t.test('in the worker too, re-attaching an Inspector switches back to the graphs the engine kept', async (t) => {
  const trainer = await Trainer.fromCompiler({ compiler, worker: true });
  t.teardown(() => trainer.close());
  const loader = new DataLoader(dataset(8), { batchSize: 4 });
  await trainer.trainEpoch(loader);
  const lens = new RecordingLens(requests);
  const inspector = new Inspector({ lenses: [lens], logger: null });
  inspector.attach(trainer);
  await trainer.trainEpoch(loader);
  const attached = lens.events.map((e) => e.type);
  const stats = trainer.compiledGraphs.train.stats;
  inspector.detach();
  await trainer.trainEpoch(loader);
  t.same(trainer.compiledGraphs.train.stats, [], 'detached: the graphs without statistics run again');
  lens.events = [];
  inspector.attach(trainer);
  await trainer.trainEpoch(loader);
  t.same(trainer.compiledGraphs.train.stats, stats, "the worker's kept graphs came back with their statistics");
  t.same(
    lens.events.map((e) => e.type),
    attached,
    'and the lens gets the same events as on the first attach',
  );
  await inspector.close();
});

t.test(
  'the train session spins between operators (not after its run) unless told not to; the eval session never does',
  async (t) => {
    for (const [allowSpinning, train] of [
      [undefined, '1'],
      [true, '1'],
      [false, '0'],
    ] as const) {
      const { ort: counting, sessions } = await countingOrt();
      const trainer = await Trainer.fromCompiler({
        compiler,
        ort: counting,
        worker: false,
        ...(allowSpinning === undefined ? {} : { allowSpinning }),
      });
      t.same(sessions.spinning, [train, '0'], `allowSpinning ${String(allowSpinning)}: train ${train}, eval 0`);
      // A session that spun must stop when its run ends, or it takes the cores from the next
      // session to run (a sampled lens's other graph) and from the lenses' JavaScript.
      t.same(sessions.spinningStop, ['1', '1'], 'every session stops spinning at the end of a run');
      await trainer.close();
    }
  },
);

t.test(
  'a learning rate set in the progress callback applies to the very next step (steps overlap with reporting)',
  async (t) => {
    for (const worker of [false, true]) {
      const trainer = await Trainer.fromCompiler({ compiler, worker });
      const reference = await Trainer.fromCompiler({ compiler, worker: false });
      const inspector = new Inspector({ lenses: [new RecordingLens(requests)], logger: null });
      inspector.attach(trainer);
      const loader = new DataLoader(dataset(12), { batchSize: 4 });
      // After step 1, freeze the weights: steps 2 and 3 must run with lr 0.
      await trainer.trainEpoch(loader, {
        progress: (p) => {
          if (p.batch === 1) trainer.setLearningRate(0);
        },
      });
      await reference.trainEpoch([...loader.batches(0)].slice(0, 1));
      t.same(
        f32((await trainer.state())['lin.weight']),
        f32((await reference.state())['lin.weight']),
        `${worker ? 'worker' : 'in-process'}: only step 1 moved the weights`,
      );
      t.equal(trainer.progress.step, 3);
      await inspector.close();
      await trainer.close();
      await reference.close();
    }
  },
);

t.test(
  "sessions that never ran a batch make way: lenses attached before the first step take the initial sessions' place",
  async (t) => {
    const { ort: counting, sessions } = await countingOrt();
    const trainer = await Trainer.fromCompiler({ compiler, ort: counting, worker: false });
    const inspector = new Inspector({ lenses: [new RecordingLens(requests)], logger: null });
    inspector.attach(trainer);
    await trainer.trainEpoch(new DataLoader(dataset(8), { batchSize: 4 }));
    t.same([sessions.created, sessions.released], [4, 2], 'the unused initial pair was released, the lens pair built');
    t.equal(sessions.mostAlive, 2, 'released before the lens pair was built: one pair in memory at a time');
    t.equal(trainer.compiledGraphs.train.stats.length, 3, 'and the steps ran with the statistics');
    await inspector.close();
    await trainer.close();
    t.equal(sessions.released, sessions.created);
  },
);
