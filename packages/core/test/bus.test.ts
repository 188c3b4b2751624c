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
  t.same(seen.map((e) => [e.type, e.epoch, e.step, e.phase]), [
    ['loss', 1, 0, 'train'],
    ['step', 1, 1, 'train'],
    ['loss', 1, 1, 'val'],
    ['epoch', 1, 1, 'train'],
    ['metric', 2, 1, 'train'],
  ]);
  t.end();
});
