import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { MonitorchError, plotSpecOf, readRun, readRunSync, tableSpecOf, type RunTableSource } from '@monitorch/core';
import { RunWriter, rowsToRecordBatch, schemaFor } from '@monitorch/core/internals';
import { PROBE, expectedRows, plainRows, probeRows, tempDir } from './arrow-fixtures.js';

t.test('schemaFor maps every column type, nullability, descriptions and the plot metadata', (t) => {
  const schema = schemaFor(PROBE);
  t.same(
    schema.fields.map((f) => [f.name, String(f.type), f.nullable]),
    [
      ['epoch', 'Int32', false],
      ['phase', 'Utf8', false],
      ['module', 'Utf8', false],
      ['quantity', 'Utf8', false],
      ['mean', 'Float64', true],
      ['std', 'Float64', true],
      ['min', 'Float64', true],
      ['max', 'Float64', true],
      ['count', 'Int32', false],
      ['dead', 'Bool', true],
      ['note', 'Utf8', true],
      ['rank', 'Int32', true],
      ['channels', 'List<Int32>', true],
      ['layer', 'Int32', false],
    ],
  );
  t.equal(schema.fields[12]?.metadata.get('description'), 'Indices of dead channels.');
  t.equal(schema.metadata.get('monitorch.table'), 'probe');
  t.equal(schema.metadata.get('monitorch.format'), '1');
  t.same(JSON.parse(schema.metadata.get('monitorch.plot') ?? 'null'), PROBE.plot);
  t.same(plotSpecOf(schema), PROBE.plot);
  t.same(tableSpecOf(schema), PROBE, 'the whole spec comes back from the schema');
  t.end();
});

t.test('rowsToRecordBatch writes values and nulls', (t) => {
  const batch = rowsToRecordBatch(PROBE, probeRows(4));
  t.equal(batch.numRows, 3);
  t.same(batch.schema.fields.map(String), schemaFor(PROBE).fields.map(String));
  t.same([...batch.schema.metadata], [...schemaFor(PROBE).metadata]);
  t.same(plainRows(batch as never), expectedRows(4));
  t.equal(batch.getChild('mean')?.nullCount, 0);
  t.equal(batch.getChild('std')?.nullCount, 2, 'explicit null and missing key');
  t.equal(batch.getChild('rank')?.nullCount, 1, 'missing key');
  t.equal(batch.getChild('note')?.nullCount, 2);
  t.equal(batch.getChild('dead')?.nullCount, 1);
  t.equal(batch.getChild('channels')?.nullCount, 1);
  t.ok(Object.is(batch.getChild('min')?.get(0), -0), '-0 keeps its sign');
  t.equal(batch.getChild('layer')?.get(2), -2147483648);
  t.equal(rowsToRecordBatch(PROBE, []).numRows, 0, 'no rows is a valid, empty batch');
  t.end();
});

t.test('bad rows are refused with the table, column, row and what was expected', (t) => {
  const rows = probeRows(1);
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      'missing non-nullable',
      { ...rows[0], layer: undefined },
      /Table "probe", column "layer", row 1: expected an integer in the int32 range \(the column is not nullable\), got nothing/,
    ],
    [
      'null non-nullable',
      { ...rows[0], phase: null },
      /column "phase", row 1: expected a string \(the column is not nullable\), got null/,
    ],
    [
      'fraction in int32',
      { ...rows[0], count: 2.5 },
      /column "count", row 1: expected an integer in the int32 range \(the column is not nullable\), got number 2.5/,
    ],
    [
      'int32 overflow',
      { ...rows[0], rank: 2147483648 },
      /column "rank", row 1: expected an integer in the int32 range or null/,
    ],
    [
      'string in float64',
      { ...rows[0], mean: '0.5' },
      /column "mean", row 1: expected a number or null, got the string "0.5"/,
    ],
    ['number in bool', { ...rows[0], dead: 1 }, /column "dead", row 1: expected a boolean or null, got number 1/],
    ['float in list', { ...rows[0], channels: [1, 1.5] }, /column "channels", row 1: expected an array of integers/],
    ['unknown key', { ...rows[0], maen: 3 }, /row 1: "maen" is not a column of this table/],
  ];
  for (const [label, bad, message] of cases) {
    try {
      rowsToRecordBatch(PROBE, [rows[1] as never, bad as never]);
      t.fail(`${label}: no error`);
    } catch (e) {
      t.ok(e instanceof MonitorchError && e.code === 'INVALID_ARGUMENT', `${label}: INVALID_ARGUMENT`);
      t.match((e as Error).message, message, label);
    }
  }
  t.end();
});

