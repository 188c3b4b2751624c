import t from 'tap';
import { EventEmitter } from 'eventemitter3';
import {
  Bus,
  LoopAdapter,
  MonitorchError,
  reductionKey,
  type AdapterEvents,
  type AdapterReport,
  type MonitorEvent,
  type Reduction,
  type ReductionRequest,
  type ReductionResult,
} from '@monitorch/core';

const ACTIVE: Reduction = { op: 'activeCount', per: 'channel', eps: 1e-8 };
const NEURON: Reduction = { op: 'activeCount', per: 'neuron', eps: 1e-8 };
const L2: Reduction = { op: 'l2' };

/** Connects `loop` to a fresh bus with `requests` and records every event. */
function wire(loop: LoopAdapter, requests: readonly ReductionRequest[]): { bus: Bus; seen: MonitorEvent[] } {
  const bus = new Bus();
  const seen: MonitorEvent[] = [];
  bus.events$.subscribe((e) => seen.push(e));
  loop.connect({ emitter: bus.emitter, requests, clock: bus });
  return { bus, seen };
}

function answer(e: MonitorEvent, r: Reduction): ReductionResult | undefined {
  return 'reductions' in e ? e.reductions.get(reductionKey(r)) : undefined;
}

function code(e: unknown): string | undefined {
  return e instanceof MonitorchError ? e.code : undefined;
}

t.test('not attached: every call returns at once, even with bad input', (t) => {
  const loop = new LoopAdapter();
  t.equal(loop.attached, false);
  loop.output('relu1', new Float32Array(3), [2, 2]);
  loop.gradient('lin1', 'weight', new Float32Array(1), [5]);
  loop.loss(Number.NaN);
  loop.step();
  t.same(loop.modules, [], 'nothing was registered');
  t.end();
});

t.test('outputs: only the requested reductions, with hand-computed answers', (t) => {
  const loop = new LoopAdapter();
  const { seen } = wire(loop, [
    { select: { of: 'output', modules: { kinds: ['activation'] } }, reduction: ACTIVE },
    { select: { of: 'output', modules: { kinds: ['activation'] } }, reduction: ACTIVE }, // shared by two lenses
    { select: { of: 'output', modules: { names: ['relu1'] }, phases: ['train', 'val'] }, reduction: { op: 'sum' } },
  ]);
  // [N=2, C=3]: channel 0 active in both samples, channel 1 in one, channel 2 never.
  loop.output('relu1', new Float64Array([1, 0, 0, 2, 3, 0]), [2, 3], { kind: 'activation', type: 'ReLU' });
  loop.output('lin1', new Float64Array([1, 2]), [1, 2], { kind: 'linear' }); // nobody asked
  loop.output('relu1', new Float32Array([0, 0, 0, 0, 5, 0]), [2, 3], { phase: 'val' });
  t.equal(seen.length, 2, 'one event per wanted tensor; the linear output is not reduced at all');
  const [train, val] = seen;
  if (train?.type !== 'output' || val?.type !== 'output') throw new Error('expected forward events');
  t.same([...train.reductions.keys()].sort(), [reductionKey(ACTIVE), 'sum'].sort(), 'equal reductions computed once');
  const a = answer(train, ACTIVE);
  t.same(a?.op === 'activeCount' ? [...a.counts] : null, [2, 1, 0]);
  t.equal(a?.op === 'activeCount' ? a.size : null, 2);
  t.same(answer(train, { op: 'sum' }), { op: 'sum', value: 6 });
  t.same([...val.reductions.keys()], ['sum'], 'the val phase only gets what a val request asked for');
  t.equal(val.phase, 'val');
  t.same(val.shape, [2, 3]);
  t.same(train.module, { name: 'relu1', kind: 'activation', type: 'ReLU', parameters: [], order: 0 });
  t.same(
    loop.modules.map((m) => [m.name, m.kind, m.order]),
    [
      ['relu1', 'activation', 0],
      ['lin1', 'linear', 1],
    ],
  );
  t.end();
});

