import t from 'tap';
import {
  Inspector,
  LoopAdapter,
  defineTable,
  type Lens,
  type MonitorchError,
  type ReductionRequest,
  type TableRow,
} from '@monitorch/core';

/** A lens that only asks: its folds count what arrived. */
function asking(id: string, requests: ReductionRequest[]): Lens & { folds: number } {
  const lens = {
    id,
    requests,
    table: defineTable(id, [], { panels: [] }),
    folds: 0,
    reset(): void {},
    tick(): TableRow[] {
      return [];
    },
    foldOutput(): void {
      lens.folds++;
    },
    foldOutputGradient(): void {
      lens.folds++;
    },
    foldGradient(): void {
      lens.folds++;
    },
    foldParameter(): void {
      lens.folds++;
    },
  };
  return lens;
}

const L2 = { op: 'l2' } as const;
const x = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i + 1);

function run(lenses: Lens[], loop = new LoopAdapter()) {
  const errors: MonitorchError[] = [];
  const inspector = new Inspector({ lenses, logger: null });
  inspector.errors$.subscribe((e) => errors.push(e));
  inspector.attach(loop);
  const missing = (): MonitorchError[] => errors.filter((e) => e.code === 'SOURCE_NOT_REPORTED');
  return { inspector, loop, errors, missing };
}

t.test('a lens waiting for output gradients the loop never reports: one warning per run', async (t) => {
  const lens = asking('og', [{ select: { of: 'outputGradient', modules: {} }, reduction: L2 }]);
  const { inspector, loop, missing } = run([lens]);
  for (let e = 0; e < 2; e++) {
    loop.output('lin1', x(4), [2, 2], { kind: 'linear' });
    loop.loss(0.5);
    loop.step();
    await inspector.tickEpoch();
  }
  t.equal(missing().length, 1);
  t.match(
    missing()[0]?.message,
    /Lens "og" watches outputGradient tensors.*loop\.outputGradient\(module, data, shape\)/,
  );
  t.same(missing()[0]?.details, { lens: 'og', source: 'outputGradient', epoch: 1 });
  await inspector.close();
});

t.test('no false warnings: loss-only lenses, eval-only epochs, absent modules, val outputs', async (t) => {
  const loss = { ...asking('loss', []), foldLoss(): void {} };
  const grad = asking('grad', [{ select: { of: 'gradient', parameters: ['weight'] }, reduction: L2 }]);
  const absent = asking('absent', [{ select: { of: 'outputGradient', modules: { names: ['conv9'] } }, reduction: L2 }]);
  const val = asking('val', [{ select: { of: 'output', modules: {}, phases: ['val'] }, reduction: L2 }]);
  const { inspector, loop, missing } = run([loss, grad, absent, val]);
  // Epoch 1: evaluation only — no step, no gradient.
  loop.loss(0.7, { phase: 'val' });
  loop.output('lin1', x(4), [2, 2], { kind: 'linear', phase: 'val' });
  await inspector.tickEpoch();
  // Epoch 2: training with gradients and output gradients of a module `absent` does not watch.
  loop.gradient('lin1', 'weight', x(4), [2, 2]);
  loop.outputGradient('lin1', x(4), [2, 2]);
  loop.loss(0.5);
  loop.step();
  await inspector.tickEpoch();
  t.same(missing(), []);
  t.equal(absent.folds, 0, 'conv9 never appeared');
  t.equal(grad.folds, 1);
  await inspector.close();
});

t.test('sampled-out epochs and unwatched steps do not warn', async (t) => {
  const everyOther = asking('epochs', [
    { select: { of: 'outputGradient', modules: {} }, reduction: L2, sampling: { everyEpochs: 2 } },
  ]);
  const sparse = asking('steps', [
    { select: { of: 'gradient', parameters: ['weight'] }, reduction: L2, sampling: { everySteps: 10 } },
  ]);
  const { inspector, loop, missing } = run([everyOther, sparse]);
  for (let e = 1; e <= 3; e++) {
    const steps = e === 1 ? 1 : 3;
    for (let s = 0; s < steps; s++) {
      // Output gradients only in the watched epochs 1 and 3; gradients only at step 0.
      if (e !== 2) loop.outputGradient('lin1', x(4), [2, 2]);
      if (e === 1) loop.gradient('lin1', 'weight', x(4), [2, 2]);
      loop.step();
    }
    await inspector.tickEpoch();
  }
  t.same(missing(), [], 'epoch 2 is not watched; steps 1–6 are not watched by everySteps 10');
  await inspector.close();
});

