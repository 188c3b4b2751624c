import t from 'tap';
import type { MonitorchError } from '@monitorch/core';
import { Inspector, LoopAdapter } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';

/** The table as plain objects, in row order. */
const rowsOf = (inspector: Inspector, lens: LossMetrics): Record<string, unknown>[] =>
  inspector
    .table(lens)
    .toArray()
    .map((r: { toJSON(): Record<string, unknown> }) => ({ ...r.toJSON() }));

const setup = (lens: LossMetrics): { inspector: Inspector; loop: LoopAdapter } => {
  const inspector = new Inspector({ lenses: [lens], logger: null });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  return { inspector, loop };
};

t.test('per-phase loss rows and metric rows, through the Inspector and Arrow', async (tt) => {
  const lens = new LossMetrics({ metrics: ['val_accuracy'] });
  const { inspector, loop } = setup(lens);
  for (const v of [1, 2, 3, 4]) loop.loss(v, { batchSize: 8 });
  loop.loss(0.5, { phase: 'val' });
  loop.loss(1.5, { phase: 'val' });
  loop.loss(7, { phase: 'test' });
  inspector.pushMetric('val_accuracy', 0.75, { phase: 'train' }); // explicit phase wins over the name
  inspector.pushMetric('val_accuracy', 0.25, { phase: 'val' });
  await inspector.tickEpoch();
  const rows = rowsOf(inspector, lens);
  tt.same(
    rows.map((r) => `${String(r.phase)}/${String(r.quantity)}`),
    ['train/loss', 'val/loss', 'test/loss', 'train/val_accuracy', 'val/val_accuracy'],
  );
  tt.same(rows[0], {
    epoch: 1,
    phase: 'train',
    module: '',
    quantity: 'loss',
    mean: 2.5,
    std: Math.sqrt(1.25),
    min: 1,
    max: 4,
    count: 4,
    median: 2,
    q1: 1,
    q3: 3,
    non_finite: 0,
  });
  tt.same(rows[1], {
    epoch: 1,
    phase: 'val',
    module: '',
    quantity: 'loss',
    mean: 1,
    std: 0.5,
    min: 0.5,
    max: 1.5,
    count: 2,
    median: 0.5,
    q1: 0.5,
    q3: 1.5,
    non_finite: 0,
  });
  tt.match(rows[3], { phase: 'train', quantity: 'val_accuracy', mean: 0.75, count: 1 });
  tt.match(rows[4], { phase: 'val', quantity: 'val_accuracy', mean: 0.25, count: 1 });
  await inspector.close();
});

t.test('an unlisted metric is refused with UNKNOWN_METRIC', async (tt) => {
  const { inspector } = setup(new LossMetrics({ metrics: ['val_accuracy'] }));
  tt.throws(() => inspector.pushMetric('accuracy', 1), { code: 'UNKNOWN_METRIC', message: /metrics: \['accuracy'\]/ });
  tt.doesNotThrow(() => inspector.pushMetric('val_accuracy', 1));
  const bare = new LossMetrics();
  tt.equal(bare.acceptsMetric('val_accuracy'), false);
  await inspector.close();
});

t.test('loss(): the last closed epoch, strict; lastLoss(): latest with its epoch', async (tt) => {
  const lens = new LossMetrics();
  const { inspector, loop } = setup(lens);
  tt.throws(() => lens.loss({ phase: 'val' }), { code: 'INVALID_ARGUMENT', message: /No epoch has been closed/ });
  tt.equal(lens.lastLoss({ phase: 'val' }), undefined);
  loop.loss(2);
  loop.loss(4);
  loop.loss(0.3, { phase: 'val' });
  loop.loss(0.1, { phase: 'val' });
  loop.loss(0.2, { phase: 'val' });
  await inspector.tickEpoch();
  tt.equal(lens.loss(), 3, 'train mean');
  tt.equal(lens.loss({ phase: 'val' }), 0.2, 'val mean');
  tt.equal(lens.loss({ phase: 'val', method: 'median' }), 0.2);
  tt.equal(lens.loss({ phase: 'val', method: 'min' }), 0.1);
  tt.equal(lens.loss({ method: 'max' }), 4);
  tt.equal(lens.loss({ method: 'std' }), 1);
  // epoch 2: train only — no val row, and loss({phase:'val'}) refuses to return epoch 1's value
  loop.loss(1);
  await inspector.tickEpoch();
  tt.equal(lens.loss(), 1);
  tt.throws(() => lens.loss({ phase: 'val' }), { code: 'INVALID_ARGUMENT', message: /Epoch 2 had no val loss/ });
  tt.same(lens.lastLoss({ phase: 'val' }), { epoch: 1, value: 0.2 });
  const rows = rowsOf(inspector, lens);
  tt.same(
    rows.map((r) => `${String(r.epoch)}/${String(r.phase)}`),
    ['1/train', '1/val', '2/train'],
    'no stale val row in epoch 2',
  );
  await inspector.close();
});