t.test('bad input: shape mismatch, conflicting kind, bad types', (t) => {
  const loop = new LoopAdapter();
  wire(loop, [{ select: { of: 'output', modules: {} }, reduction: ACTIVE }]);
  try {
    loop.output('relu1', new Float32Array(5), [2, 3]);
    t.fail('should throw');
  } catch (e) {
    t.equal(code(e), 'SHAPE_MISMATCH');
    t.match((e as Error).message, /relu1/);
    t.match((e as Error).message, /6 elements/);
    t.match((e as Error).message, /\b5\b/);
    t.same((e as MonitorchError).details, { module: 'relu1', shape: [2, 3], expected: 6, actual: 5 });
  }
  // A shape mismatch is caught even when no lens wants the tensor.
  t.throws(() => loop.gradient('lin1', 'weight', new Float32Array(5), [2, 3]), { code: 'SHAPE_MISMATCH' });
  t.throws(() => loop.output('relu1', new Float32Array(6), [2, -3]), { code: 'INVALID_ARGUMENT' });
  t.throws(() => loop.output('relu1', [1, 2] as unknown as Float32Array, [2]), { code: 'INVALID_ARGUMENT' });
  loop.output('relu1', new Float32Array(2), [1, 2], { kind: 'activation' });
  t.throws(() => loop.output('relu1', new Float32Array(2), [1, 2], { kind: 'linear' }), { code: 'INVALID_ARGUMENT' });
  // A module first seen without a kind is `other` until one report names its kind.
  loop.output('drop', new Float32Array(2), [1, 2]);
  t.equal(loop.modules.find((m) => m.name === 'drop')?.kind, 'other');
  loop.output('drop', new Float32Array(2), [1, 2], { kind: 'dropout' });
  t.equal(loop.modules.find((m) => m.name === 'drop')?.kind, 'dropout');
  t.throws(() => loop.output('drop', new Float32Array(2), [1, 2], { kind: 'activation' }), {
    code: 'INVALID_ARGUMENT',
  });
  t.throws(() => loop.loss('0.5' as unknown as number), { code: 'INVALID_ARGUMENT' });
  t.throws(() => loop.loss(0.5, { batchSize: 0 }), { code: 'INVALID_ARGUMENT' });
  // A parameter keeps its shape.
  loop.gradient('lin1', 'weight', new Float32Array(6), [2, 3]);
  t.throws(() => loop.gradient('lin1', 'weight', new Float32Array(6), [3, 2]), { code: 'SHAPE_MISMATCH' });
  t.end();
});

t.test('declare(): fixed order and parameters, unknown names are errors', (t) => {
  const loop = new LoopAdapter().declare([
    { name: 'lin1', kind: 'linear', type: 'Linear', parameters: ['weight', 'bias'] },
    { name: 'relu1', kind: 'activation' },
    { name: 'lin2', kind: 'linear', parameters: [{ name: 'weight', shape: [2, 4] }] },
  ]);
  const { seen } = wire(loop, [
    { select: { of: 'gradient', parameters: ['weight', 'bias'] }, reduction: NEURON },
    { select: { of: 'gradient', parameters: ['weight'] }, reduction: L2 },
  ]);
  t.same(
    loop.modules.map((m) => [m.name, m.order, m.parameters.map((p) => p.name)]),
    [
      ['lin1', 0, ['weight', 'bias']],
      ['relu1', 1, []],
      ['lin2', 2, ['weight']],
    ],
  );
  t.throws(() => loop.output('relu2', new Float32Array(1), [1, 1]), { code: 'UNKNOWN_MODULE' });
  t.throws(() => loop.gradient('lin3', 'weight', new Float32Array(1), [1, 1]), { code: 'UNKNOWN_MODULE' });
  t.throws(() => loop.gradient('lin1', 'bais', new Float32Array(1), [1, 1]), { code: 'UNKNOWN_MODULE' });
  t.throws(
    () => loop.gradient('lin2', 'weight', new Float32Array(8), [4, 2]),
    { code: 'SHAPE_MISMATCH' },
    'a declared shape is checked',
  );
  // Declared parameters are known: events go out at once, before step().
  loop.gradient('lin1', 'weight', new Float64Array([0, 1, 0, 0, 2, 3]), [2, 3]);
  loop.gradient('lin2', 'weight', new Float64Array([3, 0, 0, 0, 0, 0, 0, 4]), [2, 4]);
  t.equal(seen.length, 2);
  const [w1, w2] = seen;
  const n1 = w1 === undefined ? undefined : answer(w1, NEURON);
  t.same(n1?.op === 'activeCount' ? [...n1.counts] : null, [1, 2], 'lin1 owns weight and bias: neuron counts');
  t.same(w1 === undefined ? undefined : answer(w1, L2), { op: 'l2', value: Math.sqrt(14) });
  t.same(
    w2 === undefined ? undefined : [...(w2.type === 'gradient' ? w2.reductions.keys() : [])],
    ['l2'],
    'lin2 owns no bias: only the weight-only request applies',
  );
  t.same(w2 === undefined ? undefined : answer(w2, L2), { op: 'l2', value: 5 });
  t.end();
});

