import t from 'tap';
import {
  Bus,
  LoopAdapter,
  reductionKey,
  type MonitorEvent,
  type Reduction,
  type ReductionRequest,
  type ReductionResult,
} from '@monitorch/core';

/** Connects `loop` to a fresh bus with `requests` and records every event. */
function wire(loop: LoopAdapter, requests: readonly ReductionRequest[]): { bus: Bus; seen: MonitorEvent[] } {
  const bus = new Bus();
  const seen: MonitorEvent[] = [];
  bus.events$.subscribe((e) => seen.push(e));
  loop.connect({ emitter: bus.emitter, requests, clock: bus });
  return { bus, seen };
}

const DOT: Reduction = { op: 'previousDot' };
const L2: Reduction = { op: 'l2' };

function answers(seen: MonitorEvent[], r: Reduction): ReductionResult[] {
  return seen.flatMap((e) => {
    const a = 'reductions' in e ? e.reductions.get(reductionKey(r)) : undefined;
    return a === undefined ? [] : [a];
  });
}

t.test('an unwatched report is not reduced at all (a kernel that would throw is never called)', (t) => {
  const loop = new LoopAdapter();
  const { bus } = wire(loop, [
    {
      select: { of: 'parameter', parameters: ['bias'] },
      reduction: { op: 'singularRatio' },
      sampling: { everyEpochs: 2 },
    },
  ]);
  t.throws(() => loop.parameter('fc', 'bias', Float32Array.from([1, 2]), [2]), { code: 'INVALID_ARGUMENT' }, 'epoch 1');
  bus.tick();
  t.doesNotThrow(() => loop.parameter('fc', 'bias', Float32Array.from([1, 2]), [2]), 'epoch 2 is not watched');
  t.end();
});

t.test('two requests, two samplings: each reduction is computed at the steps its requests watch', (t) => {
  const loop = new LoopAdapter();
  const { seen } = wire(loop, [
    { select: { of: 'gradient', parameters: ['w'] }, reduction: L2, sampling: { everySteps: 2 } },
    { select: { of: 'gradient', parameters: ['w'] }, reduction: DOT, sampling: { everySteps: 3 } },
  ]);
  for (let s = 0; s < 7; s++) {
    loop.gradient('fc', 'w', Float32Array.from([s + 1, 0]), [2]);
    loop.step();
  }
  t.same(
    answers(seen, L2).map((a) => (a.op === 'l2' ? a.value : -1)),
    [1, 3, 5, 7],
    'steps 0, 2, 4, 6',
  );
  const dots = answers(seen, DOT).map((a) => (a.op === 'previousDot' ? [a.norm, a.previousNorm] : []));
  t.same(
    dots,
    [
      [1, 0],
      [4, 1],
      [7, 4],
    ],
    'steps 0, 3, 6: the previous tensor is the last watched one',
  );
  t.end();
});

t.test('previous tensors: kept per phase, dropped when the shape changes and when a run starts', (t) => {
  const loop = new LoopAdapter();
  const request: ReductionRequest = { select: { of: 'output', modules: {}, phases: ['train', 'val'] }, reduction: DOT };
  let { seen } = wire(loop, [request]);
  loop.output('a', Float32Array.from([1, 0]), [1, 2]);
  loop.output('a', Float32Array.from([0, 5]), [1, 2], { phase: 'val' });
  loop.output('a', Float32Array.from([2, 0]), [1, 2]);
  loop.output('a', Float32Array.from([1, 1, 1]), [1, 3]);
  const got = answers(seen, DOT).map((a) => (a.op === 'previousDot' ? [a.dot, a.previousNorm] : []));
  t.same(
    got,
    [
      [0, 0],
      [0, 0],
      [2, 1],
      [0, 0],
    ],
    'val has its own previous; a new shape starts over',
  );
  ({ seen } = wire(loop, [request]));
  loop.output('a', Float32Array.from([1, 1, 1]), [1, 3]);
  t.same(
    answers(seen, DOT).map((a) => (a.op === 'previousDot' ? a.previousNorm : -1)),
    [0],
    'a new run forgets the previous run',
  );
  t.end();
});

t.test('update ratio of a zero-initialised bias: +Infinity, no NON_FINITE_INPUT warning', (t) => {
  const loop = new LoopAdapter();
  const { seen } = wire(loop, [{ select: { of: 'update', parameters: ['bias'] }, reduction: { op: 'updateRatio' } }]);
  loop.update('fc', 'bias', { before: new Float32Array(2), after: Float32Array.from([0.1, 0]) }, [2]);
  loop.step(); // a module's first-step parameter reports wait for its parameter list
  t.same(
    answers(seen, { op: 'updateRatio' }).map((a) => (a.op === 'updateRatio' ? a.value : -1)),
    [Number.POSITIVE_INFINITY],
  );
  t.notOk(seen.some((e) => e.type === 'warning'));
  t.end();
});
