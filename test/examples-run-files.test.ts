// The README's promises about run files and custom lenses, checked: a hand-written loop
// (LoopAdapter) with the custom OutputRms lens from examples/ writes Arrow files that polars
// reads back with exactly the README's code (nodejs-polars' readIPC treats a string not ending in
// .ipc as the file's contents, so the README passes it the bytes), and the numbers are the hand-computed ones.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import pl from 'nodejs-polars';
import { Inspector, LoopAdapter, readRun } from '@monitorch/core';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { OutputRms } from '@monitorch/examples/custom-lens';

/** Two epochs of two batches; outputs of two ReLU layers, shape [2 samples, 2 channels]. */
const EPOCHS: number[][][][] = [
  // epoch 1: relu1 batch 1 / batch 2, relu2 batch 1 / batch 2
  [
    [
      [1, 0, 2, 0],
      [0, 3, 0, 0],
    ],
    [
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ],
  ],
  // epoch 2
  [
    [
      [1, 1, 1, 1],
      [2, 0, 2, 0],
    ],
    [
      [0, 4, 0, 0],
      [0, 0, 0, 0],
    ],
  ],
];

async function writeRun(dir: string): Promise<void> {
  const inspector = new Inspector({ lenses: [new OutputActivation(), new OutputRms()], runDir: dir, logger: null });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  for (const [relu1, relu2] of EPOCHS) {
    for (let b = 0; b < 2; b++) {
      loop.output('relu1', Float32Array.from(relu1?.[b] ?? []), [2, 2], { kind: 'activation', type: 'ReLU' });
      loop.output('relu2', Float32Array.from(relu2?.[b] ?? []), [2, 2], { kind: 'activation', type: 'ReLU' });
      loop.loss(0.5, { batchSize: 2 });
      loop.step();
    }
    await inspector.tickEpoch();
  }
  await inspector.close();
}

t.test('polars reads the death rates the README way, with hand-computed values', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'monitorch-readme-'));
  await writeRun(dir);
  const df = pl.readIPC(readFileSync(join(dir, 'output-activation.arrow')));
  const wide = df
    .filter(pl.col('quantity').eq(pl.lit('death_rate')))
    .pivot('mean', { index: 'epoch', on: 'module' })
    .sort('epoch');
  // relu1, epoch 1: batch 1 channels (1,2 | 0,0) → channel 1 dead → 0.5; batch 2 (0,0 | 3,0) → channel 0 dead → 0.5.
  // relu1, epoch 2: batch 1 none dead → 0; batch 2 (2,2 | 0,0) → 0.5 → mean 0.25.
  // relu2, epoch 1: all zero → 1, 1 → 1; epoch 2: batch 1 (0,0 | 4,0) → 0.5, batch 2 → 1 → 0.75.
  t.same(wide.toRecords(), [
    { epoch: 1, relu1: 0.5, relu2: 1 },
    { epoch: 2, relu1: 0.25, relu2: 0.75 },
  ]);
  t.end();
});

t.test('the custom OutputRms lens writes per-layer RMS rows, read back by core and polars', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'monitorch-rms-'));
  await writeRun(dir);
  const tables = await readRun(dir);
  const rms = tables.get('output-rms');
  t.ok(rms, 'the run has the custom lens table');
  const rows = (rms?.toArray() ?? []).map(
    (r: {
      epoch: number;
      module: string;
      quantity: string;
      mean: number;
      min: number;
      max: number;
      count: number;
    }) => ({
      epoch: r.epoch,
      module: r.module,
      quantity: r.quantity,
      mean: r.mean,
      min: r.min,
      max: r.max,
      count: r.count,
    }),
  );
  // relu1 epoch 1: √((1+4)/4) = 1.1180…, √(9/4) = 1.5; epoch 2: √(4/4) = 1, √((4+4)/4) = √2.
  const r1e1 = [Math.sqrt(1.25), 1.5];
  const r1e2 = [1, Math.SQRT2];
  const r2e2 = [2, 0]; // √(16/4) = 2, then all zero
  const expected = [
    { epoch: 1, module: 'relu1', values: r1e1 },
    { epoch: 1, module: 'relu2', values: [0, 0] },
    { epoch: 2, module: 'relu1', values: r1e2 },
    { epoch: 2, module: 'relu2', values: r2e2 },
  ];
  t.equal(rows.length, expected.length);
  for (const e of expected) {
    const row = rows.find((r) => r.epoch === e.epoch && r.module === e.module);
    const mean = ((e.values[0] ?? 0) + (e.values[1] ?? 0)) / 2;
    t.equal(row?.quantity, 'rms');
    t.equal(row?.count, 2, `${e.module} epoch ${e.epoch}: one sample per batch`);
    t.ok(
      Math.abs((row?.mean ?? Number.NaN) - mean) < 1e-12,
      `${e.module} epoch ${e.epoch}: mean ${row?.mean} ≈ ${mean}`,
    );
    t.ok(Math.abs((row?.max ?? Number.NaN) - Math.max(...e.values)) < 1e-12, `${e.module} epoch ${e.epoch}: max`);
  }
  const viaPolars = pl
    .readIPC(readFileSync(join(dir, 'output-rms.arrow')))
    .filter(pl.col('module').eq(pl.lit('relu1')))
    .sort('epoch');
  const means = viaPolars.getColumn('mean').toArray() as number[];
  t.ok(Math.abs((means[1] ?? 0) - (1 + Math.SQRT2) / 2) < 1e-12, 'polars sees the same epoch-2 mean');
  t.end();
});
