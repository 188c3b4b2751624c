import t from 'tap';
import { Bus, type MonitorEvent } from '@monitorch/core';

t.test('the bus stamps reports with epoch, step and phase', (t) => {
  const bus = new Bus();
  const seen: MonitorEvent[] = [];
  bus.events$.subscribe((e) => seen.push(e));
  bus.emitter.emit('report', { type: 'loss', value: 0.5, batchSize: 4 });
  bus.emitter.emit('report', { type: 'step' });
  bus.emitter.emit('report', { type: 'loss', value: 0.25, batchSize: 4, phase: 'val' });
  bus.tick();
  bus.emitter.emit('report', { type: 'metric', name: 'acc', value: 1 });
  t.same(
    seen.map((e) => [e.type, e.epoch, e.step, e.phase]),
    [
      ['loss', 1, 0, 'train'],
      ['step', 1, 1, 'train'],
      ['loss', 1, 1, 'val'],
      ['epoch', 1, 1, 'train'],
      ['metric', 2, 1, 'train'],
    ],
  );
  t.end();
});

t.test('one stream per event kind; warnings are stamped but do not count as data', (t) => {
  const bus = new Bus();
  const kinds: string[] = [];
  bus.output$.subscribe((e) => kinds.push(`forward:${e.module.name}`));
  bus.gradient$.subscribe((e) => kinds.push(`gradient:${e.parameter}`));
  bus.outputGradient$.subscribe(() => kinds.push('outputGradient'));
  bus.update$.subscribe(() => kinds.push('update'));
  bus.step$.subscribe((e) => kinds.push(`step:${e.step}`));
  bus.loss$.subscribe((e) => kinds.push(`loss:${e.value}`));
  bus.metric$.subscribe((e) => kinds.push(`metric:${e.name}`));
  bus.epoch$.subscribe((e) => kinds.push(`epoch:${e.epoch}`));
  bus.warning$.subscribe((e) => kinds.push(`warning:${e.code}:${e.epoch}`));
  const module = { name: 'lin1', kind: 'linear' as const, type: 'Linear', parameters: [], order: 0 };
  const reductions = new Map();
  bus.publish({ type: 'output', module, shape: [1], reductions });
  bus.publish({ type: 'gradient', module, parameter: 'weight', shape: [1], reductions });
  bus.publish({ type: 'outputGradient', module, shape: [1], reductions });
  bus.publish({ type: 'update', module, parameter: 'weight', shape: [1], reductions });
  bus.publish({ type: 'step' });
  t.equal(bus.reportsInEpoch, 5);
  bus.warn('NON_FINITE_INPUT', 'nan', 'lin1');
  bus.publish({ type: 'warning', code: 'NON_FINITE_LOSS', message: 'inf' });
  t.equal(bus.reportsInEpoch, 5, 'warnings are not data');
  bus.publish({ type: 'loss', value: 2, batchSize: 1 });
  bus.publish({ type: 'metric', name: 'acc', value: 1 });
  bus.tick();
  t.equal(bus.reportsInEpoch, 0);
  t.equal(bus.epoch, 2);
  t.same(kinds, [
    'forward:lin1',
    'gradient:weight',
    'outputGradient',
    'update',
    'step:1',
    'warning:NON_FINITE_INPUT:1',
    'warning:NON_FINITE_LOSS:1',
    'loss:2',
    'metric:acc',
    'epoch:1',
  ]);
  bus.restart();
  t.same([bus.epoch, bus.step, bus.reportsInEpoch], [1, 0, 0]);
  t.end();
});

t.test('flush asks the adapter to report what it holds; complete ends every stream', (t) => {
  const bus = new Bus();
  let flushed = 0;
  bus.emitter.on('flush', () => {
    flushed += 1;
  });
  bus.flush();
  t.equal(flushed, 1);
  let completed = 0;
  bus.events$.subscribe({
    complete: () => {
      completed += 1;
    },
  });
  bus.loss$.subscribe({
    complete: () => {
      completed += 1;
    },
  });
  bus.complete();
  t.equal(completed, 2);
  t.equal(bus.emitter.listenerCount('report'), 0, 'adapters can no longer report');
  t.end();
});
