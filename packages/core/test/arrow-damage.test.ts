// "Nothing silently wrong": a damaged run file is an error naming the file and the epochs
// lost, unless the caller accepts damage and gets the intact rows with a report.
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  MonitorchError,
  readRun,
  readRunSync,
  type RunDamage,
  type RunTableSource,
  type TableRow,
} from '@monitorch/core';
import { RunWriter, finishRun, rowsToRecordBatch } from '@monitorch/core/internals';
import { PROBE, plainRows, tempDir } from './arrow-fixtures.js';

const EPOCHS = 30;

/** One row per epoch: small batches, so byte offsets are easy to reason about. */
function row(e: number): TableRow {
  return { epoch: e, phase: 'train', module: 'm', quantity: 'q', mean: e / 3, count: e, layer: 0 };
}

/** A run of `EPOCHS` epochs in table "probe" (and a one-epoch "other"), closed or not. */
function writeRun(name: string, close: boolean): string {
  const dir = tempDir(name);
  const other = { ...PROBE, name: 'other' };
  const writer = RunWriter.open(dir, [PROBE, other]);
  writer.append('other', rowsToRecordBatch(other, [row(1)]));
  for (let e = 1; e <= EPOCHS; e++) writer.append('probe', rowsToRecordBatch(PROBE, [row(e)]));
  if (close) writer.close();
  return dir;
}

/** The byte range of batch `n` (1-based) of probe.arrows, from its sums. */
function batchRange(dir: string, n: number): { start: number; end: number } {
  const lines = readFileSync(join(dir, 'probe.arrows.sums'), 'utf8').trim().split('\n');
  return JSON.parse(lines[n] as string) as { start: number; end: number };
}

function epochsOf(dir: string, options: { damaged: 'recover'; sources: Map<string, RunTableSource> }): number[] {
  return plainRows(readRunSync(dir, options).get('probe')!).map((r) => r['epoch'] as number);
}

function damageOf(e: unknown): readonly RunDamage[] {
  return (e as MonitorchError).details['damage'] as RunDamage[];
}

