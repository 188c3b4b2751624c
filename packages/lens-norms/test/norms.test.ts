import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import t, { type Test } from 'tap';
import pl from 'nodejs-polars';
import { Inspector, LoopAdapter, type Lens, type MonitorchError } from '@monitorch/core';
import { OutputNorm, ParameterCond, ParameterNorm } from '@monitorch/lens-norms';

type Row = Record<string, unknown>;

/** Worked example A (semantics §2.2), conv output [2, 3, 2, 2]. */
const EXAMPLE_A = Float32Array.from([0.5, 0, 0, 2, 0, 0, 0, 0, 1, 1, 1, 1e-9, 0, 0, 0, 3, 0, 0, 0, 0, -1, 0, 0, 0]);

function rows(inspector: Inspector, lens: Lens): Row[] {
  return inspector
    .table(lens)
    .toArray()
    .map((r: { toJSON(): Row }) => r.toJSON());
}

function row(all: Row[], epoch: number, module: string, quantity: string): Row {
  const r = all.find((x) => x['epoch'] === epoch && x['quantity'] === quantity && x['module'] === module);
  if (r === undefined) throw new Error(`no row ${epoch}/${module}/${quantity}`);
  return r;
}

function near(t: Test, actual: unknown, expected: number, what: string, tol = 1e-6): void {
  t.ok(typeof actual === 'number' && Math.abs(actual - expected) < tol, `${what}: ${String(actual)} ≈ ${expected}`);
}

t.test('OutputNorm: worked example of §2.4, plain and normalised, and comparison shares', async (t) => {
  const plain = new OutputNorm();
  const rms = new OutputNorm({ normalizeBySize: true, id: 'output-rms', comparisonPlot: false });
  const inspector = new Inspector({ lenses: [plain, rms], logger: null });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  loop.output('relu1', EXAMPLE_A, [2, 3, 2, 2], { kind: 'activation' });
  // A second layer whose per-sample norms are 5 and 13 (mean 9).
  loop.output('relu2', Float32Array.from([3, 4, 5, 12]), [2, 2], { kind: 'activation' });
  loop.output('lin1', Float32Array.from([100, 100]), [2, 1], { kind: 'linear' });
  await inspector.tickEpoch();
  const r = rows(inspector, plain);
  near(t, row(r, 1, 'relu1', 'output_norm')['mean'], 2.92743, 'batch mean of √7.25 and √10');
  near(t, row(r, 1, 'relu2', 'output_norm')['mean'], 9, 'relu2');
  t.notOk(
    r.some((x) => x['module'] === 'lin1'),
    'linear layers are not watched by default',
  );
  const total = 2.9274301 + 9;
  near(t, row(r, 1, 'relu1', 'output_norm_share')['mean'], 2.9274301 / total, 'share relu1', 1e-6);
  near(t, row(r, 1, 'relu2', 'output_norm_share')['mean'], 9 / total, 'share relu2', 1e-6);
  near(t, rms.table.plot.panels.length, 1, 'no comparison panel');
  near(t, row(rows(inspector, rms), 1, 'relu1', 'output_rms')['mean'], 0.845077, 'normalised by √12');
  t.same(
    plain.table.plot.panels.map((p) => [p.title, p.kind, p.size]),
    [
      ['Output Norm', 'numerical', 'small'],
      ['Mean Output Norm Comparison', 'relations', 'big'],
    ],
  );
  t.equal(new OutputNorm({ logScale: true }).table.plot.panels[0]?.yScale, 'log');
  await inspector.close();
});

t.test('OutputNorm: shares are over the layers measured that epoch (no stale shares)', async (t) => {
  const lens = new OutputNorm();
  const inspector = new Inspector({ lenses: [lens], logger: null });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  loop.output('a', Float32Array.from([1, 0]), [2, 1], { kind: 'activation' });
  loop.output('b', Float32Array.from([3, 0]), [2, 1], { kind: 'activation' });
  await inspector.tickEpoch();
  loop.output('a', Float32Array.from([2, 2]), [2, 1], { kind: 'activation' });
  await inspector.tickEpoch();
  const r = rows(inspector, lens);
  near(t, row(r, 1, 'a', 'output_norm_share')['mean'], 0.25, 'epoch 1: a is 0.5 of 2', 1e-12);
  near(t, row(r, 2, 'a', 'output_norm_share')['mean'], 1, 'epoch 2: only a was measured', 1e-12);
  t.notOk(
    r.some((x) => x['epoch'] === 2 && x['module'] === 'b'),
    'b has no row in epoch 2',
  );
  await inspector.close();
});

