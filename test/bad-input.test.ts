// Bad inputs found by probing the library from outside: each one gets a typed error at the call
// (or is reported and skipped), and nothing already recorded is lost.
import t from 'tap';
import {
  Inspector,
  LoopAdapter,
  MonitorchError,
  defineTable,
  type Adapter,
  type AdapterConnection,
  type Lens,
  type ReductionRequest,
  type TableRow,
} from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof MonitorchError ? e.code : `untyped: ${String(e)}`;
  }
  return undefined;
}

function rowsOf(inspector: Inspector, lens: Lens): Record<string, unknown>[] {
  return inspector
    .table(lens)
    .toArray()
    .map((r: { toJSON(): Record<string, unknown> }) => ({ ...r.toJSON() }));
}

t.test('pushLoss refuses null, strings, booleans and bad phases; the valid losses keep their mean', async (t) => {
  const lens = new LossMetrics();
  const inspector = new Inspector({ lenses: [lens], logger: null });
  inspector.attach(new LoopAdapter());
  inspector.pushLoss(0.5);
  t.equal(
    codeOf(() => inspector.pushLoss(null as unknown as number)),
    'INVALID_ARGUMENT',
    'null is not 0',
  );
  t.equal(
    codeOf(() => inspector.pushLoss('0.3' as unknown as number)),
    'INVALID_ARGUMENT',
  );
  t.equal(
    codeOf(() => inspector.pushLoss(true as unknown as number)),
    'INVALID_ARGUMENT',
  );
  t.equal(
    codeOf(() => inspector.pushLoss(0.1, { phase: 7 as unknown as string })),
    'INVALID_ARGUMENT',
  );
  t.equal(
    codeOf(() => inspector.pushLoss(0.1, { batchSize: -2 })),
    'INVALID_ARGUMENT',
  );
  inspector.pushLoss(0);
  await inspector.tickEpoch();
  const train = rowsOf(inspector, lens).find((r) => r['phase'] === 'train' && r['quantity'] === 'loss');
  t.equal(train?.['mean'], 0.25, 'mean of 0.5 and 0: nothing bad was counted');
  t.equal(train?.['count'], 2);
  await inspector.close();
});

t.test('pushMetric refuses non-numbers and bad names before any lens sees them', async (t) => {
  const lens = new LossMetrics({ metrics: ['val_accuracy'] });
  const inspector = new Inspector({ lenses: [lens], logger: null });
  inspector.attach(new LoopAdapter());
  inspector.pushLoss(1);
  inspector.pushMetric('val_accuracy', 0.75);
  t.equal(
    codeOf(() => inspector.pushMetric('val_accuracy', null as unknown as number)),
    'INVALID_ARGUMENT',
  );
  t.equal(
    codeOf(() => inspector.pushMetric('val_accuracy', 'high' as unknown as number)),
    'INVALID_ARGUMENT',
  );
  t.equal(
    codeOf(() => inspector.pushMetric(3 as unknown as string, 1)),
    'INVALID_ARGUMENT',
  );
  t.equal(
    codeOf(() => inspector.pushMetric('val_accuracy', 1, { phase: false as unknown as string })),
    'INVALID_ARGUMENT',
  );
  const errors: string[] = [];
  inspector.errors$.subscribe((e) => errors.push(e.code));
  await inspector.tickEpoch();
  t.same(errors, [], 'the tick fails nothing: the table has its rows');
  const metric = rowsOf(inspector, lens).find((r) => r['quantity'] === 'val_accuracy');
  t.equal(metric?.['mean'], 0.75);
  await inspector.close();
});

