import t, { type Test } from 'tap';
import { MonitorchError, type TableRow } from '@monitorch/core';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { deliver, moduleInfo, outputEvent } from '@monitorch/core/testing';

const close = (tt: Test, actual: unknown, expected: number, msg: string): void => {
  tt.ok(typeof actual === 'number' && Math.abs(actual - expected) < 1e-12, `${msg}: ${String(actual)} ≈ ${expected}`);
};

const find = (rows: readonly TableRow[], module: string, quantity: string, phase = 'train'): TableRow => {
  const r = rows.find((x) => x.module === module && x.quantity === quantity && x.phase === phase);
  if (r === undefined) throw new Error(`no row ${phase}/${module}/${quantity}`);
  return r;
};

const relu = moduleInfo('relu1', 1);

t.test('worked example A: conv [2,3,2,2]', async (tt) => {
  const lens = new OutputActivation();
  const data = [
    0.5, 0, 0, 2, /* ch1 */ 0, 0, 0, 0, /* ch2 */ 1, 1, 1, 1e-9, 0, 0, 0, 3, /* ch1 */ 0, 0, 0, 0, /* ch2 */ -1, 0, 0,
    0,
  ];
  deliver(lens, outputEvent(lens, relu, data, [2, 3, 2, 2]));
  const rows = lens.tick(1);
  const act = find(rows, 'relu1', 'activation_rate');
  close(tt, act.mean, (0.375 + 0 + 0.5) / 3, 'activation');
  close(tt, act.mean, 0.2916666666666667, 'activation (doc value)');
  tt.equal(act.count, 1);
  tt.equal(act.std, 0);
  const death = find(rows, 'relu1', 'death_rate');
  close(tt, death.mean, 1 / 3, 'death');
  tt.same(death.dead_channels, [1], 'channel 1 is zero everywhere');
  tt.equal(death.dead_count, 1);
  tt.equal(death.channels, 3);
  tt.equal(act.dead_channels, undefined, 'dead channels only on the death row');
});

t.test('worked example B: channels last vs default', async (tt) => {
  const data = [1, 0, 0, 0, 2, 0, /* sample 1 */ 0, 0, 3, 0, 0, 0];
  const last = new OutputActivation({ channelsLast: true });
  deliver(last, outputEvent(last, relu, data, [2, 3, 2]));
  const r1 = last.tick(1);
  close(tt, find(r1, 'relu1', 'activation_rate').mean, 0.25, 'channelsLast activation');
  close(tt, find(r1, 'relu1', 'death_rate').mean, 0.5, 'channelsLast death');
  tt.same(find(r1, 'relu1', 'death_rate').dead_channels, [1]);
  const first = new OutputActivation();
  deliver(first, outputEvent(first, relu, data, [2, 3, 2]));
  const r2 = first.tick(1);
  close(tt, find(r2, 'relu1', 'activation_rate').mean, 0.25, 'T as channels: activation');
  close(tt, find(r2, 'relu1', 'death_rate').mean, 0, 'T as channels: death');
  tt.same(find(r2, 'relu1', 'death_rate').dead_channels, []);
});

t.test('worked example C: three [2,4] batches folded into one epoch', async (tt) => {
  const lens = new OutputActivation();
  deliver(lens, outputEvent(lens, relu, [1, 0, 0, 0, 1, 0, 0, 0], [2, 4])); // rates [1,0,0,0]
  deliver(lens, outputEvent(lens, relu, [1, 1, 0, 0, 0, 1, 0, 0], [2, 4])); // [0.5,1,0,0]
  deliver(lens, outputEvent(lens, relu, [1, 1, 1, 1, 2, 2, 2, 2], [2, 4])); // [1,1,1,1]
  const rows = lens.tick(1);
  const act = find(rows, 'relu1', 'activation_rate');
  tt.equal(act.count, 3);
  close(tt, act.mean, 0.5416666666666666, 'activation mean');
  close(tt, act.std, Math.sqrt(0.1076388888888889), 'activation population std');
  tt.ok(Math.abs((act.std as number) - 0.328) < 1e-3);
  tt.equal(act.min, 0.25);
  tt.equal(act.max, 1);
  tt.equal(act.median, 0.375, 'closest-observation median');
  tt.equal(act.q1, 0.25);
  tt.equal(act.q3, 0.375);
  const death = find(rows, 'relu1', 'death_rate');
  close(tt, death.mean, 0.4166666666666667, 'death mean');
  tt.equal(death.min, 0);
  tt.equal(death.max, 0.75);
  tt.same(death.dead_channels, [], 'every channel was active in the last batch');
});