/** Weights with known singular values: rows (3, 0, 0) and (0, 0, 1.5) → σ = 3, 1.5. */
const W = Float32Array.from([3, 0, 0, 0, 0, 1.5]);
const B = Float32Array.from([0.3, 0.4]);

t.test('ParameterNorm and ParameterCond from the epoch-end snapshot, and collect()', async (t) => {
  const norm = new ParameterNorm();
  const cond = new ParameterCond();
  const errors: MonitorchError[] = [];
  const inspector = new Inspector({ lenses: [norm, cond], logger: null });
  inspector.errors$.subscribe((e) => errors.push(e));
  let scale = 1;
  let calls = 0;
  const loop = new LoopAdapter({
    parameters: () => {
      calls += 1;
      return [
        { module: 'fc1', parameter: 'weight', data: W.map((x) => x * scale), shape: [2, 3] },
        { module: 'fc1', parameter: 'bias', data: B, shape: [2] },
        { module: 'fc2', parameter: 'weight', data: Float32Array.from([1, 1]), shape: [1, 2] },
      ];
    },
  });
  inspector.attach(loop);
  loop.loss(1);
  await inspector.tickEpoch();
  t.equal(calls, 1, 'one snapshot as the epoch closes');
  scale = 2;
  norm.collect();
  scale = 4;
  loop.loss(1);
  await inspector.tickEpoch();
  t.equal(calls, 3, 'collect() took one more');
  const r = rows(inspector, norm);
  near(t, row(r, 1, 'fc1', 'weight_norm')['mean'], Math.hypot(3, 1.5), '‖W‖ at the end of epoch 1', 1e-6);
  near(t, row(r, 1, 'fc1', 'bias_norm')['mean'], 0.5, '‖b‖', 1e-6);
  t.equal(row(r, 1, 'fc1', 'weight_norm')['parameter'], 'weight');
  const e2 = row(r, 2, 'fc1', 'weight_norm');
  t.equal(e2['count'], 2, 'collect() and the epoch end');
  near(t, e2['min'], 2 * Math.hypot(3, 1.5), 'collected at scale 2', 1e-5);
  near(t, e2['max'], 4 * Math.hypot(3, 1.5), 'epoch end at scale 4', 1e-5);
  const share = row(r, 1, 'fc1', 'weight_norm_share')['mean'] as number;
  near(t, share, Math.hypot(3, 1.5) / (Math.hypot(3, 1.5) + Math.SQRT2), 'weight share over fc1 and fc2', 1e-6);
  near(t, row(r, 1, 'fc1', 'bias_norm_share')['mean'], 1, 'only fc1 has a bias', 1e-12);
  const c = rows(inspector, cond);
  near(t, row(c, 1, 'fc1', 'weight_cond')['mean'], 0.5, 'σ_min/σ_max = 1.5/3', 1e-12);
  near(t, row(c, 1, 'fc2', 'weight_cond')['mean'], 1, 'a single row: one singular value', 1e-12);
  t.notOk(
    c.some((x) => x['parameter'] === 'bias'),
    'ParameterCond watches weights only by default',
  );
  t.same(
    errors.map((e) => e.code),
    [],
  );
  t.same(
    norm.table.plot.panels.map((p) => p.title),
    ['Weight Norm', 'Bias Norm', 'Weight Norm Comparison', 'Bias Norm Comparison'],
  );
  t.same(
    cond.table.plot.panels.map((p) => p.title),
    ['Weight Cond'],
  );
  await inspector.close();
});

