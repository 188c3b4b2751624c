import t, { type Test } from 'tap';
import type { MonitorchError } from '@monitorch/core';
import { Inspector, LoopAdapter, type Lens } from '@monitorch/core';
import { OutputGradientGeometry, ParameterGradientGeometry, ParameterUpdateGeometry } from '@monitorch/lens-geometry';

/** Worked example D (semantics §2.3): a Linear(4→3) weight gradient, ‖G‖ = √0.32. */
const G = [0.1, 0, -0.2, 0, 0, 0, 0, 0, 1e-9, 0.3, 0.3, 0.3];
const SHAPE = [3, 4];
const scaled = (k: number): Float64Array => Float64Array.from(G, (x) => k * x);

type Row = Record<string, unknown>;

/** The rows of a lens's table in the Inspector, as plain objects. */
function rows(inspector: Inspector, lens: Lens): Row[] {
  return inspector
    .table(lens)
    .toArray()
    .map((r: { toJSON(): Row }) => r.toJSON());
}

function row(all: Row[], epoch: number, quantity: string, module = 'lin1'): Row {
  const r = all.find((x) => x['epoch'] === epoch && x['quantity'] === quantity && x['module'] === module);
  if (r === undefined) throw new Error(`no row ${epoch}/${module}/${quantity}`);
  return r;
}

function near(t: Test, actual: unknown, expected: number, what: string, tol = 1e-6): void {
  t.ok(typeof actual === 'number' && Math.abs(actual - expected) < tol, `${what}: ${String(actual)} ≈ ${expected}`);
}

function setup(lenses: Lens[], options: { sampling?: { everySteps?: number; everyEpochs?: number } } = {}) {
  const errors: MonitorchError[] = [];
  const inspector = new Inspector({ lenses, logger: null, ...options });
  inspector.errors$.subscribe((e) => errors.push(e));
  const loop = new LoopAdapter([{ name: 'lin1', kind: 'linear', parameters: ['weight'] }]);
  inspector.attach(loop);
  return { inspector, loop, errors };
}

t.test('worked example of §2.6: gradients G, 2G, −G', async (t) => {
  const plain = new ParameterGradientGeometry({ parameters: ['weight'] });
  const rms = new ParameterGradientGeometry({ parameters: ['weight'], normalizeBySize: true, id: 'gradient-rms' });
  const { inspector, loop } = setup([plain, rms]);
  for (const k of [1, 2, -1]) {
    loop.gradient('lin1', 'weight', scaled(k), SHAPE);
    loop.step();
  }
  await inspector.tickEpoch();
  const r = rows(inspector, plain);
  const norm = row(r, 1, 'weight_gradient_norm');
  t.equal(norm['count'], 3);
  near(t, norm['min'], 0.565685, 'smallest norm (G and −G)');
  near(t, norm['max'], 1.131371, 'largest norm (2G)');
  near(t, norm['mean'], (0.565685 * 2 + 1.131371) / 3, 'mean norm');
  const corr = row(r, 1, 'weight_gradient_correlation');
  t.equal(corr['count'], 2, 'the first correlation is skipped, not recorded as 0');
  near(t, corr['max'], 1, 'cos(G, 2G)', 1e-12);
  near(t, corr['min'], -1, 'cos(2G, −G)', 1e-12);
  const n = rows(inspector, rms);
  near(t, row(n, 1, 'weight_gradient_rms')['min'], 0.163299, 'normalised by √12');
  near(t, row(n, 1, 'weight_gradient_rms')['max'], 0.326599, 'normalised by √12');
  t.equal(row(n, 1, 'weight_gradient_rms')['parameter'], 'weight');
  await inspector.close();
});

t.test('the previous gradient is carried across epochs: epoch 2 has a true first correlation', async (t) => {
  const lens = new ParameterGradientGeometry({ parameters: ['weight'] });
  const { inspector, loop } = setup([lens]);
  loop.gradient('lin1', 'weight', scaled(1), SHAPE);
  loop.step();
  await inspector.tickEpoch();
  loop.gradient('lin1', 'weight', scaled(-3), SHAPE);
  loop.step();
  await inspector.tickEpoch();
  const r = rows(inspector, lens);
  t.notOk(
    r.some((x) => x['epoch'] === 1 && x['quantity'] === 'weight_gradient_correlation'),
    'epoch 1 has one gradient and no correlation row',
  );
  const c = row(r, 2, 'weight_gradient_correlation');
  t.equal(c['count'], 1);
  near(t, c['mean'], -1, 'cos(G, −3G) across the epoch boundary', 1e-12);
  await inspector.close();
});