t.test('dead channels: only channels zero in EVERY batch', async (tt) => {
  const lens = new OutputActivation();
  deliver(lens, outputEvent(lens, relu, [1, 0, 0, 0, /* */ 0, 0, 0, 0], [2, 4]));
  deliver(lens, outputEvent(lens, relu, [0, 0, 5, 0, /* */ 0, 0, 0, 0], [2, 4]));
  const death = find(lens.tick(1), 'relu1', 'death_rate');
  tt.same(death.dead_channels, [1, 3]);
  tt.equal(death.dead_count, 2);
  close(tt, death.mean, 0.75, 'per-batch death 3/4 both times');
});

t.test('all-dead and all-alive layers', async (tt) => {
  const lens = new OutputActivation();
  const dead = moduleInfo('dead', 0);
  const alive = moduleInfo('alive', 1);
  deliver(lens, outputEvent(lens, dead, new Float32Array(2 * 3 * 4), [2, 3, 4]));
  deliver(lens, outputEvent(lens, alive, new Float32Array(2 * 3 * 4).fill(-0.5), [2, 3, 4]));
  const rows = lens.tick(1);
  tt.equal(find(rows, 'dead', 'activation_rate').mean, 0);
  tt.equal(find(rows, 'dead', 'death_rate').mean, 1);
  tt.same(find(rows, 'dead', 'death_rate').dead_channels, [0, 1, 2]);
  tt.equal(find(rows, 'alive', 'activation_rate').mean, 1, 'negative outputs are active');
  tt.equal(find(rows, 'alive', 'death_rate').mean, 0);
  const worstA = find(rows, '', 'worst_activation_rate');
  const worstD = find(rows, '', 'worst_death_rate');
  tt.equal(worstA.mean, 0);
  tt.equal(worstA.worst_module, 'dead');
  tt.equal(worstD.mean, 1);
  tt.equal(worstD.worst_module, 'dead');
  tt.same([worstA.median, worstA.min, worstA.max, worstA.count], [0, 0, 0, 1]);
});

t.test('eps boundary', async (tt) => {
  const lens = new OutputActivation();
  // one channel [N=4]: 1e-9 inactive, -1 active, 1e-8 exactly is inactive, 2e-8 active
  deliver(lens, outputEvent(lens, relu, new Float64Array([1e-9, -1, 1e-8, 2e-8]), [4]));
  close(tt, find(lens.tick(1), 'relu1', 'activation_rate').mean, 0.5, 'two of four');
  const coarse = new OutputActivation({ eps: 0.5 });
  deliver(coarse, outputEvent(coarse, relu, [0.5, 0.25, -0.75, 1], [4, 1]));
  close(tt, find(coarse.tick(1), 'relu1', 'activation_rate').mean, 0.5, 'eps 0.5: exactly eps is inactive');
  tt.equal(coarse.requests[0]?.reduction.op, 'activeCount');
  tt.match(coarse.requests[0]?.reduction, { eps: 0.5, per: 'channel' });
});

t.test('sigmoid saturation: 10/13 of σ(x) on [-1000..1000] exceed 1e-8 (float32)', async (tt) => {
  const xs = [-1000, -500, -100, -10, -5, -1, 0, 1, 5, 10, 100, 500, 1000];
  const sig = Float32Array.from(xs, (x) => Math.fround(1 / (1 + Math.exp(-Math.fround(x)))));
  tt.ok(sig[2] !== undefined && sig[2] > 0 && sig[2] < 1e-8, `σ(−100) = ${sig[2]} is tiny but not 0 in float32`);
  const lens = new OutputActivation();
  deliver(lens, outputEvent(lens, moduleInfo('sigmoid', 0), sig, [13, 1]));
  const act = find(lens.tick(1), 'sigmoid', 'activation_rate');
  close(tt, act.mean, 10 / 13, 'activation');
  tt.ok(Math.abs((act.mean as number) - 0.7692307829856873) < 1e-7, 'monitorch float32 value');
});

