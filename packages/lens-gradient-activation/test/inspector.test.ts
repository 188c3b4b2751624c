// ParameterGradientActivation driven end to end: LoopAdapter → CPU kernels → bus → lens → Arrow.
import t from 'tap';
import { Inspector, LoopAdapter } from '@monitorch/core';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';

const rowsOf = (inspector: Inspector, lens: ParameterGradientActivation): Record<string, unknown>[] =>
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

t.test('exact rows over two steps; a module without bias is skipped', async (tt) => {
  const lens = new ParameterGradientActivation();
  const inspector = new Inspector({ lenses: [lens], logger: null });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  const D = Float32Array.from([0.1, 0, -0.2, 0, 0, 0, 0, 0, 1e-9, 0.3, 0.3, 0.3]);
  // step 1
  loop.gradient('lin1', 'weight', D, [3, 4], { kind: 'linear' });
  loop.gradient('lin1', 'bias', Float32Array.from([0.5, 0, -0.1]), [3], { kind: 'linear' });
  loop.gradient('head', 'weight', Float32Array.from([0, 0]), [1, 2], { kind: 'linear' }); // no bias → not watched
  loop.step();
  // step 2
  loop.gradient('lin1', 'weight', Float32Array.from([1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0]), [3, 4], { kind: 'linear' });
  loop.gradient('lin1', 'bias', Float32Array.from([0, 0, 0]), [3], { kind: 'linear' });
  loop.gradient('head', 'weight', Float32Array.from([0, 0]), [1, 2], { kind: 'linear' });
  loop.step();
  await inspector.tickEpoch();
  const rows = rowsOf(inspector, lens);
  tt.same(
    rows.map((r) => `${String(r.module)}/${String(r.quantity)}`),
    [
      'lin1/weight_activation_rate',
      'lin1/weight_death_rate',
      'lin1/bias_activation_rate',
      'lin1/bias_death_rate',
      '/worst_activation_rate',
      '/worst_death_rate',
    ],
  );
  const wa = [5 / 12, 5 / 12]; // step 2: r = [1, 0, 0.25] → 1.25/3
  const wd = [1 / 3, 1 / 3];
  const ba = [2 / 3, 0];
  const bd = [1 / 3, 1];
  const summary = (xs: number[]): Record<string, number> => {
    const mean = (xs[0]! + xs[1]!) / 2;
    const sorted = [...xs].sort((x, y) => x - y);
    return {
      mean,
      std: Math.abs(xs[0]! - xs[1]!) / 2,
      min: sorted[0]!,
      max: sorted[1]!,
      count: 2,
      median: sorted[0]!,
      q1: sorted[0]!,
      q3: sorted[1]!,
    };
  };
  const expect = [
    { parameter: 'weight', ...summary(wa), neurons: null, dead_count: null, dead_neurons: null },
    { parameter: 'weight', ...summary(wd), neurons: 3, dead_count: 1, dead_neurons: [1] },
    { parameter: 'bias', ...summary(ba), neurons: null, dead_count: null, dead_neurons: null },
    { parameter: 'bias', ...summary(bd), neurons: 3, dead_count: 1, dead_neurons: [1] },
    { parameter: 'bias', mean: 1 / 3, std: 0, min: 1 / 3, max: 1 / 3, count: 1, worst_module: 'lin1' },
    { parameter: 'bias', mean: 2 / 3, std: 0, min: 2 / 3, max: 2 / 3, count: 1, worst_module: 'lin1' },
  ];
  for (let i = 0; i < expect.length; i++) {
    for (const [k, v] of Object.entries(expect[i]!)) {
      const got = rows[i]?.[k];
      if (typeof v === 'number' && !Number.isInteger(v))
        tt.ok(Math.abs((got as number) - v) < 1e-12, `row ${i} ${k}: ${String(got)} ≈ ${v}`);
      else tt.same(got, v, `row ${i} ${k}`);
    }
    tt.equal(rows[i]?.epoch, 1);
    tt.equal(rows[i]?.phase, 'train');
    tt.equal(rows[i]?.non_finite, 0);
  }
  await inspector.close();
});