t.test('a zero gradient has norm 0 and no correlation (undefined, skipped)', async (t) => {
  const lens = new ParameterGradientGeometry({ parameters: ['weight'] });
  const { inspector, loop } = setup([lens]);
  for (const k of [1, 0, 1]) {
    loop.gradient('lin1', 'weight', scaled(k), SHAPE);
    loop.step();
  }
  await inspector.tickEpoch();
  const r = rows(inspector, lens);
  t.equal(row(r, 1, 'weight_gradient_norm')['min'], 0);
  t.equal(row(r, 1, 'weight_gradient_norm')['count'], 3);
  t.notOk(
    r.some((x) => x['quantity'] === 'weight_gradient_correlation'),
    'both pairs involve a zero tensor',
  );
  await inspector.close();
});

/** A deterministic pseudo-gradient for step s (a different direction each step). */
function gradientAt(s: number): Float64Array {
  return Float64Array.from({ length: 12 }, (_, i) => Math.sin(1.7 * i + 0.9 * s) + 0.2 * Math.cos(s * i));
}

t.test('plain SGD: update norm = lr × gradient norm, update correlation = gradient correlation', async (t) => {
  const lr = 0.05;
  const grad = new ParameterGradientGeometry({ parameters: ['weight'] });
  const upd = new ParameterUpdateGeometry({ parameters: ['weight'] });
  const { inspector, loop, errors } = setup([grad, upd]);
  const w = Float64Array.from({ length: 12 }, (_, i) => 0.5 - i / 12);
  const ratios: number[] = [];
  for (let s = 0; s < 5; s++) {
    const g = gradientAt(s);
    loop.gradient('lin1', 'weight', g, SHAPE);
    const before = w.slice();
    for (let i = 0; i < 12; i++) w[i] = (w[i] as number) - lr * (g[i] as number);
    ratios.push((lr * Math.hypot(...g)) / Math.hypot(...before));
    loop.update('lin1', 'weight', { before, after: w }, SHAPE);
    loop.step();
  }
  await inspector.tickEpoch();
  const gr = rows(inspector, grad);
  const ur = rows(inspector, upd);
  for (const stat of ['mean', 'min', 'max', 'std']) {
    near(
      t,
      row(ur, 1, 'weight_update_norm')[stat],
      lr * (row(gr, 1, 'weight_gradient_norm')[stat] as number),
      stat,
      1e-12,
    );
    near(
      t,
      row(ur, 1, 'weight_update_correlation')[stat],
      row(gr, 1, 'weight_gradient_correlation')[stat] as number,
      `correlation ${stat}`,
      1e-9,
    );
  }
  t.equal(row(ur, 1, 'weight_update_norm')['count'], 5, 'the first update is measured too');
  const ratio = row(ur, 1, 'weight_update_ratio');
  near(t, ratio['mean'], ratios.reduce((a, b) => a + b, 0) / 5, '‖ΔP‖/‖P_before‖', 1e-12);
  near(t, ratio['max'], Math.max(...ratios), 'largest ratio', 1e-12);
  t.same(errors, [], 'no warning');
  await inspector.close();
});

t.test('an update given as a delta alone: one SOURCE_NOT_REPORTED warning, norms still recorded', async (t) => {
  const upd = new ParameterUpdateGeometry({ parameters: ['weight'] });
  const { inspector, loop, errors } = setup([upd]);
  for (let s = 0; s < 3; s++) {
    loop.update('lin1', 'weight', gradientAt(s), SHAPE);
    loop.step();
  }
  await inspector.tickEpoch();
  const warned = errors.filter((e) => e.code === 'SOURCE_NOT_REPORTED');
  t.equal(warned.length, 1);
  t.match(warned[0]?.message, /\{ before, after \}/);
  const r = rows(inspector, upd);
  t.equal(row(r, 1, 'weight_update_norm')['count'], 3);
  t.notOk(r.some((x) => x['quantity'] === 'weight_update_ratio'));
  await inspector.close();
});

