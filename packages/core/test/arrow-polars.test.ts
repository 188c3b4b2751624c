// The run files are for other Arrow implementations too: polars (Rust arrow2/polars-arrow
// underneath) must read the .arrow file and the .arrows stream with the same values.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import pl from 'nodejs-polars';
import { RunWriter, rowsToRecordBatch } from '@monitorch/core/internals';
import { PROBE, expectedRows, probeRows, tempDir } from './arrow-fixtures.js';

/** Polars' records with list cells as plain arrays. */
function records(df: pl.DataFrame): Record<string, unknown>[] {
  return df.toRecords().map((row) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row))
      out[k] = v !== null && typeof v === 'object' && Symbol.iterator in v ? Array.from(v as Iterable<number>) : v;
    return out;
  });
}

function checkFrame(t: Test, df: pl.DataFrame, epochs: number[], label: string): void {
  const expected = epochs.flatMap(expectedRows);
  t.same(
    df.columns,
    PROBE.columns.map((c) => c.name),
    `${label}: column names in order`,
  );
  t.same(
    df.dtypes.map(String),
    [
      'Int32',
      'String',
      'String',
      'String',
      'Float64',
      'Float64',
      'Float64',
      'Float64',
      'Int32',
      'Bool',
      'String',
      'Int32',
      'List(Int32)',
      'Int32',
    ].map((d) => `DataType(${d === 'List(Int32)' ? 'List(DataType(Int32))' : d})`),
    `${label}: dtypes`,
  );
  t.equal(df.height, expected.length, `${label}: row count`);
  t.same(records(df), expected, `${label}: values`);
  for (const c of PROBE.columns) {
    const nulls = df.getColumn(c.name).isNull().toArray();
    t.same(
      nulls,
      expected.map((r) => r[c.name] === null),
      `${label}: null positions of ${c.name}`,
    );
  }
  t.ok(Object.is(df.getColumn('min').toArray()[0], -0), `${label}: -0 keeps its sign`);
  t.equal(df.getColumn('mean').toArray()[1], 5e-324, `${label}: subnormal`);
  t.equal(df.getColumn('max').toArray()[1], Infinity, `${label}: infinity`);
}

t.test('polars reads the closed run (.arrow via readIPC, .arrows via readIPCStream)', (t) => {
  const dir = tempDir('polars');
  const writer = RunWriter.open(dir, [PROBE]);
  for (let e = 1; e <= 3; e++) writer.append('probe', rowsToRecordBatch(PROBE, probeRows(e)));
  writer.close();
  checkFrame(t, pl.readIPC(readFileSync(join(dir, 'probe.arrow'))), [1, 2, 3], '.arrow');
  checkFrame(t, pl.readIPCStream(readFileSync(join(dir, 'probe.arrows'))), [1, 2, 3], '.arrows');
  t.end();
});

t.test('polars reads the stream of a run that was never closed (no end-of-stream marker)', (t) => {
  const dir = tempDir('polars-open');
  const writer = RunWriter.open(dir, [PROBE]);
  for (let e = 1; e <= 2; e++) writer.append('probe', rowsToRecordBatch(PROBE, probeRows(e)));
  checkFrame(t, pl.readIPCStream(readFileSync(join(dir, 'probe.arrows'))), [1, 2], 'open .arrows');
  writer.close();
  t.end();
});
