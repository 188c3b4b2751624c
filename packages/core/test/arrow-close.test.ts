// Closing a run: a table without rows is a valid file with its schema, and a write that fails
// (disk full, a path in the way) leaves no temp files behind.
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import pl from 'nodejs-polars';
import { Inspector, LoopAdapter, readRunSync, tableSpecOf } from '@monitorch/core';
import { RunWriter, rowsToRecordBatch } from '@monitorch/core/internals';
import { ProbeLens } from './fixtures/probe-lens.js';
import { PROBE, probeRows, tempDir } from './arrow-fixtures.js';

t.test('a table without rows closes into a valid .arrow holding its schema', (t) => {
  const dir = tempDir('empty-table');
  const quiet = { ...PROBE, name: 'quiet' };
  const writer = RunWriter.open(dir, [PROBE, quiet]);
  writer.append('probe', rowsToRecordBatch(PROBE, probeRows(1)));
  writer.close();
  t.notOk(
    readdirSync(dir).some((f) => f.endsWith('.tmp')),
    'no temp file left',
  );
  const df = pl.readIPC(readFileSync(join(dir, 'quiet.arrow')));
  t.equal(df.height, 0, 'polars reads it: no rows');
  t.same(
    df.columns,
    PROBE.columns.map((c) => c.name),
    'with every column',
  );
  const table = readRunSync(dir).get('quiet');
  t.equal(table?.numRows, 0);
  t.same(tableSpecOf(table!), quiet, 'and its spec');
  t.end();
});

t.test('an Inspector closed before its first tick finishes every file without an error', async (t) => {
  const dir = join(tempDir('no-tick'), 'run');
  const errors: string[] = [];
  const inspector = new Inspector({ lenses: [new ProbeLens()], runDir: dir, logger: null });
  inspector.errors$.subscribe((e) => errors.push(`${e.code}: ${e.message}`));
  inspector.attach(new LoopAdapter());
  await inspector.close();
  t.same(errors, []);
  t.ok(existsSync(join(dir, 'probe.arrow')));
  t.equal(readRunSync(dir).get('probe')?.numRows, 0);
});

t.test('a full disk while writing the .arrow leaves no temp file; the stream keeps the epochs', (t) => {
  const dir = tempDir('full-disk');
  const writer = RunWriter.open(dir, [PROBE]);
  writer.append('probe', rowsToRecordBatch(PROBE, probeRows(1)));
  // Every write to /dev/full fails with ENOSPC, as on a full disk.
  symlinkSync('/dev/full', join(dir, 'probe.arrow.tmp'));
  t.throws(() => writer.close(), { code: 'RUN_DIR_UNWRITABLE', message: /probe: .*ENOSPC/ });
  t.same(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
    'the temp file is gone',
  );
  t.equal(readRunSync(dir).get('probe')?.numRows, 3, 'the stream still has the epoch');
  t.notOk(existsSync(join(dir, 'run.lock')), 'and the lock is released');
  t.end();
});

t.test('a .arrow that cannot be put in place (a directory is there) leaves no temp file', (t) => {
  const dir = tempDir('rename-fails');
  const writer = RunWriter.open(dir, [PROBE]);
  writer.append('probe', rowsToRecordBatch(PROBE, probeRows(2)));
  mkdirSync(join(dir, 'probe.arrow', 'inside'), { recursive: true });
  t.throws(() => writer.close(), { code: 'RUN_DIR_UNWRITABLE' });
  t.same(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
  );
  t.end();
});