t.test('shapes that would spin or exhaust memory are typed errors before any loop or allocation', async (t) => {
  const inspector = new Inspector({ lenses: [new OutputActivation()], logger: null });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  const started = Date.now();
  t.equal(
    codeOf(() => loop.output('r', new Float32Array(0), [1e15, 0, 2], { kind: 'activation' })),
    'INVALID_ARGUMENT',
  );
  t.ok(Date.now() - started < 1000, 'answered at once');
  t.equal(
    codeOf(() => loop.output('r', new Float32Array(0), [0, 2 ** 32], { kind: 'activation' })),
    'INVALID_ARGUMENT',
  );
  t.equal(
    codeOf(() => loop.output('r', new Float32Array(0), [2 ** 53, 0], { kind: 'activation' })),
    'INVALID_ARGUMENT',
  );
  loop.output('r', new Float32Array([1, 0]), [1, 2], { kind: 'activation' });
  await inspector.tickEpoch();
  await inspector.close();
});

/** A lens whose one request is broken, as untyped code could write it. */
class BogusLens implements Lens {
  readonly id = 'bogus';
  readonly requests = [
    { select: { of: 'output', modules: {} }, reduction: { op: 'bogus' } } as unknown as ReductionRequest,
  ];
  readonly table = defineTable('bogus', [], { panels: [] });
  folded = 0;
  reset(): void {}
  foldOutput(): void {
    this.folded += 1;
  }
  tick(): TableRow[] {
    return [];
  }
}

t.test('a lens with an invalid request is named at attach and skipped; the other lenses get their rows', async (t) => {
  const bogus = new BogusLens();
  const good = new OutputActivation();
  const inspector = new Inspector({ lenses: [bogus, good], logger: null });
  const errors: MonitorchError[] = [];
  inspector.errors$.subscribe((e) => errors.push(e));
  const loop = new LoopAdapter();
  inspector.attach(loop);
  t.equal(errors.length, 1);
  t.equal(errors[0]?.code, 'INVALID_ARGUMENT');
  t.match(errors[0]?.message, /Lens "bogus".*"bogus" is not one of/);
  t.same(
    inspector.requests.map((r) => r.reduction.op),
    ['activeCount'],
    'only the good lens is asked for',
  );
  loop.output('relu1', new Float32Array([1, 0, 0, 0]), [2, 2], { kind: 'activation' });
  await inspector.tickEpoch();
  t.equal(bogus.folded, 0);
  t.equal(rowsOf(inspector, good).find((r) => r['quantity'] === 'activation_rate')?.['mean'], 0.25);
  await inspector.close();
});

t.test('an adapter attached to a second Inspector is refused until the first lets go', async (t) => {
  const a = new Inspector({ lenses: [new LossMetrics()], logger: null });
  const b = new Inspector({ lenses: [new LossMetrics()], logger: null });
  const loop = new LoopAdapter();
  a.attach(loop);
  t.equal(
    codeOf(() => b.attach(loop)),
    'ADAPTER_IN_USE',
  );
  t.ok(a.attached && !b.attached, 'the first keeps it');
  loop.loss(0.5);
  a.detach();
  b.attach(loop);
  t.ok(b.attached);
  a.attach(new LoopAdapter()); // A itself may go on with another adapter
  t.ok(a.attached);
  await a.close();
  await b.close();
});

t.test(
  'warning codes reach errors$ as they were sent; an unknown code from untyped code is BACKEND_FAILED',
  async (t) => {
    let connection: AdapterConnection | undefined;
    const adapter: Adapter = {
      connect: (c) => {
        connection = c;
      },
      disconnect: () => undefined,
    };
    const inspector = new Inspector({ lenses: [new LossMetrics()], logger: null });
    const seen: MonitorchError[] = [];
    inspector.errors$.subscribe((e) => seen.push(e));
    inspector.attach(adapter);
    connection?.emitter.emit('report', { type: 'warning', code: 'DEVICE_FALLBACK', message: 'webgpu failed; cpu' });
    connection?.emitter.emit('report', {
      type: 'warning',
      code: 'SOMETHING_ELSE' as unknown as 'DEVICE_FALLBACK',
      message: 'x',
    });
    t.same(
      seen.map((e) => e.code),
      ['DEVICE_FALLBACK', 'BACKEND_FAILED'],
    );
    t.equal(seen[1]?.details['code'], 'SOMETHING_ELSE');
    await inspector.close();
  },
);