t.test('on the fly: first-step gradients are held until the parameter lists are known', (t) => {
  const loop = new LoopAdapter();
  const { seen } = wire(loop, [
    { select: { of: 'gradient', parameters: ['weight', 'bias'] }, reduction: NEURON },
    { select: { of: 'gradient', parameters: ['weight'] }, reduction: L2 },
  ]);
  const step = (): void => {
    // backward order: lin2 (no bias) then lin1
    loop.gradient('lin2', 'weight', new Float64Array([0, 3, 4, 0]), [2, 2]);
    loop.gradient('lin1', 'weight', new Float64Array([1, 0, 0, 0]), [2, 2]);
    loop.gradient('lin1', 'bias', new Float64Array([0, 2]), [2]);
  };
  step();
  t.equal(seen.length, 0, 'nothing goes out before the first step');
  loop.step();
  const summary = (es: MonitorEvent[]): unknown[] =>
    es.map((e) => (e.type === 'gradient' ? [e.module.name, e.parameter, [...e.reductions.keys()].sort()] : [e.type]));
  const expected = [
    ['lin2', 'weight', ['l2']],
    ['lin1', 'weight', [reductionKey(NEURON), 'l2'].sort()],
    ['lin1', 'bias', [reductionKey(NEURON)]],
    ['step'],
  ];
  t.same(summary(seen), expected, 'held events in report order, filtered by ownership, then the step');
  t.same(
    loop.modules.map((m) => [m.name, m.parameters]),
    [
      ['lin2', [{ name: 'weight', shape: [2, 2] }]],
      [
        'lin1',
        [
          { name: 'weight', shape: [2, 2] },
          { name: 'bias', shape: [2] },
        ],
      ],
    ],
  );
  const bias = seen[2];
  const nb = bias === undefined ? undefined : answer(bias, NEURON);
  t.same(nb?.op === 'activeCount' ? [[...nb.counts], nb.size] : null, [[0, 1], 1]);
  seen.length = 0;
  step();
  t.same(summary(seen), expected.slice(0, 3), 'from the second step on, events go out at once');
  loop.step();
  t.same(
    seen.map((e) => [e.type, e.step]),
    [
      ['gradient', 1],
      ['gradient', 1],
      ['gradient', 1],
      ['step', 2],
    ],
  );
  t.end();
});

t.test('held reports are flushed at the epoch end and on disconnect', (t) => {
  const loop = new LoopAdapter();
  const { bus, seen } = wire(loop, [{ select: { of: 'update', parameters: ['weight'] }, reduction: L2 }]);
  loop.update('lin1', 'weight', new Float64Array([3, 4]), [2]);
  t.equal(seen.length, 0);
  bus.flush();
  t.same(
    seen.map((e) => [e.type, e.epoch]),
    [['update', 1]],
    'flushed into the epoch being closed',
  );
  bus.tick();
  seen.length = 0;
  loop.update('lin2', 'weight', { before: new Float32Array([1, 1]), after: new Float32Array([4, 5]) }, [2]);
  t.equal(seen.length, 0);
  loop.disconnect();
  t.equal(seen.length, 1, 'disconnect reports what was held');
  t.same(seen[0] === undefined ? undefined : answer(seen[0], L2), { op: 'l2', value: 5 }, 'after − before = [3, 4]');
  loop.update('lin2', 'weight', new Float64Array([1, 1]), [2]);
  t.equal(seen.length, 1, 'detached: no-op');
  t.end();
});

t.test('update: the change or {before, after} give the same answers', (t) => {
  const loop = new LoopAdapter().declare([{ name: 'lin', kind: 'linear', parameters: ['weight'] }]);
  const { seen } = wire(loop, [
    { select: { of: 'update', parameters: ['weight'] }, reduction: L2 },
    { select: { of: 'update', parameters: ['weight'] }, reduction: { op: 'max' } },
  ]);
  const before = new Float32Array([0.5, -1, 2, 0]);
  const after = new Float32Array([1.5, -1, 0, 2]);
  loop.update('lin', 'weight', { before, after }, [2, 2]);
  loop.update('lin', 'weight', new Float64Array([1, 0, -2, 2]), [2, 2]);
  t.equal(seen.length, 2);
  for (const e of seen) {
    t.same(answer(e, L2), { op: 'l2', value: 3 });
    t.same(answer(e, { op: 'max' }), { op: 'max', value: 2 });
  }
  t.throws(() => loop.update('lin', 'weight', { before: new Float32Array(3), after }, [2, 2]), {
    code: 'SHAPE_MISMATCH',
  });
  t.throws(() => loop.update('lin', 'weight', { before } as never, [2, 2]), { code: 'INVALID_ARGUMENT' });
  t.end();
});

