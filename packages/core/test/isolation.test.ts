import t from 'tap';
import type { MonitorchError } from '@monitorch/core';
import { Inspector, LoopAdapter, type Lens, type TableRow } from '@monitorch/core';
import { ProbeLens } from './fixtures/probe-lens.js';

/** A lens built from a probe with one method replaced. */
function broken(id: string, patch: Partial<Record<keyof Lens, unknown>>): Lens {
  const lens = new ProbeLens({ id, metrics: ['acc'] });
  return Object.assign(lens, patch) as Lens;
}

async function runWith(
  bad: Lens,
): Promise<{ good: ProbeLens; errors: MonitorchError[]; logged: string[]; inspector: Inspector }> {
  const good = new ProbeLens({ id: 'good', metrics: ['acc'] });
  const logged: string[] = [];
  const inspector = new Inspector({ lenses: [bad, good], logger: { warn: (m: string) => logged.push(m) } });
  const errors: MonitorchError[] = [];
  inspector.errors$.subscribe((e) => errors.push(e));
  const loop = new LoopAdapter();
  inspector.attach(loop);
  for (let epoch = 0; epoch < 3; epoch++) {
    for (let step = 0; step < 20; step++) {
      loop.output('relu', Float64Array.from([1, 0]), [1, 2], { kind: 'activation' });
      loop.loss(step);
      loop.step();
    }
    inspector.pushMetric('acc', epoch);
    await inspector.tickEpoch();
  }
  return { good, errors, logged, inspector };
}

const cases: [string, Partial<Record<keyof Lens, unknown>>, string][] = [
  [
    'throws a string in foldLoss',
    {
      foldLoss: () => {
        // A lens written in plain JavaScript may throw anything; the guard must report it too.
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw 'plain string';
      },
    },
    'foldLoss',
  ],
  [
    'throws in foldStep',
    {
      foldStep: () => {
        throw new RangeError('step');
      },
    },
    'foldStep',
  ],
  [
    'throws in reset',
    {
      reset: () => {
        throw new Error('reset');
      },
    },
    'reset',
  ],
  [
    'throws in acceptsMetric',
    {
      acceptsMetric: () => {
        throw new Error('accepts');
      },
    },
    'acceptsMetric',
  ],
  ['returns rows that do not fit its table', { tick: (): TableRow[] => [{ epoch: 'one', phase: 3 }] }, 'tick'],
  ['returns something that is not rows', { tick: () => 42 }, 'tick'],
];

for (const [what, patch, method] of cases) {
  t.test(`a lens that ${what}: the loop and the other lenses go on, the user is told once`, async (t) => {
    const { good, errors, logged, inspector } = await runWith(broken('bad', patch));
    const table = inspector
      .table(good)
      .toArray()
      .map((r) => (r as { toJSON(): Record<string, unknown> }).toJSON());
    t.same(
      table.map((r) => [r['epoch'], r['quantity'], r['count']]),
      [
        [1, 'active', 40],
        [1, 'loss', 20],
        [1, 'acc', 1],
        [2, 'active', 40],
        [2, 'loss', 20],
        [2, 'acc', 1],
        [3, 'active', 40],
        [3, 'loss', 20],
        [3, 'acc', 1],
      ],
      'the good lens has every row',
    );
    t.ok(errors.length >= 1);
    t.ok(
      errors.every((e) => e.code === 'LENS_FAILED' && e.details['lens'] === 'bad'),
      'errors name the lens',
    );
    t.equal(errors[0]?.details['method'], method);
    t.equal(logged.length, 1, 'one logged warning');
    t.match(logged[0], /"bad" failed/);
    await inspector.close();
  });
}
