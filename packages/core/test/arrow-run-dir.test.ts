// One run directory, one writer: a second writer (same process or another) is refused while
// the first is open, and a finished run is never replaced without `overwrite`.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import type { Table } from 'apache-arrow';
import { Inspector, LoopAdapter, readRunSync } from '@monitorch/core';
import { RunWriter, rowsToRecordBatch } from '@monitorch/core/internals';
import { ProbeLens } from './fixtures/probe-lens.js';
import { PROBE, probeRows, tempDir } from './arrow-fixtures.js';

/** The epochs of a table's rows, once each. */
function epochs(table: Table | undefined): number[] {
  return [...new Set((table?.getChild('epoch')?.toArray() ?? []) as Iterable<number>)];
}

/** Runs `n` epochs of one loss each through an attached inspector. */
async function tick(inspector: Inspector, loop: LoopAdapter, n: number): Promise<void> {
  for (let e = 0; e < n; e++) {
    loop.loss(e);
    await inspector.tickEpoch();
  }
}

t.test('two Inspectors on one runDir in one process: the second is refused, the first keeps its run', async (t) => {
  const dir = join(tempDir('two-inspectors'), 'run');
  const a = new Inspector({ lenses: [new ProbeLens()], runDir: dir, logger: null });
  const b = new Inspector({ lenses: [new ProbeLens()], runDir: dir, logger: null });
  const loopA = new LoopAdapter();
  const loopB = new LoopAdapter();
  a.attach(loopA);
  t.throws(() => b.attach(loopB), {
    code: 'RUN_DIR_LOCKED',
    message: /is being written by another Inspector or RunWriter in this process/,
  });
  t.equal(b.attached, false, 'nothing changed for B');
  await tick(a, loopA, 10);
  await a.close();
  t.same(epochs(readRunSync(dir).get('probe')), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "A's 10 epochs are all there");
  t.notOk(existsSync(join(dir, 'run.lock')), 'close releases the lock');
  // A's run is finished: B still may not replace it without saying so.
  t.throws(() => b.attach(loopB), { code: 'RUN_DIR_EXISTS', message: /already holds a run .*overwrite: true/ });
  const c = new Inspector({ lenses: [new ProbeLens()], runDir: dir, logger: null, overwrite: true });
  c.attach(loopB);
  await tick(c, loopB, 5);
  await c.close();
  t.same(epochs(readRunSync(dir).get('probe')), [1, 2, 3, 4, 5], 'with overwrite: true the new run replaces it');
});

// A child process that writes `epochs` epochs to `dir`, then waits for a line on stdin, then
// closes. It prints "open" once it holds the directory, or the error code when refused.
const CHILD = `
import { RunWriter, rowsToRecordBatch } from ${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve('@monitorch/core/internals')).href)};
import { createInterface } from 'node:readline';
const [dir, specJson, epochs] = process.argv.slice(2);
const spec = JSON.parse(specJson);
let writer;
try {
  writer = RunWriter.open(dir, [spec]);
} catch (e) {
  process.stdout.write('refused ' + e.code + '\\n');
  process.exit(3);
}
process.stdout.write('open\\n');
const row = (e) => ({ epoch: e, phase: 'train', module: 'm', quantity: 'q', count: 1, layer: 0 });
for (let e = 1; e <= Number(epochs); e++) writer.append('probe', rowsToRecordBatch(spec, [row(e)]));
process.stdout.write('written\\n');
await createInterface({ input: process.stdin })[Symbol.asyncIterator]().next();
writer.close();
process.exit(0); // stdin would keep the process alive
`;

interface Child {
  readonly lines: AsyncIterator<string>;
  readonly exit: Promise<number | null>;
  say(line: string): void;
}

function startChild(script: string, dir: string, epochs: number): Child {
  const child = spawn(process.execPath, [script, dir, JSON.stringify(PROBE), String(epochs)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](),
    exit,
    say: (line) => child.stdin.write(`${line}\n`),
  };
}

t.test('two processes on one runDir: the second is refused with RUN_DIR_LOCKED and exits non-zero', async (t) => {
  const base = tempDir('two-processes');
  const dir = join(base, 'run');
  const script = join(base, 'writer.mjs');
  writeFileSync(script, CHILD);
  const first = startChild(script, dir, 40);
  t.equal((await first.lines.next()).value, 'open');
  t.equal((await first.lines.next()).value, 'written');
  const lock = JSON.parse(readFileSync(join(dir, 'run.lock'), 'utf8')) as { pid: number; host: string };
  t.equal(lock.host, hostname(), 'the lock names the host');
  t.not(lock.pid, process.pid, 'and the writing process');
  const second = startChild(script, dir, 40);
  t.equal((await second.lines.next()).value, 'refused RUN_DIR_LOCKED');
  t.equal(await second.exit, 3, 'the second writer fails instead of writing');
  t.throws(() => RunWriter.open(dir, [PROBE]), { code: 'RUN_DIR_LOCKED', message: /is being written by process \d+/ });
  first.say('close');
  t.equal(await first.exit, 0);
  t.same(
    epochs(readRunSync(dir).get('probe')),
    Array.from({ length: 40 }, (_, i) => i + 1),
    "the first's 40 epochs",
  );
  const third = startChild(script, dir, 40);
  t.equal((await third.lines.next()).value, 'refused RUN_DIR_EXISTS', 'a finished run is not replaced');
  t.equal(await third.exit, 3);
});

t.test(
  'a lock left by a killed writer is stale: the run is still protected, and overwrite takes it over',
  async (t) => {
    const base = tempDir('stale-lock');
    const dir = join(base, 'run');
    const script = join(base, 'writer.mjs');
    writeFileSync(script, CHILD);
    const child = spawn(process.execPath, [script, dir, JSON.stringify(PROBE), '3'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    t.equal((await lines.next()).value, 'open');
    t.equal((await lines.next()).value, 'written');
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    t.ok(existsSync(join(dir, 'run.lock')), 'the killed writer left its lock');
    t.throws(() => RunWriter.open(dir, [PROBE]), { code: 'RUN_DIR_EXISTS', message: /not closed/ });
    t.same(epochs(readRunSync(dir).get('probe')), [1, 2, 3], 'the crashed run is intact');
    const writer = RunWriter.open(dir, [PROBE], { overwrite: true });
    writer.append('probe', rowsToRecordBatch(PROBE, probeRows(9)));
    writer.close();
    t.same(epochs(readRunSync(dir).get('probe')), [9]);
    // A lock from another machine cannot be checked: it holds until someone deletes it.
    writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: 1, host: 'elsewhere', started: 'then' }));
    t.throws(() => RunWriter.open(dir, [PROBE], { overwrite: true }), {
      code: 'RUN_DIR_LOCKED',
      message: /process 1 on elsewhere .*delete .*run\.lock/,
    });
  },
);