t.test('parameter snapshots: warned when the adapter cannot take them, not when it can', async (t) => {
  const request: ReductionRequest = { select: { of: 'parameter', parameters: ['weight'] }, reduction: L2 };
  const without = run([asking('p', [request])]);
  without.loop.loss(1);
  await without.inspector.tickEpoch();
  t.equal(without.missing().length, 1);
  t.match(without.missing()[0]?.message, /loop\.parameter\(module, parameter, data, shape\)/);
  await without.inspector.close();

  const lens = asking('p', [request]);
  const loop = new LoopAdapter({
    parameters: () => [{ module: 'fc', parameter: 'weight', data: x(6), shape: [2, 3] }],
  });
  const withSource = run([lens], loop);
  withSource.loop.loss(1);
  await withSource.inspector.tickEpoch();
  t.same(withSource.missing(), []);
  t.equal(lens.folds, 1, 'one snapshot at the epoch end');
  withSource.inspector.snapshotParameters();
  t.equal(lens.folds, 2, 'and one on request');
  await withSource.inspector.close();
});

t.test('snapshotParameters() without an adapter warns and does not throw', async (t) => {
  const errors: MonitorchError[] = [];
  const inspector = new Inspector({ lenses: [], logger: null });
  inspector.errors$.subscribe((e) => errors.push(e));
  inspector.snapshotParameters();
  t.same(
    errors.map((e) => e.code),
    ['NOT_ATTACHED'],
  );
  await inspector.close();
});

t.test('a snapshot source that throws is a warning; the epoch still closes', async (t) => {
  const lens = asking('p', [{ select: { of: 'parameter', parameters: ['weight'] }, reduction: L2 }]);
  const loop = new LoopAdapter({
    parameters: () => {
      throw new Error('weights are on another device');
    },
  });
  const { inspector, errors } = run([lens], loop);
  loop.loss(1);
  const closed = await inspector.tickEpoch();
  t.equal(closed.epoch, 1);
  t.ok(errors.some((e) => e.code === 'BACKEND_FAILED' && /another device/.test(e.message)));
  await inspector.close();
});

t.test('requests with ops on the wrong source, bad histograms or bad sampling sit the run out', async (t) => {
  const bad: [string, ReductionRequest, RegExp][] = [
    [
      'ratio',
      { select: { of: 'gradient', parameters: ['weight'] }, reduction: { op: 'updateRatio' } },
      /update tensors/,
    ],
    ['cond', { select: { of: 'output', modules: {} }, reduction: { op: 'singularRatio' } }, /parameter tensors/],
    ['sample', { select: { of: 'update', parameters: ['weight'] }, reduction: { op: 'sampleL2' } }, /batch dimension/],
    [
      'hist',
      { select: { of: 'output', modules: {} }, reduction: { op: 'histogram', lo: 1, hi: 0, bins: 4 } },
      /lo < hi/,
    ],
    [
      'bins',
      { select: { of: 'output', modules: {} }, reduction: { op: 'histogram', lo: 0, hi: 1, bins: 0 } },
      /whole number/,
    ],
    ['sampling', { select: { of: 'output', modules: {} }, reduction: L2, sampling: { everySteps: 0 } }, /everySteps/],
    ['param', { select: { of: 'parameter' } } as unknown as ReductionRequest, /select\.parameters/],
  ];
  const lenses = bad.map(([id, r]) => asking(id, [r]));
  const { inspector, errors } = run(lenses);
  for (const [id, , message] of bad) {
    const e = errors.find((x) => x.code === 'INVALID_ARGUMENT' && x.details['lens'] === id);
    t.match(e?.message, message, id);
  }
  await inspector.close();
  t.throws(() => new Inspector({ lenses: [], sampling: { everyEpochs: -1 } }), { code: 'INVALID_ARGUMENT' });
});