t.test('linear [N, C] and conv1d [N, C, L] shapes', async (tt) => {
  const lens = new OutputActivation();
  const lin = moduleInfo('lin_relu', 0);
  const conv = moduleInfo('conv_relu', 1);
  // [3, 2]: channel 0 active in 2 of 3 samples, channel 1 in 0 → activation 1/3, death 1/2
  deliver(lens, outputEvent(lens, lin, [1, 0, 0, 0, 4, 0], [3, 2]));
  // [2, 2, 3]: ch0 active at 1+3 of 6 positions, ch1 at 6 of 6 → (4/6 + 1)/2
  deliver(lens, outputEvent(lens, conv, [1, 0, 0, 1, 1, 1, /* */ 2, 2, 2, 1, 1, 1], [2, 2, 3]));
  const rows = lens.tick(1);
  close(tt, find(rows, 'lin_relu', 'activation_rate').mean, 1 / 3, 'linear activation');
  close(tt, find(rows, 'lin_relu', 'death_rate').mean, 0.5, 'linear death');
  close(tt, find(rows, 'conv_relu', 'activation_rate').mean, (4 / 6 + 1) / 2, 'conv activation');
  close(tt, find(rows, 'conv_relu', 'death_rate').mean, 0, 'conv death');
});

t.test('train and val are separate series; val is off by default', async (tt) => {
  const trainOnly = new OutputActivation();
  deliver(trainOnly, outputEvent(trainOnly, relu, [1, 1], [2, 1], { phase: 'val' }));
  tt.same(trainOnly.tick(1), [], 'val pass not recorded by default');

  const lens = new OutputActivation({ phases: ['train', 'val'] });
  deliver(lens, outputEvent(lens, relu, [1, 0, 1, 0], [2, 2], { phase: 'val' }));
  deliver(lens, outputEvent(lens, relu, [1, 1, 1, 1], [2, 2], { phase: 'train' }));
  const rows = lens.tick(1);
  tt.same(
    rows.map((r) => `${String(r.phase)}/${String(r.module)}/${String(r.quantity)}`),
    [
      'train/relu1/activation_rate',
      'train/relu1/death_rate',
      'train//worst_activation_rate',
      'train//worst_death_rate',
      'val/relu1/activation_rate',
      'val/relu1/death_rate',
      'val//worst_activation_rate',
      'val//worst_death_rate',
    ],
  );
  tt.equal(find(rows, 'relu1', 'activation_rate', 'train').mean, 1);
  tt.equal(find(rows, 'relu1', 'activation_rate', 'val').mean, 0.5);
  tt.equal(find(rows, 'relu1', 'death_rate', 'val').mean, 0.5);
});

t.test('a layer without samples in an epoch has no row (no stale value)', async (tt) => {
  const lens = new OutputActivation();
  const a = moduleInfo('a', 0);
  const b = moduleInfo('b', 1);
  deliver(lens, outputEvent(lens, a, [1, 0], [2, 1]));
  deliver(lens, outputEvent(lens, b, [1, 1], [2, 1]));
  tt.equal(lens.tick(1).length, 6);
  deliver(lens, outputEvent(lens, b, [0, 1], [2, 1], { epoch: 2 }));
  const rows = lens.tick(2);
  tt.same([...new Set(rows.map((r) => r.module))], ['b', '']);
  tt.equal(find(rows, 'b', 'activation_rate').mean, 0.5);
  tt.equal(find(rows, '', 'worst_activation_rate').worst_module, 'b');
  tt.same(lens.tick(3), [], 'an empty epoch gives no rows and does not throw');
});

t.test('rows follow forward order, not arrival order', async (tt) => {
  const lens = new OutputActivation();
  deliver(lens, outputEvent(lens, moduleInfo('late', 5), [1], [1, 1]));
  deliver(lens, outputEvent(lens, moduleInfo('early', 2), [1], [1, 1]));
  tt.same(
    lens
      .tick(1)
      .filter((r) => r.module !== '')
      .map((r) => r.module),
    ['early', 'early', 'late', 'late'],
  );
});