t.test('ParameterNorm with everyEpochs 2: snapshots only in epochs 1 and 3', async (t) => {
  const norm = new ParameterNorm({ parameters: ['weight'], sampling: { everyEpochs: 2 } });
  const errors: MonitorchError[] = [];
  const inspector = new Inspector({ lenses: [norm], logger: null });
  inspector.errors$.subscribe((e) => errors.push(e));
  let calls = 0;
  const loop = new LoopAdapter({
    parameters: () => {
      calls += 1;
      return [{ module: 'fc1', parameter: 'weight', data: W, shape: [2, 3] }];
    },
  });
  inspector.attach(loop);
  for (let e = 0; e < 3; e++) {
    loop.loss(1);
    await inspector.tickEpoch();
  }
  t.equal(calls, 2, 'no snapshot in the unwatched epoch');
  t.same([...new Set(rows(inspector, norm).map((x) => x['epoch']))], [1, 3]);
  t.same(errors, []);
  await inspector.close();
});

t.test('run files read back with polars: norms with a parameter column', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'monitorch-norms-'));
  const norm = new ParameterNorm({ parameters: ['weight'] });
  const out = new OutputNorm();
  const inspector = new Inspector({ lenses: [norm, out], logger: null, runDir: dir });
  const loop = new LoopAdapter({ parameters: () => [{ module: 'fc1', parameter: 'weight', data: W, shape: [2, 3] }] });
  inspector.attach(loop);
  loop.output('relu1', EXAMPLE_A, [2, 3, 2, 2], { kind: 'activation' });
  await inspector.tickEpoch();
  await inspector.close();
  const df = pl.readIPC(readFileSync(join(dir, 'parameter-norm.arrow')));
  const recs = df.toRecords();
  const w = recs.find((x) => x['quantity'] === 'weight_norm');
  t.equal(w?.['parameter'], 'weight');
  near(t, w?.['mean'], Math.hypot(3, 1.5), 'polars reads the norm', 1e-6);
  const o = pl.readIPC(readFileSync(join(dir, 'output-norm.arrow'))).toRecords();
  near(t, o.find((x) => x['quantity'] === 'output_norm')?.['mean'], 2.92743, 'output norm via polars');
  t.equal(o.find((x) => x['quantity'] === 'output_norm_share')?.['mean'], 1);
});

t.test('collect() before attach, and bad options, are typed errors', (t) => {
  t.throws(() => new ParameterNorm().collect(), { code: 'NOT_ATTACHED' });
  t.throws(() => new ParameterNorm({ parameters: 'weight' as unknown as string[] }), { code: 'INVALID_ARGUMENT' });
  t.throws(() => new ParameterCond({ parameters: [''] }), { code: 'INVALID_ARGUMENT' });
  t.throws(() => new OutputNorm({ activation: false }), { code: 'INVALID_ARGUMENT', message: /watches no module/ });
  t.throws(() => new OutputNorm({ comparisonAggregation: 'std' as 'mean' }), { code: 'INVALID_ARGUMENT' });
  t.throws(() => new OutputNorm({ phases: [] }), { code: 'INVALID_ARGUMENT' });
  t.throws(() => new ParameterCond({ sampling: { everyEpochs: 0 } }), { code: 'INVALID_ARGUMENT' });
  t.end();
});

t.test('OutputNorm with train and val: norms per phase, shares of the train phase only', async (t) => {
  const lens = new OutputNorm({ phases: ['val', 'train'] });
  const inspector = new Inspector({ lenses: [lens], logger: null });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  loop.output('a', Float32Array.from([1, 1]), [2, 1], { kind: 'activation' });
  loop.output('b', Float32Array.from([3, 3]), [2, 1], { kind: 'activation' });
  loop.output('a', Float32Array.from([5, 5]), [2, 1], { kind: 'activation', phase: 'val' });
  await inspector.tickEpoch();
  const r = rows(inspector, lens);
  t.same(
    r.map((x) => [x['phase'], x['module'], x['quantity']]),
    [
      ['train', 'a', 'output_norm'],
      ['train', 'b', 'output_norm'],
      ['train', 'a', 'output_norm_share'],
      ['train', 'b', 'output_norm_share'],
      ['val', 'a', 'output_norm'],
    ],
  );
  t.equal(r.find((x) => x['phase'] === 'val')?.['mean'], 5);
  await inspector.close();
});
