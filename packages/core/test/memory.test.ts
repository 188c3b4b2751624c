// Memory stays flat over a long run when tables keep a bounded window in memory. The full
// acceptance run (10,000 epochs × 20 layers with the three real lenses) takes minutes on a slow
// machine and lives in bench/memory.mjs; this test runs the same shape with three small lenses
// and fewer epochs, and checks that the measurement can see growth (the unbounded run grows).
import t from 'tap';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Inspector, LoopAdapter, type InspectorOptions } from '@monitorch/core';
import { ProbeLens } from './fixtures/probe-lens.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapMB(): number {
  gc();
  gc();
  // Arrow keeps column data in ArrayBuffers, which live outside the JS heap: count both.
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
}

/** Runs `epochs` epochs of 20 layers; returns the heap after GC at `from` and at the end. */
async function longRun(
  epochs: number,
  from: number,
  keep: InspectorOptions['keepInMemory'],
): Promise<{ start: number; end: number; rows: number }> {
  const lenses = [new ProbeLens({ id: 'a', metrics: ['acc'] }), new ProbeLens({ id: 'b' }), new ProbeLens({ id: 'c' })];
  const inspector = new Inspector({ lenses, logger: null, ...(keep === undefined ? {} : { keepInMemory: keep }) });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  const out = new Float32Array(8);
  const grad = new Float32Array(16);
  let start = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (let i = 0; i < out.length; i++) out[i] = (epoch + i) % 3 === 0 ? 0 : i;
    for (let l = 0; l < 20; l++) loop.output(`layer${l}`, out, [2, 4], { kind: l % 2 === 0 ? 'linear' : 'activation' });
    for (let l = 18; l >= 0; l -= 2) loop.gradient(`layer${l}`, 'weight', grad, [4, 4]);
    loop.loss(1 / epoch);
    loop.step();
    inspector.pushMetric('acc', epoch);
    await inspector.tickEpoch();
    if (epoch === from) start = heapMB();
  }
  const end = heapMB();
  const rows = [...inspector.allTables().values()].reduce((n, table) => n + table.numRows, 0);
  await inspector.close();
  return { start, end, rows };
}

t.test('a long run with a bounded in-memory window keeps the heap flat', async (t) => {
  const epochs = 3000;
  const bounded = await longRun(epochs, 1000, { maxRows: 500 });
  t.equal(bounded.rows, 3 * 500, 'each table keeps its newest 500 rows');
  const growth = bounded.end - bounded.start;
  t.comment(
    `bounded: heap ${bounded.start.toFixed(2)} MB at epoch 1,000, ${bounded.end.toFixed(2)} MB at ${epochs} (growth ${growth.toFixed(2)} MB)`,
  );
  t.ok(growth < 1, `heap growth between epoch 1,000 and ${epochs} stays under 1 MB (was ${growth.toFixed(2)} MB)`);

  // The same run keeping every row must show growth, or the measurement above proves nothing.
  const unbounded = await longRun(epochs, 1000, undefined);
  t.equal(unbounded.rows, 3 * 12 * epochs, '12 rows per epoch per table (10 modules, loss, metric)');
  const kept = unbounded.end - unbounded.start;
  t.comment(`unbounded: growth ${kept.toFixed(2)} MB for ${3 * 12 * (epochs - 1000)} more rows`);
  t.ok(kept > growth + 1, `keeping every row grows the heap measurably (${kept.toFixed(2)} MB)`);
});