t.test('sampling: everySteps 2 sees steps 0, 2, 4; everyEpochs 2 sees epochs 1 and 3', async (t) => {
  const steps = new ParameterGradientGeometry({ parameters: ['weight'], sampling: { everySteps: 2 } });
  const epochs = new ParameterGradientGeometry({
    parameters: ['weight'],
    sampling: { everyEpochs: 2 },
    id: 'by-epoch',
  });
  const { inspector, loop, errors } = setup([steps, epochs]);
  // Step s reports the gradient (s + 1)·G, so the norms tell which steps were seen.
  let s = 0;
  for (let epoch = 1; epoch <= 3; epoch++) {
    for (let k = 0; k < 5; k++, s++) {
      loop.gradient('lin1', 'weight', scaled(s + 1), SHAPE);
      loop.step();
    }
    await inspector.tickEpoch();
  }
  const byStep = rows(inspector, steps);
  const g = Math.sqrt(0.32);
  const e1 = row(byStep, 1, 'weight_gradient_norm');
  t.equal(e1['count'], 3, 'steps 0, 2, 4');
  near(t, e1['min'], 1 * g, 'step 0');
  near(t, e1['max'], 5 * g, 'step 4');
  near(t, e1['mean'], 3 * g, 'mean of steps 0, 2, 4');
  t.equal(row(byStep, 2, 'weight_gradient_norm')['count'], 2, 'epoch 2 holds steps 5–9: 6 and 8');
  near(t, row(byStep, 2, 'weight_gradient_norm')['min'], 7 * g, 'step 6');
  const byEpoch = rows(inspector, epochs);
  t.same(
    [...new Set(byEpoch.map((x) => x['epoch']))],
    [1, 3],
    'epochs 1 and 3 only (monitorch skips the first; we watch it)',
  );
  t.equal(row(byEpoch, 3, 'weight_gradient_norm')['count'], 5);
  // The previous gradient of epoch 3's first step is the last WATCHED one (step 4 of epoch 1).
  near(t, row(byEpoch, 3, 'weight_gradient_correlation')['min'], 1, 'all positive multiples of G', 1e-12);
  t.equal(row(byEpoch, 3, 'weight_gradient_correlation')['count'], 5, 'a true first correlation in epoch 3');
  t.same(errors, [], 'sampled-out epochs do not warn');
  await inspector.close();
});

t.test('output gradient geometry: whole-batch norm, RMS over every entry, activations skipped', async (t) => {
  const lens = new OutputGradientGeometry({ normalizeBySize: true });
  const errors: MonitorchError[] = [];
  const inspector = new Inspector({ lenses: [lens], logger: null });
  inspector.errors$.subscribe((e) => errors.push(e));
  const loop = new LoopAdapter();
  inspector.attach(loop);
  const y = Float32Array.from([3, 4, 0, 0, 0, 12]);
  loop.outputGradient('lin1', y, [2, 3], { kind: 'linear' });
  loop.outputGradient('relu1', y, [2, 3], { kind: 'activation' });
  loop.step();
  await inspector.tickEpoch();
  const r = rows(inspector, lens);
  near(t, row(r, 1, 'output_gradient_rms')['mean'], 13 / Math.sqrt(6), '‖y‖ = 13 over √6 entries', 1e-12);
  t.notOk(
    r.some((x) => x['module'] === 'relu1'),
    'skipActivation',
  );
  t.same(errors, []);
  await inspector.close();
});

t.test('bad options are typed errors', (t) => {
  const bad = (f: () => unknown, what: string): void => {
    t.throws(f, { code: 'INVALID_ARGUMENT' }, what);
  };
  bad(() => new ParameterGradientGeometry({ parameters: 'weight' as unknown as string[] }), 'bare string');
  bad(() => new ParameterGradientGeometry({ parameters: [] }), 'no parameter');
  bad(() => new ParameterUpdateGeometry({ normalizeBySize: 'yes' as unknown as boolean }), 'not a boolean');
  bad(() => new ParameterUpdateGeometry({ bands: ['iqr'] as unknown as [] }), 'unknown band');
  bad(() => new OutputGradientGeometry({ sampling: { everySteps: 0 } }), 'everySteps 0');
  bad(() => new OutputGradientGeometry({ sampling: { everyEpochs: 1.5 } }), 'everyEpochs 1.5');
  bad(() => new OutputGradientGeometry({ lineAggregation: 'q3' as 'mean' }), 'unknown aggregation');
  bad(() => new OutputGradientGeometry({ include: 'linear' as unknown as string[] }), 'bare string include');
  t.end();
});

t.test("the Inspector's sampling applies to lenses without their own", async (t) => {
  const lens = new ParameterGradientGeometry({ parameters: ['weight'] });
  const own = new ParameterGradientGeometry({ parameters: ['weight'], sampling: { everySteps: 1 }, id: 'own' });
  const { inspector, loop } = setup([lens, own], { sampling: { everySteps: 2 } });
  for (let s = 0; s < 5; s++) {
    loop.gradient('lin1', 'weight', scaled(s + 1), SHAPE);
    loop.step();
  }
  await inspector.tickEpoch();
  t.equal(row(rows(inspector, lens), 1, 'weight_gradient_norm')['count'], 3, 'steps 0, 2, 4');
  t.equal(row(rows(inspector, own), 1, 'weight_gradient_norm')['count'], 5, "the lens's own sampling wins");
  await inspector.close();
});