t.test('non-finite entries are counted and left out of the rates', async (tt) => {
  // Behaviour changed by the non-finite rule (docs/semantics-decisions.md): before, channel 0
  // of batch 1 (NaN, +Inf) counted as a dead channel and the mean was 0.5.
  const lens = new OutputActivation();
  deliver(lens, outputEvent(lens, relu, [Number.NaN, 1, Number.POSITIVE_INFINITY, 1], [2, 2]));
  deliver(lens, outputEvent(lens, relu, [Number.NaN, 1, 0, 1], [2, 2]));
  const rows = lens.tick(1);
  const act = find(rows, 'relu1', 'activation_rate');
  tt.equal(act.non_finite, 3);
  // batch 1: channel 0 has no finite entry (left out), channel 1 rate 1 → 1;
  // batch 2: channel 0 rate 0/1, channel 1 rate 1 → 0.5
  close(tt, act.mean, 0.75, 'channel 0 measured only where finite');
  close(tt, find(rows, 'relu1', 'death_rate').mean, 0.25, 'dead in batch 2 only');
  tt.same(find(rows, 'relu1', 'death_rate').dead_channels, [0], 'its one finite entry was zero');
});

t.test('NaN/Inf samples do not move the rates of the finite entries', async (tt) => {
  const finite = [1, 0, /* sample 1 */ 0, 1];
  const cases: [string, number[]][] = [
    ['finite only', finite],
    // an old rule (NaN counted as inactive) gave 0.25 and 0.375 for the next two
    [
      'plus all-NaN/Inf samples',
      [...finite, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN],
    ],
    ['plus samples with NaN/Inf holes', [...finite, Number.NaN, 0, 1, Number.POSITIVE_INFINITY]],
  ];
  for (const [name, data] of cases) {
    const lens = new OutputActivation();
    deliver(lens, outputEvent(lens, relu, data, [data.length / 2, 2]));
    const rows = lens.tick(1);
    close(tt, find(rows, 'relu1', 'activation_rate').mean, 0.5, `${name}: activation`);
    close(tt, find(rows, 'relu1', 'death_rate').mean, 0, `${name}: death`);
    tt.same(find(rows, 'relu1', 'death_rate').dead_channels, [], `${name}: no dead channel`);
  }
});

t.test('a channel that is all NaN in every batch is not reported dead', async (tt) => {
  const lens = new OutputActivation();
  deliver(lens, outputEvent(lens, relu, [Number.NaN, 0, Number.NaN, 1], [2, 2]));
  deliver(lens, outputEvent(lens, relu, [Number.NaN, 0, Number.NaN, 0], [2, 2]));
  const rows = lens.tick(1);
  tt.same(find(rows, 'relu1', 'death_rate').dead_channels, [], 'channel 0 was never measured');
  close(tt, find(rows, 'relu1', 'death_rate').mean, 0.5, 'channel 1 dead in batch 2');
  close(tt, find(rows, 'relu1', 'activation_rate').mean, 0.25, 'only channel 1 is measured');
});

t.test('module selection: kinds, include by kind and name, exclude', async (tt) => {
  const lens = new OutputActivation({ dropout: false, include: ['linear', 'head.out'], exclude: ['relu_skip'] });
  const sel = lens.requests[0]?.select;
  tt.same(sel, {
    of: 'output',
    phases: ['train'],
    modules: { kinds: ['activation', 'linear'], names: ['head.out'], excludeNames: ['relu_skip'] },
  });
  deliver(lens, outputEvent(lens, moduleInfo('drop', 0, { kind: 'dropout' }), [1], [1, 1]));
  deliver(lens, outputEvent(lens, moduleInfo('relu_skip', 1), [1], [1, 1]));
  deliver(lens, outputEvent(lens, moduleInfo('lin', 2, { kind: 'linear' }), [1], [1, 1]));
  deliver(lens, outputEvent(lens, moduleInfo('head.out', 3, { kind: 'other' }), [0], [1, 1]));
  tt.same([...new Set(lens.tick(1).map((r) => r.module))], ['lin', 'head.out', '']);
});

