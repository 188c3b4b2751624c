// "Lose nothing": every epoch whose append returned is on disk, even if the process is
// killed right after; a batch cut short by the kill is dropped, never read as garbage.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import t, { type Test } from 'tap';
import pl from 'nodejs-polars';
import { readRun, readRunSync, type RunTableSource, type TableRow } from '@monitorch/core';
import { RunWriter, finishRun, rowsToRecordBatch } from '@monitorch/core/internals';
import { PROBE, plainRows, tempDir } from './arrow-fixtures.js';

const ROWS_PER_EPOCH = 40;
/** In `close` mode the child closes its writer after this epoch. */
const CLOSE_AT = 12;

/** The rows the child writes for epoch `e` (same formula as in CHILD below). */
function crashRows(e: number): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < ROWS_PER_EPOCH; i++) {
    rows.push({
      epoch: e,
      phase: i % 2 === 0 ? 'train' : 'val',
      module: `layer${i}`,
      quantity: 'activation_rate',
      mean: e + i / 7,
      std: i % 3 === 0 ? null : i * 0.125,
      min: -i,
      max: e * 1000 + i,
      count: i,
      dead: i % 5 === 0 ? null : i % 2 === 1,
      note: i % 4 === 0 ? null : `n${e}-${i}`,
      rank: i % 6 === 0 ? null : i,
      channels: i % 7 === 0 ? null : [e, i],
      layer: i,
    });
  }
  return rows;
}

// The child process: opens a RunWriter, appends epochs and says so after each append.
// `step` mode waits for a line on stdin after each epoch; `free` mode runs on with a tiny sleep.
const CHILD = `
import { RunWriter, rowsToRecordBatch } from ${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve('@monitorch/core/internals')).href)};
import { createInterface } from 'node:readline';
const [dir, mode, specJson] = process.argv.slice(2);
const spec = JSON.parse(specJson);
const ROWS = ${ROWS_PER_EPOCH};
const CLOSE_AT = ${CLOSE_AT};
${crashRows
  .toString()
  .replace('ROWS_PER_EPOCH', 'ROWS')
  .replace(/: Record<string, unknown>\[\]/g, '')
  .replace(/\(e: number\)/, '(e)')}
const writer = RunWriter.open(dir, [spec]);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
for (let e = 1; e <= 100000; e++) {
  writer.append('probe', rowsToRecordBatch(spec, crashRows(e)));
  process.stdout.write('epoch ' + e + ' written\\n');
  if (mode === 'close' && e === CLOSE_AT) {
    writer.close();
    process.stdout.write('closed\\n');
    await new Promise(() => setInterval(() => {}, 1000)); // stay alive until killed
  }
  if (mode === 'step') await lines.next();
  else await new Promise((r) => setTimeout(r, 1));
}
`;