t.test('three epochs written and closed read back identical, from .arrow, with the plot metadata', async (t) => {
  const dir = join(tempDir('roundtrip'), 'nested', 'run');
  const writer = RunWriter.open(dir, [PROBE]);
  for (let e = 1; e <= 3; e++) writer.append('probe', rowsToRecordBatch(PROBE, probeRows(e)));

  const during = new Map<string, RunTableSource>();
  const live = await readRun(dir, during);
  t.equal(during.get('probe')?.format, 'stream', 'before close the stream file is read');
  t.same(plainRows(live.get('probe')!), [1, 2, 3].flatMap(expectedRows));

  writer.close();
  writer.close(); // idempotent
  t.same(readdirSync(dir).sort(), ['probe.arrow', 'probe.arrows', 'probe.arrows.sums', 'run.json']);
  const manifest = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
  t.equal(manifest['format'], '1');
  t.same(manifest['tables'], ['probe']);
  t.ok(typeof manifest['created'] === 'string' && typeof manifest['closed'] === 'string');

  const sources = new Map<string, RunTableSource>();
  const tables = await readRun(dir, sources);
  t.same([...tables.keys()], ['probe']);
  t.same(sources.get('probe'), { path: join(dir, 'probe.arrow'), format: 'file', droppedBytes: 0 });
  const table = tables.get('probe')!;
  t.equal(table.numRows, 9);
  t.same(plainRows(table), [1, 2, 3].flatMap(expectedRows));
  t.ok(Object.is(table.getChild('min')?.get(3), -0));
  t.equal(table.getChild('mean')?.get(4), 5e-324 * 2, 'subnormal survives');
  t.same(plotSpecOf(table), PROBE.plot);
  t.same(tableSpecOf(table), PROBE);
  t.same(plainRows(readRunSync(dir).get('probe')!), plainRows(table), 'sync reader agrees');
  // The .arrow is the Arrow file format: magic at both ends.
  const bytes = readFileSync(join(dir, 'probe.arrow'));
  t.equal(bytes.subarray(0, 6).toString('latin1'), 'ARROW1');
  t.equal(bytes.subarray(bytes.length - 6).toString('latin1'), 'ARROW1');
});

t.test('several tables, appends interleaved, empty batches skipped', async (t) => {
  const other = { ...PROBE, name: 'other' };
  const dir = tempDir('two');
  const writer = RunWriter.open(dir, [PROBE, other]);
  t.same(writer.tables, ['probe', 'other']);
  writer.append('other', rowsToRecordBatch(other, probeRows(9)));
  writer.append('probe', rowsToRecordBatch(PROBE, probeRows(1)));
  writer.append('probe', rowsToRecordBatch(PROBE, []));
  writer.append('probe', rowsToRecordBatch(PROBE, probeRows(2)));
  writer.close();
  const tables = await readRun(dir);
  t.same(plainRows(tables.get('probe')!), [1, 2].flatMap(expectedRows));
  t.same(plainRows(tables.get('other')!), expectedRows(9));
  t.equal(tables.get('other')?.schema.metadata.get('monitorch.table'), 'other');
});