t.test('non-finite losses are counted, never averaged', async (tt) => {
  const lens = new LossMetrics();
  const { inspector, loop } = setup(lens);
  for (const v of [1, Number.NaN, 3, Number.POSITIVE_INFINITY]) loop.loss(v);
  loop.loss(Number.NaN, { phase: 'val' });
  await inspector.tickEpoch();
  const rows = rowsOf(inspector, lens);
  tt.match(rows[0], { phase: 'train', mean: 2, min: 1, max: 3, count: 2, non_finite: 2 });
  tt.match(rows[1], { phase: 'val', mean: null, std: null, median: null, count: 0, non_finite: 1 });
  tt.equal(lens.loss(), 2);
  tt.ok(Number.isNaN(lens.loss({ phase: 'val' })), 'all val losses were NaN → NaN, with a row saying so');
  await inspector.close();
});

t.test('direct folding: many batches, quantiles closest-observation', async (tt) => {
  const lens = new LossMetrics({ line: 'median' });
  const values = [5, 1, 4, 2, 3, 10];
  for (const value of values) lens.foldLoss({ type: 'loss', value, batchSize: 1, epoch: 1, step: 0, phase: 'train' });
  const [row] = lens.tick(1);
  tt.match(row, { mean: 25 / 6, median: 3, q1: 2, q3: 4, min: 1, max: 10, count: 6 });
  tt.ok(Math.abs((row?.std as number) - 2.910708) < 1e-6);
  tt.equal(lens.loss(), 3, 'default method follows the line option');
  lens.foldMetric({ type: 'metric', name: 'not_listed', value: 1, epoch: 2, step: 0, phase: 'train' });
  tt.same(lens.tick(2), [], 'metrics of other lenses are ignored');
  lens.reset();
  tt.throws(() => lens.loss(), { code: 'INVALID_ARGUMENT' }, 'reset forgets the last epoch');
});

t.test('plot metadata', async (tt) => {
  const separate = new LossMetrics({ metrics: ['val_accuracy', 'f1'], metricsBands: ['q1-q3'] });
  tt.equal(separate.table.name, 'loss-metrics');
  tt.same(separate.table.plot.panels, [
    { title: 'Loss', size: 'big', kind: 'numerical', quantities: ['loss'], line: 'mean', bands: ['std'] },
    {
      title: 'Metrics',
      size: 'big',
      kind: 'numerical',
      quantities: ['val_accuracy', 'f1'],
      line: 'mean',
      bands: ['q1-q3'],
    },
  ]);
  tt.same(
    new LossMetrics().table.plot.panels.map((p) => p.title),
    ['Loss'],
    'no Metrics panel without metrics',
  );
  const joint = new LossMetrics({
    metrics: ['val_accuracy'],
    separateLossAndMetrics: false,
    line: 'median',
    bands: ['q1-q3', 'min-max'],
  });
  tt.same(joint.table.plot.panels, [
    {
      title: 'Loss & Metrics',
      size: 'big',
      kind: 'numerical',
      quantities: ['loss', 'val_accuracy'],
      line: 'median',
      bands: ['q1-q3', 'min-max'],
    },
  ]);
  tt.same(
    separate.table.columns.map((c) => c.name),
    ['epoch', 'phase', 'module', 'quantity', 'mean', 'std', 'min', 'max', 'count', 'median', 'q1', 'q3', 'non_finite'],
  );
});

t.test('bad options are clear errors', async (tt) => {
  const err = (f: () => unknown): MonitorchError | undefined => {
    try {
      f();
    } catch (e) {
      return e as MonitorchError;
    }
    return undefined;
  };
  const bare = err(() => new LossMetrics({ metrics: 'val_accuracy' as unknown as string[] }));
  tt.equal(bare?.code, 'INVALID_ARGUMENT');
  tt.match(bare?.message, /metrics: \["val_accuracy"\]/);
  tt.equal(err(() => new LossMetrics({ metrics: ['loss'] }))?.code, 'INVALID_ARGUMENT');
  tt.equal(err(() => new LossMetrics({ line: 'std' as 'mean' }))?.code, 'INVALID_ARGUMENT');
  tt.equal(err(() => new LossMetrics({ bands: ['sigma' as 'std'] }))?.code, 'INVALID_ARGUMENT');
  tt.equal(err(() => new LossMetrics().loss({ method: 'iqr' as 'mean' }))?.code, 'INVALID_ARGUMENT');
});

t.test('phases: train, val, then user phases in first-seen order', async (tt) => {
  const lens = new LossMetrics();
  for (const phase of ['zeta', 'val', 'alpha', 'train', 'zeta'])
    lens.foldLoss({ type: 'loss', value: 1, batchSize: 1, epoch: 1, step: 0, phase });
  tt.same(
    lens.tick(1).map((r) => r.phase),
    ['train', 'val', 'zeta', 'alpha'],
  );
});
