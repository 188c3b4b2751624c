// `npm start` as a newcomer sees it, on a quick run (256 training images, one epoch): it exits
// by itself when training is done, says where the results are, its live page is told the run
// finished before the page stops, the terminal prints each number once, under one name, and
// every lens (the seed's three and issue 14's seven) is written, drawn and summarised.
// Needs the build (`npm test` builds first).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { readRunSync } from '@monitorch/core';
import { readEvents } from '../packages/viz/test/fixtures/http.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
const MAIN = /&& node (\S+)$/.exec(scripts.start)?.[1];

t.test('npm start: exits when done, says where the results are, the live page says finished', async (t) => {
  t.ok(MAIN, 'the start script runs a node entry point');
  const out = join(mkdtempSync(join(tmpdir(), 'monitorch-start-')), 'mnist');
  const child = spawn(process.execPath, [MAIN ?? '', '--limit', '256', '--epochs', '1', '--out', out], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string | undefined>((resolve) => {
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      const m = /live page: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    void exited.then(() => resolve(undefined));
  });
  t.ok(url, 'prints the live page address');
  const events =
    url === undefined
      ? []
      : await Promise.race([
          readEvents(Number(new URL(url).port), (ev) => ev.some((e) => e.event === 'done')),
          exited.then(() => []),
        ]);
  const code = await exited;

  t.equal(code, 0, `exits 0 by itself, no Ctrl-C needed (${stderr.slice(-500)})`);
  const done = events.find((e) => e.event === 'done')?.data as { done?: boolean; finishedAt?: string } | undefined;
  t.equal(done?.done, true, 'the live page was told the run finished before it stopped');
  t.match(done?.finishedAt, /^\d{4}-\d\d-\d\dT/);
  t.match(stdout, `Done: training finished and the results are written to ${out}.`);
  t.match(stdout, 'The live page has stopped; an open tab keeps the final figure (--keep-serving keeps the page up).');
  t.match(stdout, `npx monitorch serve ${out}`);
  for (const f of ['loss-metrics.arrow', 'figure.png', 'summary.json']) t.ok(existsSync(join(out, f)), `${f} written`);

  // One train loss per epoch (the lens's, also in the tables) and one name for the accuracy.
  const terminal = `${stdout}\n${stderr}`;
  t.equal(terminal.match(/train loss/g)?.length, 1, `one "train loss" for the one epoch:\n${terminal}`);
  t.match(terminal, /^epoch 1 · train loss [\d.]+ · val loss [\d.]+ · val_accuracy [\d.]+$/m);
  t.notMatch(terminal, /test accuracy/, 'the accuracy is called val_accuracy everywhere');
  t.match(stdout, /^val_accuracy after 1 epoch\(s\): [\d.]+ % \(on the 10 000 test images, as in the seed\)$/m);

  // summary.json holds the same losses as the lens's table.
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
    epochs: { trainLoss: number; valLoss: number }[];
  };
  const rows = (readRunSync(out).get('loss-metrics')?.toArray() ?? []) as {
    phase: string;
    module: string;
    quantity: string;
    mean: number;
  }[];
  const lensLoss = (phase: string): number | undefined =>
    rows.find((r) => r.phase === phase && r.module === '' && r.quantity === 'loss')?.mean;
  t.equal(summary.epochs[0]?.trainLoss, lensLoss('train'), 'summary.json train loss = loss-metrics.arrow');
  t.equal(summary.epochs[0]?.valLoss, lensLoss('val'), 'summary.json val loss = loss-metrics.arrow');

  // Every lens is on by default: each new table is written, drawn and summarised in the terminal.
  const tables = readRunSync(out);
  const figure = readFileSync(join(out, 'figure.svg'), 'utf8');
  for (const [table, panel] of NEW_LENS_PANELS) {
    t.ok((tables.get(table)?.numRows ?? 0) > 0, `${table}.arrow has rows`);
    t.match(figure, `>${panel}<`, `the figure draws ${panel}`);
  }
  t.match(figure, 'class="legend share-legend"', 'the output distribution is drawn as a heat map with its colour ramp');
  for (const line of TERMINAL_LINES) t.match(terminal, new RegExp(`^  ${line}: .+$`, 'm'), `terminal: ${line} line`);
});

/** Each new lens's table and a panel title of it (the comparison panels for the norm lenses). */
const NEW_LENS_PANELS: readonly [string, string][] = [
  ['output-norm', 'Mean Output Norm Comparison'],
  ['parameter-norm', 'Weight Norm Comparison'],
  // One step (256 images): no previous gradient yet, so no correlation; the norm is there.
  ['gradient-geometry', 'Weight Gradient Norm'],
  ['output-gradient-geometry', 'Output Gradient Norm'],
  ['update-geometry', 'Weight Update Ratio'],
  ['parameter-cond', 'Weight Cond'],
  ['output-distribution', 'Output Distribution'],
];

/** The terminal's line for each new table (one a table, under the epoch line). */
const TERMINAL_LINES: readonly string[] = [
  'Output Norm',
  'Weight Norm',
  'Weight Gradient Norm',
  'Output Gradient Norm',
  'Weight Update Ratio',
  'Weight Cond',
  'Output Distribution',
];