t.test('a batch built for another spec is re-labelled when its columns match, refused when not', async (t) => {
  const twin = { ...PROBE, name: 'twin', plot: { panels: [] } };
  const dir = tempDir('conform');
  const writer = RunWriter.open(dir, [PROBE]);
  writer.append('probe', rowsToRecordBatch(twin, probeRows(1)));
  const narrow = { ...PROBE, name: 'narrow', columns: PROBE.columns.slice(0, 9) };
  t.throws(
    () =>
      writer.append(
        'probe',
        rowsToRecordBatch(narrow, [{ epoch: 1, phase: 'a', module: 'b', quantity: 'c', count: 1 }]),
      ),
    { code: 'INVALID_ARGUMENT', message: /The batch for table "probe" has the columns \(epoch: Int32/ },
  );
  t.throws(() => writer.append('nope', rowsToRecordBatch(PROBE, probeRows(1))), {
    code: 'INVALID_ARGUMENT',
    message: /No table named "nope" .* Known tables: probe/,
  });
  writer.close();
  t.throws(() => writer.append('probe', rowsToRecordBatch(PROBE, probeRows(2))), { code: 'ALREADY_CLOSED' });
  const table = (await readRun(dir)).get('probe')!;
  t.same(plotSpecOf(table), PROBE.plot, "the file carries the table's own metadata");
  t.same(plainRows(table), expectedRows(1));
});

t.test('an unwritable run directory fails with RUN_DIR_UNWRITABLE, the path, the OS error and what to do', (t) => {
  const base = tempDir('unwritable');
  const file = join(base, 'a-file');
  writeFileSync(file, 'not a directory');
  const dir = join(file, 'run');
  try {
    RunWriter.open(dir, [PROBE]);
    t.fail('no error');
  } catch (e) {
    t.ok(e instanceof MonitorchError && e.code === 'RUN_DIR_UNWRITABLE');
    const err = e as MonitorchError;
    t.match(err.message, dir);
    t.match(err.message, /ENOTDIR|EEXIST/);
    t.match(err.message, /Choose a directory you can write to/);
    t.equal(err.details['dir'], dir);
  }
  t.end();
});

t.test('bad table names are refused before touching the disk', (t) => {
  const dir = join(tempDir('names'), 'run');
  t.throws(() => RunWriter.open(dir, [{ ...PROBE, name: '../escape' }]), {
    code: 'INVALID_ARGUMENT',
    message: /cannot be a file name/,
  });
  t.throws(() => RunWriter.open(dir, [PROBE, PROBE]), {
    code: 'INVALID_ARGUMENT',
    message: /Two tables are named "probe"/,
  });
  t.notOk(existsSync(dir));
  t.end();
});

t.test('reopening a run directory with overwrite replaces the old run: a stale .arrow is not read', async (t) => {
  const dir = tempDir('reuse');
  const first = RunWriter.open(dir, [PROBE]);
  first.append('probe', rowsToRecordBatch(PROBE, probeRows(1)));
  first.close();
  t.throws(() => RunWriter.open(dir, [PROBE]), { code: 'RUN_DIR_EXISTS' }, 'not without asking');
  const second = RunWriter.open(dir, [PROBE], { overwrite: true });
  second.append('probe', rowsToRecordBatch(PROBE, probeRows(7)));
  // second never closes (a crash): the reader must see epoch 7, not the first run's epoch 1
  t.same(plainRows((await readRun(dir)).get('probe')!), expectedRows(7));
  second.close();
});

t.test('readRun of a missing or non-run directory fails with RUN_DIR_UNREADABLE', async (t) => {
  const missing = join(tempDir('missing'), 'nothing-here');
  await t.rejects(readRun(missing), {
    code: 'RUN_DIR_UNREADABLE',
    message: /Could not read the run directory .*nothing-here/,
  });
  t.throws(() => readRunSync(missing), { code: 'RUN_DIR_UNREADABLE' });
  await t.rejects(readRun(tempDir('empty')), {
    code: 'RUN_DIR_UNREADABLE',
    message: /is not a monitorch run directory/,
  });
  const dir = tempDir('corrupt');
  const writer = RunWriter.open(dir, [PROBE]);
  writer.append('probe', rowsToRecordBatch(PROBE, probeRows(1)));
  writer.close();
  writeFileSync(join(dir, 'probe.arrow'), 'ARROW1 but nothing else');
  // A damaged .arrow beside its intact .arrows: the stream has every epoch, and says why it was read.
  const sources = new Map<string, RunTableSource>();
  t.same(plainRows((await readRun(dir, sources)).get('probe')!), expectedRows(1));
  t.match(sources.get('probe'), {
    format: 'stream',
    fallback: /probe\.arrow: it has 23 bytes where run\.json recorded/,
  });
  rmSync(join(dir, 'probe.arrows'));
  await t.rejects(readRun(dir), { code: 'RUN_DAMAGED', message: /probe\.arrow: it has 23 bytes/ });
});

t.test('plotSpecOf and tableSpecOf explain missing or malformed metadata', async (t) => {
  const { Schema, Field, Int32 } = await import('apache-arrow');
  const bare = new Schema([new Field('epoch', new Int32(), false)]);
  t.throws(() => plotSpecOf(bare), {
    code: 'INVALID_ARGUMENT',
    message: /no plot description \(schema metadata "monitorch.plot"; the schema has no metadata\)/,
  });
  t.throws(() => tableSpecOf(bare), { code: 'INVALID_ARGUMENT', message: /no table name/ });
  const broken = new Schema(
    bare.fields,
    new Map([
      ['monitorch.table', 'x'],
      ['monitorch.plot', '{not json'],
    ]),
  );
  t.throws(() => plotSpecOf(broken), { code: 'INVALID_ARGUMENT', message: /not valid JSON/ });
  const wrong = new Schema(
    bare.fields,
    new Map([
      ['monitorch.table', 'x'],
      ['monitorch.plot', '{"panels":[{"title":1}]}'],
    ]),
  );
  t.throws(() => plotSpecOf(wrong), { code: 'INVALID_ARGUMENT', message: /is not \{ panels: \[\.\.\.\] \}/ });
});

t.test(
  'durable: false still writes every append before returning; run.json decides which tables belong to the run',
  async (t) => {
    const dir = tempDir('nosync');
    const old = RunWriter.open(dir, [{ ...PROBE, name: 'old-lens' }]);
    old.append('old-lens', rowsToRecordBatch(PROBE, probeRows(1)));
    old.close();
    const writer = RunWriter.open(dir, [PROBE], { durable: false, overwrite: true });
    writer.append('probe', rowsToRecordBatch(PROBE, probeRows(5)));
    const tables = readRunSync(dir);
    t.same([...tables.keys()], ['probe'], "the previous run's old-lens files are not part of this run");
    t.same(plainRows(tables.get('probe')!), expectedRows(5));
    writer.close();
    t.same(plainRows((await readRun(dir)).get('probe')!), expectedRows(5));
  },
);