t.test('NaN/Inf entries are counted, reported, and warned about once per tensor per epoch', (t) => {
  const loop = new LoopAdapter();
  const { bus, seen } = wire(loop, [{ select: { of: 'output', modules: {} }, reduction: ACTIVE }]);
  const bad = new Float64Array([Number.NaN, 1, Number.POSITIVE_INFINITY, 0]);
  loop.output('relu1', bad, [2, 2], { kind: 'activation' });
  loop.output('relu1', bad, [2, 2]);
  const forwards = seen.filter((e) => e.type === 'output');
  const warnings = seen.filter((e) => e.type === 'warning');
  t.equal(forwards.length, 2, 'the tensor is still reported');
  const a = forwards[0] === undefined ? undefined : answer(forwards[0], ACTIVE);
  t.same(
    a?.op === 'activeCount' ? [[...a.counts], a.size, a.nonFinite] : null,
    [[0, 1], 2, 2],
    'NaN and Inf never count as active; they are counted apart',
  );
  t.equal(warnings.length, 1, 'one warning per tensor per epoch');
  const w = warnings[0];
  t.equal(w?.type === 'warning' ? w.code : null, 'NON_FINITE_INPUT');
  t.equal(w?.type === 'warning' ? w.module : null, 'relu1');
  t.match(w?.type === 'warning' ? w.message : '', /2 of 4 entries are NaN or infinite/);
  bus.flush();
  bus.tick();
  loop.output('relu1', bad, [2, 2]);
  t.equal(seen.filter((e) => e.type === 'warning').length, 2, 'warned again in the next epoch');
  t.end();
});

t.test('losses: reported with batch size and phase; a non-finite loss is reported and warned', (t) => {
  const loop = new LoopAdapter();
  const { seen } = wire(loop, []);
  loop.loss(0.5, { batchSize: 32 });
  loop.loss(Number.POSITIVE_INFINITY, { batchSize: 8, phase: 'val' });
  t.same(
    seen.map((e) =>
      e.type === 'loss' ? ['loss', e.value, e.batchSize, e.phase] : [e.type, e.type === 'warning' ? e.code : ''],
    ),
    [
      ['loss', 0.5, 32, 'train'],
      ['loss', Number.POSITIVE_INFINITY, 8, 'val'],
      ['warning', 'NON_FINITE_LOSS'],
    ],
  );
  t.end();
});

t.test('a new connection is a new run: learned modules are forgotten, declared ones kept', (t) => {
  const loop = new LoopAdapter([{ name: 'lin1', kind: 'linear', parameters: ['weight'] }]);
  const req: ReductionRequest[] = [{ select: { of: 'output', modules: {} }, reduction: { op: 'min' } }];
  // A declared adapter is strict, so declare a second adapter without modules for the on-the-fly half.
  const free = new LoopAdapter();
  wire(free, req);
  free.output('a', new Float32Array(1), [1, 1], { kind: 'activation' });
  free.output('b', new Float32Array(1), [1, 1]);
  const second = wire(free, req);
  free.output('b', new Float32Array(1), [1, 1], { kind: 'linear' }); // another model may call b something else
  t.same(
    free.modules.map((m) => [m.name, m.kind, m.order]),
    [['b', 'linear', 0]],
  );
  t.equal(second.seen.length, 1);
  wire(loop, req);
  wire(loop, req);
  t.same(
    loop.modules.map((m) => m.name),
    ['lin1'],
  );
  t.end();
});

t.test('connect replaces the previous connection', (t) => {
  const loop = new LoopAdapter();
  const req: ReductionRequest[] = [{ select: { of: 'output', modules: {} }, reduction: { op: 'sum' } }];
  const first = new EventEmitter<AdapterEvents>();
  const got: AdapterReport[] = [];
  first.on('report', (r) => got.push(r));
  loop.connect({ emitter: first, requests: req, clock: { epoch: 1, step: 0 } });
  const { seen } = wire(loop, req);
  loop.output('x', new Float32Array([1, 2]), [1, 2]);
  t.equal(got.length, 0);
  t.equal(seen.length, 1);
  t.equal(first.listenerCount('flush'), 0, 'the old emitter is left clean');
  t.end();
});