/** Runs the child until it reports epoch `killAt`, then SIGKILLs it. */
async function runAndKill(
  t: Test,
  dir: string,
  mode: 'step' | 'free' | 'close',
  killAt: number,
  delayMs = 0,
): Promise<void> {
  const script = join(dir, '..', `child-${mode}.mjs`);
  writeFileSync(script, CHILD);
  const child = spawn(process.execPath, [script, dir, mode, JSON.stringify(PROBE)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  for await (const line of createInterface({ input: child.stdout })) {
    const m = /^epoch (\d+) written$/.exec(line);
    if (m === null) continue;
    if (Number(m[1]) >= killAt) {
      // A delay lets the kill land anywhere in the next append, or in close().
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      child.kill('SIGKILL');
      break;
    }
    if (mode === 'step') child.stdin.write('next\n');
  }
  t.equal(await exited, 'SIGKILL', 'the child was killed, not closed');
}

t.test('a process killed right after "epoch 3 written" leaves exactly epochs 1..3', async (t) => {
  const dir = join(tempDir('crash-step'), 'run');
  await runAndKill(t, dir, 'step', 3);
  const sources = new Map<string, RunTableSource>();
  const table = (await readRun(dir, sources)).get('probe');
  t.ok(table, 'the table is there');
  t.same(sources.get('probe'), { path: join(dir, 'probe.arrows'), format: 'stream', droppedBytes: 0 });
  t.same(plainRows(table!), [1, 2, 3].flatMap(crashRows));
  const df = pl.readIPCStream(readFileSync(join(dir, 'probe.arrows')));
  t.equal(df.height, 3 * ROWS_PER_EPOCH, 'polars reads the crashed stream');
  t.same(
    df.getColumn('epoch').toArray(),
    [1, 2, 3].flatMap((e) => Array<number>(ROWS_PER_EPOCH).fill(e)),
  );
  t.same(
    df.getColumn('std').isNull().toArray(),
    [1, 2, 3].flatMap(crashRows).map((r) => r['std'] === null),
  );
  // finishRun turns the crashed stream into the .arrow file a closed run would have had.
  t.same(finishRun(dir), [{ table: 'probe', batches: 3, droppedBytes: 0 }]);
  t.same(finishRun(dir), [], 'a second call has nothing left to do');
  const finished = pl.readIPC(readFileSync(join(dir, 'probe.arrow')));
  t.same(
    finished.getColumn('module').toArray(),
    [1, 2, 3].flatMap(crashRows).map((r) => r['module']),
  );
  t.same(plainRows((await readRun(dir)).get('probe')!), [1, 2, 3].flatMap(crashRows), 'readRun now reads the .arrow');
});

t.test('a process killed while it keeps appending leaves a complete prefix of epochs', async (t) => {
  const dir = join(tempDir('crash-free'), 'run');
  await runAndKill(t, dir, 'free', 3);
  const table = readRunSync(dir).get('probe');
  t.ok(table);
  const epochs = [...new Set(plainRows(table!).map((r) => r['epoch'] as number))];
  t.ok(epochs.length >= 3, `at least the 3 reported epochs (got ${epochs.length})`);
  t.same(plainRows(table!), epochs.map((_, i) => i + 1).flatMap(crashRows), 'epochs 1..k, each complete and exact');
});

t.test('a stream cut anywhere in its last batch reads as the epochs before it', (t) => {
  const dir = tempDir('cut');
  const writer = RunWriter.open(dir, [PROBE]);
  writer.append('probe', rowsToRecordBatch(PROBE, crashRows(1) as TableRow[]));
  writer.append('probe', rowsToRecordBatch(PROBE, crashRows(2) as TableRow[]));
  const path = join(dir, 'probe.arrows');
  const twoEpochs = statSync(path).size;
  // The sums as a crash during epoch 3's append leaves them: epochs 1 and 2 finished.
  const twoSums = readFileSync(join(dir, 'probe.arrows.sums'));
  writer.append('probe', rowsToRecordBatch(PROBE, crashRows(3) as TableRow[]));
  const full = readFileSync(path);
  const cutDir = tempDir('cut-copy');
  copyFileSync(join(dir, 'run.json'), join(cutDir, 'run.json'));
  writeFileSync(join(cutDir, 'probe.arrows.sums'), twoSums);
  const span = full.length - twoEpochs;
  // Every byte of the 8-byte message prefix, a fine stride through the flatbuffer metadata
  // (about 900 bytes here), a coarser one through the body, and each of its last 8 bytes.
  const cuts = new Set<number>();
  for (let k = 0; k < 16 && k < span; k++) cuts.add(twoEpochs + k);
  for (let k = 16; k < 1000 && k < span; k += 7) cuts.add(twoEpochs + k);
  for (let k = 1000; k < span; k += 97) cuts.add(twoEpochs + k);
  for (let k = Math.max(0, span - 8); k < span; k++) cuts.add(twoEpochs + k);
  let checked = 0;
  for (const cut of cuts) {
    writeFileSync(join(cutDir, 'probe.arrows'), full.subarray(0, cut));
    const sources = new Map<string, RunTableSource>();
    const table = readRunSync(cutDir, sources).get('probe')!;
    const lastEpoch: unknown = table.getChild('epoch')?.get(table.numRows - 1);
    if (
      table.numRows !== 2 * ROWS_PER_EPOCH ||
      lastEpoch !== 2 ||
      sources.get('probe')?.droppedBytes !== cut - twoEpochs
    ) {
      t.fail(`cut at ${cut}: ${table.numRows} rows, dropped ${String(sources.get('probe')?.droppedBytes)}`);
    }
    checked++;
  }
  t.ok(checked > 150, `${checked} cut points all read as epochs 1..2`);
  const threeSums = readFileSync(join(dir, 'probe.arrows.sums'));
  writeFileSync(join(cutDir, 'probe.arrows'), full);
  writeFileSync(join(cutDir, 'probe.arrows.sums'), threeSums);
  t.same(plainRows(readRunSync(cutDir).get('probe')!), [1, 2, 3].flatMap(crashRows), 'uncut: all three');
  // The same cut after epoch 3's append returned is damage to a finished epoch, not a crash.
  writeFileSync(join(cutDir, 'probe.arrows'), full.subarray(0, full.length - 5));
  t.throws(() => readRunSync(cutDir), { code: 'RUN_DAMAGED', message: /ends before batch 3 of 3.*epoch 3/ });
  writeFileSync(join(cutDir, 'probe.arrows.sums'), twoSums);
  // polars (0.26) refuses a cut stream whole; finishRun writes the complete batches for it.
  writeFileSync(join(cutDir, 'probe.arrows'), full.subarray(0, full.length - 5));
  t.same(finishRun(cutDir), [{ table: 'probe', batches: 2, droppedBytes: full.length - 5 - twoEpochs }]);
  t.same(
    pl
      .readIPC(readFileSync(join(cutDir, 'probe.arrow')))
      .getColumn('epoch')
      .toArray(),
    [1, 2].flatMap((e) => Array<number>(ROWS_PER_EPOCH).fill(e)),
    'polars reads the finished file',
  );
  rmSync(join(cutDir, 'probe.arrow'));
  // Cut inside the schema message (its sums line not written yet): no table, no error either.
  writeFileSync(join(cutDir, 'probe.arrows'), full.subarray(0, 20));
  writeFileSync(join(cutDir, 'probe.arrows.sums'), '');
  t.notOk(readRunSync(cutDir).has('probe'));
  writer.close();
  t.end();
});

t.test(
  'killed at random moments (appending or closing): no finished epoch lost, polars reads every file',
  async (t) => {
    // A fixed seed: the trials are the same on every run, spread over the epochs and close().
    let seed = 20240611;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const TRIALS = 6;
    for (let trial = 0; trial < TRIALS; trial++) {
      const killAt = 1 + Math.floor(random() * CLOSE_AT);
      const delayMs = Math.floor(random() * 6);
      const dir = join(tempDir(`crash-random-${trial}`), 'run');
      await runAndKill(t, dir, 'close', killAt, delayMs);
      const sources = new Map<string, RunTableSource>();
      const table = readRunSync(dir, sources).get('probe'); // throws RUN_DAMAGED on any damage
      const epochs = [...new Set(plainRows(table!).map((r) => r['epoch'] as number))];
      const label = `trial ${trial} (kill after epoch ${killAt} + ${delayMs} ms, ${epochs.length} epochs)`;
      t.ok(epochs.length >= killAt, `${label}: every reported epoch is there`);
      t.same(plainRows(table!), epochs.map((_, i) => i + 1).flatMap(crashRows), `${label}: epochs 1..k, exact`);
      const source = sources.get('probe')!;
      if (existsSync(join(dir, 'probe.arrow')) && source.format === 'file') {
        const df = pl.readIPC(readFileSync(join(dir, 'probe.arrow')));
        t.equal(df.height, table!.numRows, `${label}: polars reads the .arrow`);
      }
      if (source.droppedBytes === 0) {
        const df = pl.readIPCStream(readFileSync(join(dir, 'probe.arrows')));
        t.equal(df.height, table!.numRows, `${label}: polars reads the .arrows`);
      } else {
        // polars refuses a torn stream whole; finishRun writes the finished epochs for it.
        rmSync(join(dir, 'probe.arrow'), { force: true });
        finishRun(dir);
        const df = pl.readIPC(readFileSync(join(dir, 'probe.arrow')));
        t.equal(df.height, table!.numRows, `${label}: polars reads the finished .arrow of a torn stream`);
      }
    }
  },
);