t.test('options: trackDeadChannels off, warningPlot off, aggregation median', async (tt) => {
  const lens = new OutputActivation({ trackDeadChannels: false, warningPlot: false, aggregation: 'median' });
  tt.same(
    lens.table.plot.panels.map((p) => [p.title, p.size, p.kind, p.line]),
    [['Output Activations', 'small', 'probability', 'median']],
  );
  deliver(lens, outputEvent(lens, relu, [0, 0], [1, 2]));
  const rows = lens.tick(1);
  tt.equal(rows.length, 2);
  tt.equal(find(rows, 'relu1', 'death_rate').dead_channels, null);
  tt.equal(find(rows, 'relu1', 'death_rate').dead_count, null);
});

t.test('warning rows compare the chosen aggregation', async (tt) => {
  const lens = new OutputActivation({ aggregation: 'min' });
  const a = moduleInfo('a', 0);
  const b = moduleInfo('b', 1);
  // a: activation samples 0.5, 0.5 (min 0.5); b: samples 1, 0 (min 0, mean 0.5)
  deliver(lens, outputEvent(lens, a, [1, 0], [1, 2]));
  deliver(lens, outputEvent(lens, a, [0, 1], [1, 2]));
  deliver(lens, outputEvent(lens, b, [1, 1], [1, 2]));
  deliver(lens, outputEvent(lens, b, [0, 0], [1, 2]));
  const rows = lens.tick(1);
  tt.equal(find(rows, '', 'worst_activation_rate').mean, 0);
  tt.equal(find(rows, '', 'worst_activation_rate').worst_module, 'b');
  tt.equal(find(rows, '', 'worst_death_rate').mean, 0.5, 'min death of a is 0.5, of b is 0');
  tt.equal(find(rows, '', 'worst_death_rate').worst_module, 'a');
});

t.test('plot metadata and columns', async (tt) => {
  const lens = new OutputActivation();
  tt.equal(lens.id, 'output-activation');
  tt.equal(lens.table.name, 'output-activation');
  tt.same(lens.table.plot.panels, [
    {
      title: 'Output Activations',
      size: 'small',
      kind: 'probability',
      quantities: ['activation_rate', 'death_rate'],
      line: 'mean',
    },
    {
      title: 'Warning Output Activations',
      size: 'big',
      kind: 'probability',
      quantities: ['worst_activation_rate', 'worst_death_rate'],
      line: 'mean',
    },
  ]);
  tt.same(
    lens.table.columns.slice(9).map((c) => `${c.name}:${c.type}`),
    [
      'median:float64',
      'q1:float64',
      'q3:float64',
      'non_finite:int32',
      'channels:int32',
      'dead_count:int32',
      'dead_channels:int32list',
      'worst_module:utf8',
    ],
  );
});

t.test('bad options are clear errors', async (tt) => {
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      return e instanceof MonitorchError ? e.code : 'other';
    }
    return undefined;
  };
  tt.equal(
    code(() => new OutputActivation({ include: 'linear' as unknown as string[] })),
    'INVALID_ARGUMENT',
  );
  tt.equal(
    code(() => new OutputActivation({ activation: false, dropout: false })),
    'INVALID_ARGUMENT',
  );
  tt.equal(
    code(() => new OutputActivation({ eps: -1 })),
    'INVALID_ARGUMENT',
  );
  tt.equal(
    code(() => new OutputActivation({ aggregation: 'std' as 'mean' })),
    'INVALID_ARGUMENT',
  );
  tt.equal(
    code(() => new OutputActivation({ phases: [] })),
    'INVALID_ARGUMENT',
  );
  tt.equal(
    code(() => new OutputActivation({ activation: false, dropout: false, include: ['lin1'] })),
    undefined,
  );
});

t.test('an event without its answer is a clear error; reset forgets the epoch', async (tt) => {
  const lens = new OutputActivation();
  tt.throws(
    () =>
      lens.foldOutput({
        type: 'output',
        module: relu,
        shape: [1, 1],
        reductions: new Map(),
        epoch: 1,
        step: 0,
        phase: 'train',
      }),
    { code: 'BACKEND_FAILED' },
  );
  deliver(lens, outputEvent(lens, relu, [1], [1, 1]));
  lens.reset();
  tt.same(lens.tick(1), []);
});
