import t, { type Test } from 'tap';
import type { TableRow } from '@monitorch/core';
import { ParameterGradientActivation, titleCase } from '@monitorch/lens-gradient-activation';
import { deliver, gradientEvent, moduleInfo } from '@monitorch/core/testing';

const close = (tt: Test, actual: unknown, expected: number, msg: string): void => {
  tt.ok(typeof actual === 'number' && Math.abs(actual - expected) < 1e-12, `${msg}: ${String(actual)} ≈ ${expected}`);
};
const find = (rows: readonly TableRow[], module: string, quantity: string): TableRow => {
  const r = rows.find((x) => x.module === module && x.quantity === quantity);
  if (r === undefined) throw new Error(`no row ${module}/${quantity}`);
  return r;
};

const lin = moduleInfo('lin1', 0, { kind: 'linear', parameters: ['weight', 'bias'] });
const D = [0.1, 0, -0.2, 0, /* */ 0, 0, 0, 0, /* */ 1e-9, 0.3, 0.3, 0.3];

t.test('worked example D: Linear(4→3) weight and bias gradients', async (tt) => {
  const lens = new ParameterGradientActivation();
  deliver(lens, gradientEvent(lens, lin, 'weight', D, [3, 4]));
  deliver(lens, gradientEvent(lens, lin, 'bias', [0.5, 0, -0.1], [3]));
  const rows = lens.tick(1);
  const wa = find(rows, 'lin1', 'weight_activation_rate');
  close(tt, wa.mean, (0.5 + 0 + 0.75) / 3, 'weight activation');
  close(tt, wa.mean, 0.4166666666666667, 'weight activation (doc value)');
  tt.equal(wa.parameter, 'weight');
  const wd = find(rows, 'lin1', 'weight_death_rate');
  close(tt, wd.mean, 1 / 3, 'weight death');
  tt.same(wd.dead_neurons, [1]);
  tt.equal(wd.neurons, 3);
  close(tt, find(rows, 'lin1', 'bias_activation_rate').mean, 2 / 3, 'bias activation');
  close(tt, find(rows, 'lin1', 'bias_death_rate').mean, 1 / 3, 'bias death');
  tt.same(find(rows, 'lin1', 'bias_death_rate').dead_neurons, [1]);
  tt.same(
    rows.map((r) => r.quantity),
    [
      'weight_activation_rate',
      'weight_death_rate',
      'bias_activation_rate',
      'bias_death_rate',
      'worst_activation_rate',
      'worst_death_rate',
    ],
  );
  const worstA = find(rows, '', 'worst_activation_rate');
  close(tt, worstA.mean, 0.4166666666666667, 'worst activation is the weight');
  tt.equal(worstA.parameter, 'weight');
  tt.equal(worstA.worst_module, 'lin1');
  close(tt, find(rows, '', 'worst_death_rate').mean, 1 / 3, 'worst death (tie: first in row order)');
  tt.equal(find(rows, '', 'worst_death_rate').parameter, 'weight');
});

t.test('conv weight gradient [2,1,2,2] with one non-zero entry', async (tt) => {
  const lens = new ParameterGradientActivation({ parameters: ['weight'] });
  const conv = moduleInfo('conv1', 0, { kind: 'conv', parameters: ['weight', 'bias'] });
  deliver(lens, gradientEvent(lens, conv, 'weight', [0, 0.2, 0, 0, /* */ 0, 0, 0, 0], [2, 1, 2, 2]));
  const rows = lens.tick(1);
  close(tt, find(rows, 'conv1', 'weight_activation_rate').mean, 0.125, 'activation');
  close(tt, find(rows, 'conv1', 'weight_death_rate').mean, 0.5, 'death');
  tt.same(find(rows, 'conv1', 'weight_death_rate').dead_neurons, [1]);
});

t.test('several steps in one epoch; neurons dead in every step', async (tt) => {
  const lens = new ParameterGradientActivation({ parameters: ['weight'] });
  deliver(lens, gradientEvent(lens, lin, 'weight', D, [3, 4])); // 5/12, death 1/3
  deliver(lens, gradientEvent(lens, lin, 'weight', [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0], [3, 4])); // 1/3, death 2/3
  deliver(lens, gradientEvent(lens, lin, 'weight', new Array<number>(12).fill(0), [3, 4])); // 0, death 1
  const rows = lens.tick(1);
  const a = find(rows, 'lin1', 'weight_activation_rate');
  const samples = [5 / 12, 1 / 3, 0];
  const mean = samples.reduce((x, y) => x + y) / 3;
  close(tt, a.mean, mean, 'mean');
  close(tt, a.std, Math.sqrt(samples.reduce((s, x) => s + (x - mean) ** 2, 0) / 3), 'population std');
  tt.equal(a.min, 0);
  close(tt, a.max, 5 / 12, 'max');
  close(tt, a.median, 1 / 3, 'median');
  tt.equal(a.count, 3);
  const d = find(rows, 'lin1', 'weight_death_rate');
  close(tt, d.mean, (1 / 3 + 2 / 3 + 1) / 3, 'death mean');
  tt.same(d.dead_neurons, [1], 'neuron 1 got no gradient in any step; 0 and 2 did in some');
});

