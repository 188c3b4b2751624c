// Arrow run files of @monitorch/core: the per-epoch cost of turning a lens's rows into a
// record batch, appending it to the run file (flushed to disk before append returns) and to
// the in-memory LensTable, plus closing (the .arrow rewrite) and reading a run back.
// One epoch = 60 rows (20 layers × 3 quantities), like OutputActivation on a 20-layer net.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineTable, readRunSync } from '@monitorch/core';
import { LensTable, RunWriter, rowsToRecordBatch } from '@monitorch/core/internals';
import { areaOptions, isMain } from './cli.mjs';

const LAYERS = 20;
const QUANTITIES = ['activation_rate', 'dead_rate', 'saturation'];
const SPEC = defineTable(
  'bench-lens',
  [
    { name: 'median', type: 'float64', nullable: true, description: 'Median of the samples.' },
    { name: 'dead_channels', type: 'int32list', nullable: true, description: 'Channels that never fired.' },
  ],
  { panels: [{ title: 'Activation', size: 'small', kind: 'probability', quantities: QUANTITIES, line: 'mean' }] },
);

/** One epoch's rows: every layer × quantity, a few nulls and short lists like a real lens. */
function epochRows(epoch) {
  const rows = [];
  for (let l = 0; l < LAYERS; l++) {
    for (let q = 0; q < QUANTITIES.length; q++) {
      const x = ((epoch * 31 + l * 7 + q) % 97) / 97;
      rows.push({
        epoch,
        phase: 'train',
        module: `net.layer${l}.relu`,
        quantity: QUANTITIES[q],
        mean: x,
        std: x / 3,
        min: x / 4,
        max: Math.min(1, x * 2),
        count: 469,
        median: q === 2 ? null : x,
        dead_channels: q === 1 ? [l, l + 3, l + 9] : null,
      });
    }
  }
  return rows;
}

/** Seconds per call of `fn(i)` over `n` calls (after `warm` untimed calls). */
function perCall(n, fn, warm = Math.min(50, n)) {
  for (let i = 0; i < warm; i++) fn(i);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / 1e9 / n;
}

/** Runs the Arrow benchmarks, prints one line per figure and returns them. */
export async function run() {
  const rowsPerEpoch = LAYERS * QUANTITIES.length;
  const epochs = Array.from({ length: 64 }, (_, i) => epochRows(i + 1));
  const base = mkdtempSync(join(tmpdir(), 'monitorch-bench-arrow-'));
  try {
    const batchS = perCall(2000, (i) => rowsToRecordBatch(SPEC, epochs[i % 64]));
    const batches = epochs.map((rows) => rowsToRecordBatch(SPEC, rows));

    const measureWriter = (durable, n) => {
      const writer = RunWriter.open(join(base, durable ? 'fsync' : 'nosync'), [SPEC], { durable });
      const s = perCall(n, (i) => writer.append('bench-lens', batches[i % 64]), 10);
      const t0 = process.hrtime.bigint();
      writer.close();
      return { appendS: s, closeS: Number(process.hrtime.bigint() - t0) / 1e9, epochs: n + 10 };
    };
    const fsync = measureWriter(true, 300);
    const nosync = measureWriter(false, 2000);

    const table = new LensTable(SPEC);
    const lensS = perCall(10000, (i) => table.append(batches[i % 64]), 0);
    const t0 = process.hrtime.bigint();
    const arrowTable = table.toTable();
    const toTableS = Number(process.hrtime.bigint() - t0) / 1e9;

    const t1 = process.hrtime.bigint();
    const read = readRunSync(join(base, 'nosync')).get('bench-lens');
    const readS = Number(process.hrtime.bigint() - t1) / 1e9;

    const endToEndS = batchS + fsync.appendS + lensS;
    const r = {
      rowsPerEpoch,
      batchRowsPerSec: rowsPerEpoch / batchS,
      batchMsPerEpoch: batchS * 1e3,
      appendFsyncMsPerEpoch: fsync.appendS * 1e3,
      appendNoFsyncMsPerEpoch: nosync.appendS * 1e3,
      lensTableMsPerEpoch: lensS * 1e3,
      lensTableRowsPerSec: rowsPerEpoch / lensS,
      epochMsEndToEnd: endToEndS * 1e3,
      rowsPerSecEndToEnd: rowsPerEpoch / endToEndS,
      rowsPerSecNoFsync: rowsPerEpoch / (batchS + nosync.appendS + lensS),
      closeMs: { epochs: nosync.epochs, ms: nosync.closeS * 1e3 },
      readRunMs: { rows: read?.numRows ?? 0, ms: readS * 1e3 },
      toTableMs: { rows: arrowTable.numRows, batches: arrowTable.batches.length, ms: toTableS * 1e3 },
    };
    const f = (x, d = 3) => x.toFixed(d);
    console.log(
      `arrow append: ${Math.round(r.rowsPerSecEndToEnd)} rows/s (one ${rowsPerEpoch}-row epoch in ${f(r.epochMsEndToEnd)} ms: ` +
        `rowsToRecordBatch ${f(r.batchMsPerEpoch)} ms + RunWriter.append with fsync ${f(r.appendFsyncMsPerEpoch)} ms + LensTable.append ${f(r.lensTableMsPerEpoch)} ms)`,
    );
    console.log(
      `arrow append without fsync: ${Math.round(r.rowsPerSecNoFsync)} rows/s (RunWriter.append ${f(r.appendNoFsyncMsPerEpoch)} ms per epoch; durable: false)`,
    );
    console.log(
      `arrow rowsToRecordBatch: ${Math.round(r.batchRowsPerSec)} rows/s; LensTable.append: ${Math.round(r.lensTableRowsPerSec)} rows/s`,
    );
    console.log(
      `arrow close (.arrow rewrite) of ${r.closeMs.epochs} epochs: ${f(r.closeMs.ms, 1)} ms; readRunSync of ${r.readRunMs.rows} rows: ${f(r.readRunMs.ms, 1)} ms; ` +
        `LensTable.toTable of ${r.toTableMs.rows} rows in ${r.toTableMs.batches} batches: ${f(r.toTableMs.ms, 2)} ms`,
    );
    return r;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url))
  await run(areaOptions('arrow', 'Arrow run files: per-epoch append, close and read-back times.'));
