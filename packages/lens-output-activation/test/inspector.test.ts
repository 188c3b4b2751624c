// OutputActivation driven end to end: LoopAdapter → real CPU kernels → bus → lens → Arrow.
import t from 'tap';
import { Inspector, LoopAdapter } from '@monitorch/core';
import { OutputActivation } from '@monitorch/lens-output-activation';

/** Arrow rows as plain objects; list cells become plain arrays. */
const rowsOf = (inspector: Inspector, lens: OutputActivation): Record<string, unknown>[] =>
  inspector
    .table(lens)
    .toArray()
    .map((r: { toJSON(): Record<string, unknown> }) =>
      Object.fromEntries(
        Object.entries(r.toJSON()).map(([k, v]) => [
          k,
          v !== null && typeof v === 'object' ? Array.from(v as Iterable<number>) : v,
        ]),
      ),
    );

const NULLS = { channels: null, dead_count: null, dead_channels: null, worst_module: null };

t.test('exact rows: example A (conv) and example C (three linear batches) in one epoch, train and val', async (tt) => {
  const lens = new OutputActivation({ phases: ['train', 'val'] });
  const inspector = new Inspector({ lenses: [lens], logger: null });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  const exampleA = Float32Array.from([0.5, 0, 0, 2, 0, 0, 0, 0, 1, 1, 1, 1e-9, 0, 0, 0, 3, 0, 0, 0, 0, -1, 0, 0, 0]);
  loop.output('lin1', Float32Array.from([5, 5]), [1, 2], { kind: 'linear' }); // not watched: a linear layer
  loop.output('conv_relu', exampleA, [2, 3, 2, 2], { kind: 'activation' });
  for (const batch of [
    [1, 0, 0, 0, 1, 0, 0, 0],
    [1, 1, 0, 0, 0, 1, 0, 0],
    [1, 1, 1, 1, 2, 2, 2, 2],
  ]) {
    loop.output('relu', Float32Array.from(batch), [2, 4], { kind: 'activation' });
  }
  loop.output('relu', Float32Array.from([0, 0, 0, 0, 0, 0, 0, 9]), [2, 4], { kind: 'activation', phase: 'val' });
  loop.output('relu', Float32Array.from([0, 0, 0, 0, 0, 0, 0, 9]), [2, 4], { kind: 'activation', phase: 'test' }); // phase not recorded
  loop.loss(1);
  await inspector.tickEpoch();
  const rows = rowsOf(inspector, lens);
  const a = 0.875 / 3;
  const c = [0.25, 0.375, 1];
  const cMean = (0.25 + 0.375 + 1) / 3;
  const cStd = Math.sqrt(c.reduce((s, x) => s + (x - cMean) ** 2, 0) / 3);
  const d = [0.75, 0.5, 0];
  const dMean = 1.25 / 3;
  const dStd = Math.sqrt(d.reduce((s, x) => s + (x - dMean) ** 2, 0) / 3);
  const base = { epoch: 1, phase: 'train', non_finite: 0 };
  const expected = [
    {
      ...base,
      module: 'conv_relu',
      quantity: 'activation_rate',
      mean: a,
      std: 0,
      min: a,
      max: a,
      count: 1,
      median: a,
      q1: a,
      q3: a,
      ...NULLS,
    },
    {
      ...base,
      module: 'conv_relu',
      quantity: 'death_rate',
      mean: 1 / 3,
      std: 0,
      min: 1 / 3,
      max: 1 / 3,
      count: 1,
      median: 1 / 3,
      q1: 1 / 3,
      q3: 1 / 3,
      ...NULLS,
      channels: 3,
      dead_count: 1,
      dead_channels: [1],
    },
    {
      ...base,
      module: 'relu',
      quantity: 'activation_rate',
      mean: cMean,
      std: cStd,
      min: 0.25,
      max: 1,
      count: 3,
      median: 0.375,
      q1: 0.25,
      q3: 0.375,
      ...NULLS,
    },
    {
      ...base,
      module: 'relu',
      quantity: 'death_rate',
      mean: dMean,
      std: dStd,
      min: 0,
      max: 0.75,
      count: 3,
      median: 0.5,
      q1: 0,
      q3: 0.5,
      ...NULLS,
      channels: 4,
      dead_count: 0,
      dead_channels: [],
    },
    {
      ...base,
      module: '',
      quantity: 'worst_activation_rate',
      mean: a,
      std: 0,
      min: a,
      max: a,
      count: 1,
      median: a,
      q1: a,
      q3: a,
      ...NULLS,
      worst_module: 'conv_relu',
    },
    {
      ...base,
      module: '',
      quantity: 'worst_death_rate',
      mean: dMean,
      std: 0,
      min: dMean,
      max: dMean,
      count: 1,
      median: dMean,
      q1: dMean,
      q3: dMean,
      ...NULLS,
      worst_module: 'relu',
    },
    {
      ...base,
      phase: 'val',
      module: 'relu',
      quantity: 'activation_rate',
      mean: 0.125,
      std: 0,
      min: 0.125,
      max: 0.125,
      count: 1,
      median: 0.125,
      q1: 0.125,
      q3: 0.125,
      ...NULLS,
    },
    {
      ...base,
      phase: 'val',
      module: 'relu',
      quantity: 'death_rate',
      mean: 0.75,
      std: 0,
      min: 0.75,
      max: 0.75,
      count: 1,
      median: 0.75,
      q1: 0.75,
      q3: 0.75,
      ...NULLS,
      channels: 4,
      dead_count: 3,
      dead_channels: [0, 1, 2],
    },
    {
      ...base,
      phase: 'val',
      module: '',
      quantity: 'worst_activation_rate',
      mean: 0.125,
      std: 0,
      min: 0.125,
      max: 0.125,
      count: 1,
      median: 0.125,
      q1: 0.125,
      q3: 0.125,
      ...NULLS,
      worst_module: 'relu',
    },
    {
      ...base,
      phase: 'val',
      module: '',
      quantity: 'worst_death_rate',
      mean: 0.75,
      std: 0,
      min: 0.75,
      max: 0.75,
      count: 1,
      median: 0.75,
      q1: 0.75,
      q3: 0.75,
      ...NULLS,
      worst_module: 'relu',
    },
  ];
  tt.equal(rows.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const row = rows[i] ?? {};
    const want = expected[i] ?? {};
    for (const [k, v] of Object.entries(want)) {
      if (typeof v === 'number' && !Number.isInteger(v))
        tt.ok(Math.abs((row[k] as number) - v) < 1e-12, `row ${i} ${k}: ${String(row[k])} ≈ ${v}`);
      else tt.same(row[k], v, `row ${i} ${k}`);
    }
    tt.same(Object.keys(row).sort(), Object.keys(want).sort(), `row ${i} has exactly the table's columns`);
  }
  // Epoch 2: only conv_relu reports → no stale relu row.
  loop.output('conv_relu', exampleA, [2, 3, 2, 2], { kind: 'activation' });
  await inspector.tickEpoch();
  const epoch2 = rowsOf(inspector, lens).filter((r) => r.epoch === 2);
  tt.same(
    epoch2.map((r) => `${String(r.module)}/${String(r.quantity)}`),
    ['conv_relu/activation_rate', 'conv_relu/death_rate', '/worst_activation_rate', '/worst_death_rate'],
  );
  await inspector.close();
});

t.test('a lens error never stops the loop: bad answers are reported on errors$', async (tt) => {
  const lens = new OutputActivation();
  const inspector = new Inspector({ lenses: [lens], logger: null });
  const errors: string[] = [];
  inspector.errors$.subscribe((e) => errors.push(e.code));
  inspector.attach({
    connect: (c) => {
      c.emitter.emit('report', {
        type: 'output',
        module: { name: 'r', kind: 'activation', type: 'ReLU', parameters: [], order: 0 },
        shape: [1],
        reductions: new Map(),
      });
    },
    disconnect: () => undefined,
  });
  await inspector.tickEpoch();
  tt.same(errors, ['LENS_FAILED']);
  await inspector.close();
});