t.test('modules must own every listed parameter; others are skipped', async (tt) => {
  const lens = new ParameterGradientActivation();
  const noBias = moduleInfo('nobias', 1, { kind: 'linear', parameters: ['weight'] });
  deliver(lens, gradientEvent(lens, noBias, 'weight', [1, 0], [2, 1]));
  deliver(lens, gradientEvent(lens, lin, 'running_mean', [1, 0], [2]));
  tt.same(lens.tick(1), []);
  tt.same(lens.requests, [
    {
      select: { of: 'gradient', parameters: ['weight', 'bias'] },
      reduction: { op: 'activeCount', per: 'neuron', eps: 1e-8 },
    },
  ]);
});

t.test('rows in forward order; missing layers have no row; worst over layers and parameters', async (tt) => {
  const lens = new ParameterGradientActivation();
  const l2 = moduleInfo('lin2', 2, { kind: 'linear', parameters: ['weight', 'bias'] });
  deliver(lens, gradientEvent(lens, l2, 'bias', [0, 0], [2])); // bias of lin2 entirely dead
  deliver(lens, gradientEvent(lens, l2, 'weight', [1, 1], [2, 1]));
  deliver(lens, gradientEvent(lens, lin, 'weight', [1, 0], [2, 1]));
  deliver(lens, gradientEvent(lens, lin, 'bias', [1, 1], [2]));
  const rows = lens.tick(1);
  tt.same(
    rows.map((r) => `${String(r.module)}/${String(r.quantity)}`),
    [
      'lin1/weight_activation_rate',
      'lin1/weight_death_rate',
      'lin1/bias_activation_rate',
      'lin1/bias_death_rate',
      'lin2/weight_activation_rate',
      'lin2/weight_death_rate',
      'lin2/bias_activation_rate',
      'lin2/bias_death_rate',
      '/worst_activation_rate',
      '/worst_death_rate',
    ],
  );
  const worstA = find(rows, '', 'worst_activation_rate');
  tt.same([worstA.mean, worstA.worst_module, worstA.parameter], [0, 'lin2', 'bias']);
  const worstD = find(rows, '', 'worst_death_rate');
  tt.same([worstD.mean, worstD.worst_module, worstD.parameter], [1, 'lin2', 'bias']);
  deliver(lens, gradientEvent(lens, l2, 'weight', [1, 1], [2, 1]));
  const next = lens.tick(2);
  tt.same(
    next.map((r) => `${String(r.module)}/${String(r.quantity)}`),
    ['lin2/weight_activation_rate', 'lin2/weight_death_rate', '/worst_activation_rate', '/worst_death_rate'],
    'epoch 2: only what was reported, no stale lin1 or bias rows',
  );
});

t.test('eps boundary and non-finite gradient entries', async (tt) => {
  const lens = new ParameterGradientActivation({ parameters: ['weight'] });
  deliver(lens, gradientEvent(lens, lin, 'weight', [1e-9, -1, Number.NaN, 2], [2, 2]));
  const rows = lens.tick(1);
  // Behaviour changed by the non-finite rule (docs/semantics-decisions.md), was 0.5: the NaN is
  // left out, so neuron 1's rate is 1/1 (its finite entry 2 is active) and neuron 0's is 1/2.
  close(tt, find(rows, 'lin1', 'weight_activation_rate').mean, 0.75, '1e-9 inactive, NaN left out, -1 and 2 active');
  tt.equal(find(rows, 'lin1', 'weight_activation_rate').non_finite, 1);
});

t.test('plot metadata: one small panel per parameter, one big warning panel', async (tt) => {
  const lens = new ParameterGradientActivation({ parameters: ['weight', 'bias', 'weight_ih_l0'] });
  tt.same(
    lens.table.plot.panels.map((p) => [p.title, p.size, p.kind, p.quantities]),
    [
      ['Weight Gradient Activation', 'small', 'probability', ['weight_activation_rate', 'weight_death_rate']],
      ['Bias Gradient Activation', 'small', 'probability', ['bias_activation_rate', 'bias_death_rate']],
      [
        'Weight_Ih_L0 Gradient Activation',
        'small',
        'probability',
        ['weight_ih_l0_activation_rate', 'weight_ih_l0_death_rate'],
      ],
      ['Warning Gradient Activations', 'big', 'probability', ['worst_activation_rate', 'worst_death_rate']],
    ],
  );
  tt.equal(lens.table.name, 'gradient-activation');
  tt.equal(titleCase('weight_hh_l10x'), 'Weight_Hh_L10X');
  const quiet = new ParameterGradientActivation({ warningPlot: false, trackDeadNeurons: false });
  tt.equal(quiet.table.plot.panels.length, 2);
  deliver(quiet, gradientEvent(quiet, lin, 'weight', [0, 0], [2, 1]));
  const rows = quiet.tick(1);
  tt.equal(rows.length, 2);
  tt.equal(find(rows, 'lin1', 'weight_death_rate').dead_neurons, null);
});

t.test('bad options are clear errors (a bare string is not split into letters)', async (tt) => {
  tt.throws(() => new ParameterGradientActivation({ parameters: 'weight' as unknown as string[] }), {
    code: 'INVALID_ARGUMENT',
    message: /parameters: \["weight"\]/,
  });
  tt.throws(() => new ParameterGradientActivation({ parameters: [] }), { code: 'INVALID_ARGUMENT' });
  tt.throws(() => new ParameterGradientActivation({ eps: Number.NaN }), { code: 'INVALID_ARGUMENT' });
  tt.throws(() => new ParameterGradientActivation({ aggregation: 'q1' as 'mean' }), { code: 'INVALID_ARGUMENT' });
});
