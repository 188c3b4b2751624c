import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';
import { Inspector, LoopAdapter, MonitorchError, type Adapter, type AdapterConnection } from '@monitorch/core';
import { ProbeLens, summary } from './fixtures/probe-lens.js';

/** Arrow rows as plain objects. */
function rows(table: Table): Record<string, unknown>[] {
  return table.toArray().map((r) => ({ ...(r as { toJSON(): Record<string, unknown> }).toJSON() }));
}

/** A logger that remembers what it was told. */
function recorder(): { warn: (m: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { warn: (m: string) => lines.push(m), lines };
}

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'monitorch-inspector-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const relu = (x: number[]): Float64Array => Float64Array.from(x);

t.test('a scripted sequence produces exactly the expected Arrow rows', async (t) => {
  const lens = new ProbeLens({ metrics: ['val_accuracy'] });
  const inspector = new Inspector({ lenses: [lens], logger: null });
  const loop = new LoopAdapter();
  const closedEpochs: [number, number, number | undefined][] = [];
  inspector.epochs$.subscribe((c) => closedEpochs.push([c.epoch, c.run, c.rows.get('probe')?.length]));
  inspector.attach(loop);
  t.equal(inspector.run, 1);
  // Epoch 1: two train batches through relu1 ([N=2, C=2]) and relu2 ([N=1, C=3]), a val batch.
  loop.output('relu1', relu([1, 0, 2, 0]), [2, 2], { kind: 'activation' }); // channel rates 1, 0
  loop.output('lin', relu([1, 2]), [1, 2], { kind: 'linear' }); // not an activation: ignored
  loop.output('relu2', relu([0, 3, 3]), [1, 3], { kind: 'activation' }); // 0, 1, 1
  loop.loss(0.75, { batchSize: 2 });
  loop.step();
  loop.output('relu1', relu([1, 1, 0, 1]), [2, 2]); // 0.5, 1
  loop.output('relu2', relu([0, 0, 3]), [1, 3]); // 0, 0, 1
  loop.loss(0.25, { batchSize: 2 });
  loop.step();
  loop.output('relu1', relu([0, 0, 0, 4]), [2, 2], { phase: 'val' }); // 0, 0.5
  loop.loss(0.5, { phase: 'val', batchSize: 2 });
  inspector.pushMetric('val_accuracy', 0.9, { phase: 'val' });
  const closed = await inspector.tickEpoch();
  t.equal(closed.epoch, 1);
  // Epoch 2: one batch.
  loop.output('relu1', relu([0, 0, 0, 0]), [2, 2]);
  loop.loss(1, { batchSize: 2 });
  await inspector.tickEpoch();
  const expected = [
    { epoch: 1, phase: 'train', module: 'relu1', quantity: 'active', ...summary([1, 0, 0.5, 1]) },
    { epoch: 1, phase: 'train', module: 'relu2', quantity: 'active', ...summary([0, 1, 1, 0, 0, 1]) },
    { epoch: 1, phase: 'train', module: '', quantity: 'loss', ...summary([0.75, 0.25]) },
    { epoch: 1, phase: 'val', module: 'relu1', quantity: 'active', ...summary([0, 0.5]) },
    { epoch: 1, phase: 'val', module: '', quantity: 'loss', ...summary([0.5]) },
    { epoch: 1, phase: 'val', module: '', quantity: 'val_accuracy', ...summary([0.9]) },
    { epoch: 2, phase: 'train', module: 'relu1', quantity: 'active', ...summary([0, 0]) },
    { epoch: 2, phase: 'train', module: '', quantity: 'loss', ...summary([1]) },
  ];
  t.same(rows(inspector.table(lens)), expected);
  t.same(rows(inspector.table('probe')), expected, 'by table name too');
  t.same(
    closedEpochs,
    [
      [1, 1, 6],
      [2, 1, 2],
    ],
    'epochs$ tells listeners each closed epoch and its rows',
  );
  t.same(
    expected[0],
    {
      epoch: 1,
      phase: 'train',
      module: 'relu1',
      quantity: 'active',
      mean: 0.625,
      std: Math.sqrt(0.171875),
      min: 0,
      max: 1,
      count: 4,
    },
    'the reference summary itself is right',
  );
  t.throws(() => inspector.table('nope'), { code: 'INVALID_ARGUMENT' });
  await inspector.close();
});

t.test('re-attaching starts a new run: epoch 1, fresh tables, its own directory', async (t) => {
  const base = join(tempDir(t), 'run');
  const lens = new ProbeLens();
  const inspector = new Inspector({ lenses: [lens], runDir: base, logger: null });
  const first = new LoopAdapter();
  inspector.attach(first);
  t.equal(inspector.runDir, base);
  for (let e = 0; e < 2; e++) {
    first.loss(10 + e);
    await inspector.tickEpoch();
  }
  const second = new LoopAdapter();
  inspector.attach(second); // detaches the first model
  t.equal(inspector.run, 2);
  t.equal(inspector.epoch, 1);
  t.equal(inspector.runDir, `${base}-2`);
  t.equal(lens.resets, 2, 'lenses are reset for each run');
  t.equal(inspector.table(lens).numRows, 0, 'fresh tables');
  first.loss(999); // the old model keeps reporting: it is detached, nothing arrives
  second.loss(1);
  await inspector.tickEpoch();
  t.same(
    rows(inspector.table(lens)).map((r) => [r['epoch'], r['mean']]),
    [[1, 1]],
  );
  await inspector.close();
  const run1 = tableFromIPC(readFileSync(join(base, 'probe.arrow')));
  const run2 = tableFromIPC(readFileSync(join(`${base}-2`, 'probe.arrow')));
  t.same(
    rows(run1).map((r) => [r['epoch'], r['mean']]),
    [
      [1, 10],
      [2, 11],
    ],
    'run 1 on disk, finished at detach',
  );
  t.same(
    rows(run2).map((r) => [r['epoch'], r['mean']]),
    [[1, 1]],
    'run 2 on disk, finished at close',
  );
});

t.test('detach closes an epoch that received data, and finishes the files', async (t) => {
  const dir = join(tempDir(t), 'r');
  const lens = new ProbeLens();
  const inspector = new Inspector({ lenses: [lens], runDir: dir, logger: null });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  loop.loss(2);
  await inspector.tickEpoch();
  t.ok(existsSync(join(dir, 'probe.arrows')), 'the stream file is written as the run goes');
  t.notOk(existsSync(join(dir, 'probe.arrow')), 'the file copy is written when the run ends');
  loop.loss(4); // epoch 2 never ticked
  inspector.detach();
  t.equal(inspector.attached, false);
  t.same(
    rows(tableFromIPC(readFileSync(join(dir, 'probe.arrow')))).map((r) => [r['epoch'], r['mean']]),
    [
      [1, 2],
      [2, 4],
    ],
  );
  loop.loss(8); // detached: ignored
  t.throws(() => inspector.pushLoss(1), { code: 'NOT_ATTACHED' });
  await t.rejects(inspector.tickEpoch(), { code: 'NOT_ATTACHED' });
  await inspector.close();
  await inspector.close(); // twice is fine
  t.throws(() => inspector.attach(loop), { code: 'ALREADY_CLOSED' });
  t.throws(() => inspector.pushMetric('x', 1), { code: 'ALREADY_CLOSED' });
  await t.rejects(inspector.tickEpoch(), { code: 'ALREADY_CLOSED' });
});

t.test('a lens that throws does not stop the loop or the other lenses; the user sees it once', async (t) => {
  for (const throwIn of ['foldOutput', 'foldLoss', 'tick'] as const) {
    const good = new ProbeLens({ id: 'good' });
    const bad = new ProbeLens({ id: 'bad', throwIn });
    const log = recorder();
    const inspector = new Inspector({ lenses: [bad, good], logger: log });
    const errors: MonitorchError[] = [];
    inspector.errors$.subscribe((e) => errors.push(e));
    const loop = new LoopAdapter();
    inspector.attach(loop);
    for (let e = 0; e < 2; e++) {
      loop.output('relu', relu([1, 0]), [1, 2], { kind: 'activation' });
      loop.output('relu', relu([1, 1]), [1, 2]);
      loop.loss(e);
      await inspector.tickEpoch();
    }
    t.same(
      rows(inspector.table(good)).map((r) => [r['epoch'], r['quantity'], r['mean']]),
      [
        [1, 'active', 0.75],
        [1, 'loss', 0],
        [2, 'active', 0.75],
        [2, 'loss', 1],
      ],
      `${throwIn}: the good lens is complete`,
    );
    t.ok(errors.length >= 2, `${throwIn}: every failure reaches errors$`);
    t.ok(
      errors.every((e) => e.code === 'LENS_FAILED' && e.details['lens'] === 'bad' && e.details['method'] === throwIn),
    );
    t.equal(log.lines.length, 1, `${throwIn}: one logged warning`);
    t.match(log.lines[0], new RegExp(`"bad" failed in ${throwIn}: boom`));
    if (throwIn === 'foldOutput') {
      t.same(
        rows(inspector.table(bad)).map((r) => r['quantity']),
        ['loss', 'loss'],
        'the failing lens keeps what did not fail',
      );
    }
    await inspector.close();
  }
});

t.test('metrics: an unknown name is refused with UNKNOWN_METRIC and nothing is lost', async (t) => {
  const lens = new ProbeLens({ metrics: ['val_accuracy', 'train_accuracy', 'accuracy'] });
  const inspector = new Inspector({ lenses: [lens], logger: null });
  const loop = new LoopAdapter();
  t.throws(() => inspector.pushMetric('val_accuracy', 1), { code: 'NOT_ATTACHED' });
  inspector.attach(loop);
  loop.loss(0.5);
  inspector.pushMetric('val_accuracy', 0.5);
  try {
    inspector.pushMetric('val_acc', 0.7);
    t.fail('should throw');
  } catch (e) {
    t.equal(e instanceof MonitorchError ? e.code : undefined, 'UNKNOWN_METRIC');
    t.match((e as Error).message, /val_acc/);
  }
  inspector.pushMetric('val_accuracy', 0.7);
  inspector.pushLoss(1.5, { phase: 'val', batchSize: 3 });
  await inspector.tickEpoch();
  inspector.pushMetric('train_accuracy', 0.9);
  inspector.pushMetric('accuracy', 0.8);
  inspector.pushMetric('val_accuracy', 0.1, { phase: 'holdout' });
  await inspector.tickEpoch();
  // Without a phase, a metric's name prefix says its phase (val_accuracy → val), else train.
  t.same(
    rows(inspector.table(lens)).map((r) => [r['phase'], r['quantity'], r['mean'], r['count']]),
    [
      ['train', 'loss', 0.5, 1],
      ['val', 'val_accuracy', 0.6, 2],
      ['val', 'loss', 1.5, 1],
      ['train', 'train_accuracy', 0.9, 1],
      ['train', 'accuracy', 0.8, 1],
      ['holdout', 'val_accuracy', 0.1, 1],
    ],
  );
  await inspector.close();
});

t.test('a tick with no data is reported, not thrown', async (t) => {
  const lens = new ProbeLens();
  const log = recorder();
  const inspector = new Inspector({ lenses: [lens], logger: log });
  const errors: MonitorchError[] = [];
  inspector.errors$.subscribe((e) => errors.push(e));
  inspector.attach(new LoopAdapter());
  const closed = await inspector.tickEpoch();
  t.equal(closed.epoch, 1);
  t.equal(closed.rows.size, 0);
  t.same(
    errors.map((e) => [e.code, e.details['epoch']]),
    [['TICK_WITHOUT_DATA', 1]],
  );
  await inspector.tickEpoch();
  t.equal(inspector.epoch, 3, 'the epoch count goes on');
  t.equal(errors.length, 2);
  t.equal(log.lines.length, 1, 'logged once per run');
  await inspector.close();
});

t.test('an unwritable run directory fails at attach with RUN_DIR_UNWRITABLE; nothing else changes', async (t) => {
  const root = tempDir(t);
  const file = join(root, 'a-file');
  writeFileSync(file, 'not a directory');
  const inspector = new Inspector({ lenses: [new ProbeLens()], runDir: join(file, 'run'), logger: null });
  const loop = new LoopAdapter();
  t.throws(() => inspector.attach(loop), { code: 'RUN_DIR_UNWRITABLE' });
  t.equal(inspector.attached, false);
  t.equal(inspector.run, 0);
  t.equal(loop.attached, false);
  inspector.attach(loop, { runDir: join(root, 'ok') });
  t.equal(inspector.run, 1);
  loop.loss(1);
  await inspector.tickEpoch();
  await inspector.close();
  t.ok(existsSync(join(root, 'ok', 'probe.arrow')));
});

t.test('NaN input and losses reach errors$ with their codes; logged once per module', async (t) => {
  const lens = new ProbeLens();
  const log = recorder();
  const inspector = new Inspector({ lenses: [lens], logger: log });
  const errors: MonitorchError[] = [];
  inspector.errors$.subscribe((e) => errors.push(e));
  const loop = new LoopAdapter();
  inspector.attach(loop);
  for (let e = 0; e < 3; e++) {
    loop.output('relu', relu([Number.NaN, 1, 0, 1]), [2, 2], { kind: 'activation' });
    loop.loss(Number.NaN);
    await inspector.tickEpoch();
  }
  t.same(
    errors.map((e) => e.code),
    [
      'NON_FINITE_INPUT',
      'NON_FINITE_LOSS',
      'NON_FINITE_INPUT',
      'NON_FINITE_LOSS',
      'NON_FINITE_INPUT',
      'NON_FINITE_LOSS',
    ],
  );
  t.equal(errors[0]?.details['module'], 'relu');
  t.equal(log.lines.length, 2, 'one log line per kind of problem');
  // The NaN entry never counts as active (it is counted apart): channel rates 0/2 and 2/2.
  t.same(
    rows(inspector.table(lens))
      .filter((r) => r['quantity'] === 'active')
      .map((r) => r['mean']),
    [0.5, 0.5, 0.5],
  );
  await inspector.close();
});

t.test('first-step gradients held by the loop adapter land in the epoch they belong to', async (t) => {
  const seen: string[] = [];
  const lens = new ProbeLens();
  const gradLens = {
    ...new ProbeLens({ id: 'grads' }),
    id: 'grads',
    requests: [{ select: { of: 'gradient' as const, parameters: ['weight'] }, reduction: { op: 'l2' as const } }],
    table: new ProbeLens({ id: 'grads' }).table,
    reset() {},
    foldGradient(e: { epoch: number; module: { name: string } }) {
      seen.push(`${e.epoch}:${e.module.name}`);
    },
    tick() {
      return [];
    },
  };
  const inspector = new Inspector({ lenses: [lens, gradLens], logger: null });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  loop.gradient('lin', 'weight', relu([3, 4]), [2]); // no step() in this loop at all
  await inspector.tickEpoch();
  loop.gradient('lin', 'weight', relu([3, 4]), [2]);
  await inspector.tickEpoch();
  t.same(seen, ['1:lin', '2:lin']);
  await inspector.close();
});

t.test('keepInMemory bounds the in-memory tables; the files keep every row', async (t) => {
  const dir = join(tempDir(t), 'r');
  const lens = new ProbeLens();
  const inspector = new Inspector({
    lenses: [lens],
    runDir: dir,
    logger: null,
    keepInMemory: { maxRows: 3 },
    durable: false,
  });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  for (let e = 1; e <= 10; e++) {
    loop.loss(e);
    await inspector.tickEpoch();
  }
  t.same(
    rows(inspector.table(lens)).map((r) => r['epoch']),
    [8, 9, 10],
  );
  await inspector.close();
  t.equal(tableFromIPC(readFileSync(join(dir, 'probe.arrow'))).numRows, 10);
});

t.test('an adapter gets the union of the lenses requests; lens ids must be unique', async (t) => {
  let got: AdapterConnection | undefined;
  let disconnected = 0;
  const adapter: Adapter = {
    connect: (c) => {
      got = c;
    },
    disconnect: () => {
      disconnected += 1;
    },
  };
  const a = new ProbeLens({ id: 'a' });
  const b = new ProbeLens({ id: 'b' });
  const inspector = new Inspector({ lenses: [a, b], logger: null });
  inspector.attach(adapter);
  t.equal(got?.requests.length, 2);
  inspector.attach(adapter);
  t.equal(disconnected, 1, 'attach while attached detaches first');
  await inspector.close();
  t.equal(disconnected, 2);
  t.throws(() => new Inspector({ lenses: [a, new ProbeLens({ id: 'a' })] }), { code: 'INVALID_ARGUMENT' });
});
