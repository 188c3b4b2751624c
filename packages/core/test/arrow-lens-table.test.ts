import t from 'tap';
import { defineTable, plotSpecOf, type TableRow } from '@monitorch/core';
import { LensTable, rowsToRecordBatch } from '@monitorch/core/internals';
import { PROBE, expectedRows, plainRows, probeRows } from './arrow-fixtures.js';

const SMALL = defineTable(
  'small',
  [{ name: 'channels', type: 'int32list', nullable: true, description: 'Some indices.' }],
  { panels: [{ title: 'x', size: 'big', kind: 'numerical', quantities: ['q'], line: 'mean' }] },
);

function smallRow(e: number): TableRow {
  return {
    epoch: e,
    phase: e % 2 === 0 ? 'train' : 'val',
    module: 'm',
    quantity: 'q',
    mean: e / 8,
    std: e % 3 === 0 ? null : 1,
    count: e,
    channels: e % 5 === 0 ? null : [e, -e],
  };
}

/** `smallRow(e)` as read back: the cells left out (min, max) are null. */
function smallExpected(e: number): Record<string, unknown> {
  return { min: null, max: null, ...smallRow(e) };
}

t.test('10,000 single-row appends: every row, in order, in a few compacted batches', (t) => {
  const table = new LensTable(SMALL);
  for (let e = 1; e <= 10000; e++) table.append(rowsToRecordBatch(SMALL, [smallRow(e)]));
  t.equal(table.rowCount, 10000);
  const arrow = table.toTable();
  t.equal(arrow.numRows, 10000);
  // 10,000 = 2·64² + 28·64 + 16: two batches of 4096 rows, 28 of 64 and 16 single rows.
  t.equal(arrow.batches.length, 2 + 28 + 16, 'batches are compacted 64 at a time');
  const epochs = arrow.getChild('epoch')!.toArray() as Int32Array;
  t.ok(
    epochs.every((e, i) => e === i + 1),
    'epochs 1..10000 in order',
  );
  const rows = plainRows(arrow);
  for (const i of [0, 1, 2, 4, 63, 64, 4095, 4096, 8191, 8192, 9999]) {
    t.same(rows[i], smallExpected(i + 1), `row ${i} survived compaction`);
  }
  t.equal(arrow.getChild('std')!.nullCount, Math.floor(10000 / 3));
  t.equal(arrow.getChild('channels')!.nullCount, 10000 / 5);
  t.same(plotSpecOf(arrow), SMALL.plot, 'the table carries the plot metadata');
  t.end();
});

t.test('maxRows keeps only the newest rows; memory stays within bounds', (t) => {
  const table = new LensTable(PROBE, { maxRows: 100 });
  for (let e = 1; e <= 1000; e++) table.append(rowsToRecordBatch(PROBE, probeRows(e)));
  t.equal(table.rowCount, 100);
  t.equal(table.appendedRowCount, 3000);
  const rows = plainRows(table.toTable());
  // 3000 rows appended, the last 100 kept: rows 2900..2999, i.e. the last row of epoch 967
  // (rows 2898..2900) and all of epochs 968..1000.
  t.same(rows, [...expectedRows(967).slice(2), ...Array.from({ length: 33 }, (_, i) => expectedRows(968 + i)).flat()]);
  t.ok(table.toTable().batches.length <= 64, 'few batches');
  t.end();
});

t.test('maxRows with single-row appends keeps the newest rows across compactions', (t) => {
  const table = new LensTable(SMALL, { maxRows: 130 });
  for (let e = 1; e <= 5000; e++) {
    table.append(rowsToRecordBatch(SMALL, [smallRow(e)]));
    if (e === 129 || e === 130 || e === 131 || e === 4097) {
      const epochs = [...(table.toTable().getChild('epoch')!.toArray() as Int32Array)];
      const from = Math.max(1, e - 129);
      t.same(
        epochs,
        Array.from({ length: e - from + 1 }, (_, i) => from + i),
        `after ${e} appends`,
      );
    }
  }
  t.same(
    plainRows(table.toTable()),
    Array.from({ length: 130 }, (_, i) => smallExpected(4871 + i)),
  );
  t.end();
});

t.test('an empty table has the schema and no rows; bad input is refused', (t) => {
  const table = new LensTable(PROBE);
  t.equal(table.toTable().numRows, 0);
  t.same(
    table.toTable().schema.fields.map((f) => f.name),
    PROBE.columns.map((c) => c.name),
  );
  t.same(plotSpecOf(table.toTable()), PROBE.plot);
  table.append(rowsToRecordBatch(PROBE, []));
  t.equal(table.rowCount, 0);
  t.throws(() => table.append(rowsToRecordBatch(SMALL, [smallRow(1)])), {
    code: 'INVALID_ARGUMENT',
    message: /The batch for table "probe" has the columns/,
  });
  t.throws(() => new LensTable(PROBE, { maxRows: 0 }), {
    code: 'INVALID_ARGUMENT',
    message: /maxRows must be a positive integer/,
  });
  t.throws(() => new LensTable(PROBE, { maxRows: 2.5 }), { code: 'INVALID_ARGUMENT' });
  t.end();
});