t.test(
  'a bad length field in the middle of a stream is RUN_DAMAGED naming epoch 5; recover keeps the other 29',
  async (t) => {
    const dir = writeRun('bad-length', false);
    const path = join(dir, 'probe.arrows');
    const bytes = readFileSync(path);
    const { start } = batchRange(dir, 5);
    bytes.writeInt32LE(0x7fff0000, start + 4); // the metadata length after the continuation marker
    writeFileSync(path, bytes);
    const error = await readRun(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(error instanceof MonitorchError && error.code === 'RUN_DAMAGED', 'readRun throws RUN_DAMAGED');
    t.match(
      (error as Error).message,
      /probe\.arrows: batch 5 does not match its checksum \(epoch 5, 1 rows lost; 29 rows intact\)/,
    );
    t.match((error as Error).message, /damaged: 'recover'/);
    t.throws(() => readRunSync(dir), { code: 'RUN_DAMAGED' }, 'so does readRunSync');
    t.match(damageOf(error), [{ table: 'probe', path, lostEpochs: [5], lostRows: 1, keptRows: 29 }]);
    const sources = new Map<string, RunTableSource>();
    const kept = epochsOf(dir, { damaged: 'recover', sources });
    t.same(
      kept,
      Array.from({ length: EPOCHS }, (_, i) => i + 1).filter((e) => e !== 5),
      'every other epoch, also those after the damage',
    );
    t.match(sources.get('probe'), { format: 'stream', damage: [{ lostEpochs: [5] }] });
    t.throws(() => finishRun(dir), { code: 'RUN_DAMAGED' }, 'finishRun does not turn damage into a clean file');
  },
);

t.test('a flipped bit in a batch body is caught by its checksum', (t) => {
  const dir = writeRun('bit-flip', false);
  const path = join(dir, 'probe.arrows');
  const bytes = readFileSync(path);
  const { end } = batchRange(dir, 12);
  bytes[end - 20] = (bytes[end - 20] as number) ^ 0x04;
  writeFileSync(path, bytes);
  t.throws(() => readRunSync(dir), { code: 'RUN_DAMAGED', message: /batch 12 does not match its checksum \(epoch 12/ });
  t.end();
});

t.test('a stream cut inside its finished epochs is damage, not a short run', (t) => {
  const dir = writeRun('truncated', false);
  const path = join(dir, 'probe.arrows');
  writeFileSync(path, readFileSync(path).subarray(0, batchRange(dir, 4).end + 3));
  t.throws(() => readRunSync(dir), {
    code: 'RUN_DAMAGED',
    message: /the file ends before batch 5 of 30 finished ones.*epochs 5-30, 26 rows lost; 4 rows intact/,
  });
  const sources = new Map<string, RunTableSource>();
  t.same(epochsOf(dir, { damaged: 'recover', sources }), [1, 2, 3, 4]);
  t.end();
});

t.test('a zero-length or altered .arrow beside a complete .arrows is read from the stream', (t) => {
  const dir = writeRun('empty-arrow', true);
  const all = Array.from({ length: EPOCHS }, (_, i) => i + 1);
  writeFileSync(join(dir, 'probe.arrow'), '');
  const sources = new Map<string, RunTableSource>();
  t.same(epochsOf(dir, { damaged: 'recover', sources }), all);
  t.match(sources.get('probe'), { format: 'stream', fallback: /probe\.arrow: it is empty/ });
  t.notOk(sources.get('probe')?.damage, 'nothing was lost, so nothing is damage');
  t.equal(readRunSync(dir).get('probe')?.numRows, EPOCHS, 'and the default reader does not throw');
  // The bit flip that renamed "epoch" (here "epocx"): the .arrow no longer matches its checksum.
  const fresh = writeRun('renamed-column', true);
  const arrow = readFileSync(join(fresh, 'probe.arrow'));
  const at = arrow.indexOf('epoch');
  arrow[at + 4] = 'x'.charCodeAt(0);
  writeFileSync(join(fresh, 'probe.arrow'), arrow);
  const renamed = new Map<string, RunTableSource>();
  t.same(epochsOf(fresh, { damaged: 'recover', sources: renamed }), all, 'the epochs come from the stream');
  t.match(renamed.get('probe'), { fallback: /does not match the checksum run\.json recorded/ });
  t.end();
});

t.test('a .arrows holding garbage, or another table, is damage instead of a vanished or misnamed table', (t) => {
  const garbage = writeRun('garbage', false);
  writeFileSync(join(garbage, 'probe.arrows'), Buffer.alloc(4096, 0x5a));
  t.throws(() => readRunSync(garbage), {
    code: 'RUN_DAMAGED',
    message: /schema message is missing or altered.*epochs 1-30/,
  });
  const swapped = writeRun('swapped', false);
  copyFileSync(join(swapped, 'other.arrows'), join(swapped, 'probe.arrows'));
  copyFileSync(join(swapped, 'other.arrows.sums'), join(swapped, 'probe.arrows.sums'));
  t.throws(() => readRunSync(swapped), { code: 'RUN_DAMAGED', message: /holds the table "other", not "probe"/ });
  const sources = new Map<string, RunTableSource>();
  const tables = readRunSync(swapped, { damaged: 'recover', sources });
  t.notOk(tables.has('probe'), "other's rows are never returned as probe's");
  t.equal(tables.get('other')?.numRows, 1);
  const gone = writeRun('gone', true);
  for (const f of ['probe.arrow', 'probe.arrows', 'probe.arrows.sums']) rmSync(join(gone, f));
  t.throws(() => readRunSync(gone), { code: 'RUN_DAMAGED', message: /run\.json lists the table but neither/ });
  t.end();
});
