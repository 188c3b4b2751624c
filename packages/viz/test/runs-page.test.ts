// The runs page in Debian's Chromium (issue 17): three real run directories — one running and
// growing (an Inspector in this process writes epochs while the page is open), one finished,
// one killed mid-run (a child process that exits without closing its run) — listed with their
// status; two ticked and overlaid; the running one updates without reload.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_SKIP, launchChromium } from '../../../test/helpers/chromium.js';
import { Inspector, LoopAdapter } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { serveRuns } from '@monitorch/viz';

const EVIL = '<img src=x onerror=alert(1)>';

t.test('the runs page lists, overlays and follows runs without reloading', { skip: CHROMIUM_SKIP }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'monitorch-runs-browser-'));
  // Finished: three epochs, closed; its label has markup.
  const finished = new Inspector({
    lenses: [new LossMetrics()],
    runDir: join(root, 'finished'),
    logger: null,
    label: EVIL,
  });
  const finishedLoop = new LoopAdapter();
  finished.attach(finishedLoop);
  for (const loss of [0.9, 0.6, 0.4]) {
    finishedLoop.loss(loss);
    await finished.tickEpoch();
  }
  await finished.close();
  // Killed: a child process writes one epoch and exits without closing its run.
  const child = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { Inspector, LoopAdapter } from '@monitorch/core';
       import { LossMetrics } from '@monitorch/lens-loss-metrics';
       const i = new Inspector({ lenses: [new LossMetrics()], runDir: ${JSON.stringify(join(root, 'killed'))}, logger: null, label: 'killed' });
       const loop = new LoopAdapter(); i.attach(loop); loop.loss(2); await i.tickEpoch(); process.exit(0);`,
    ],
    { encoding: 'utf8' },
  );
  t.equal(child.status, 0, child.stderr);
  // Running: this process keeps writing it while the page is open.
  const running = new Inspector({
    lenses: [new LossMetrics()],
    runDir: join(root, 'running'),
    logger: null,
    label: 'running',
  });
  const loop = new LoopAdapter();
  running.attach(loop);
  loop.loss(1.5);
  await running.tickEpoch();
  t.teardown(() => running.close());

  const server = await serveRuns(root, { pollMs: 100 });
  t.teardown(() => server.close());
  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(server.url);
  await page.waitForFunction(() => document.querySelectorAll('#runs tbody tr').length === 3, undefined, {
    timeout: 15_000,
  });
  const rows = (): Promise<string[][]> =>
    page.evaluate(() =>
      Array.from(document.querySelectorAll('#runs tbody tr')).map((tr) =>
        Array.from(tr.querySelectorAll('td'))
          .slice(1)
          .filter((_, i) => i !== 1) // the start time depends on the clock
          .map((td) => td.textContent ?? ''),
      ),
    );
  t.same(await rows(), [
    [EVIL, 'finished', '3', 'train loss 0.4', ''],
    ['killed', 'crashed', '1', 'train loss 2', ''],
    ['running', 'running', '1', 'train loss 1.5', ''],
  ]);
  await page.evaluate(() => {
    (window as unknown as { marker: number }).marker = 42;
  });

  // Tick the finished and the running run: one figure, one colour per run.
  await page.check('tr[data-name="finished"] input');
  await page.check('tr[data-name="running"] input');
  await page.waitForFunction(
    () => (document.getElementById('figure')?.dataset['runs'] ?? '') === 'finished\nrunning',
    undefined,
    { timeout: 15_000 },
  );
  const legend = await page.evaluate(() =>
    Array.from(document.querySelectorAll('#figure text')).map((n) => n.textContent),
  );
  t.ok(legend.includes(EVIL) && legend.includes('running'), 'the run legend names both runs, the markup as text');
  t.notOk(legend.includes('killed'), 'an unticked run is not drawn');
  const titles = (): Promise<string[]> =>
    page.evaluate(() => Array.from(document.querySelectorAll('#figure title')).map((n) => n.textContent ?? ''));
  t.ok((await titles()).some((s) => s.startsWith('running · train loss · epoch 1: 1.5')));
  t.notOk((await titles()).some((s) => s.startsWith('running · train loss · epoch 2:')));

  // The running run writes two more epochs while the page is open.
  for (const loss of [1.0, 0.5]) {
    loop.loss(loss);
    await running.tickEpoch();
  }
  await page.waitForFunction(
    () =>
      Array.from(document.querySelectorAll('#figure title')).some((n) =>
        (n.textContent ?? '').startsWith('running · train loss · epoch 3: 0.5'),
      ) && document.querySelector('tr[data-name="running"] td.epochs')?.textContent === '3',
    undefined,
    { timeout: 15_000 },
  );
  t.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'same document: no reload');
  t.equal(await page.evaluate(() => document.querySelectorAll('img').length), 0, 'no <img> from the label');
  t.same(problems, [], 'no console errors or warnings, no dialogs');
});

t.test('200 runs: the page shows 50 at a time and pages through them', { skip: CHROMIUM_SKIP }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'monitorch-runs-many-'));
  const template = new Inspector({ lenses: [new LossMetrics()], runDir: join(root, 'template'), logger: null });
  const loop = new LoopAdapter();
  template.attach(loop);
  loop.loss(1);
  await template.tickEpoch();
  await template.close();
  for (let i = 0; i < 200; i++) {
    cpSync(join(root, 'template'), join(root, 'runs', `run-${String(i).padStart(3, '0')}`), { recursive: true });
  }
  const server = await serveRuns(join(root, 'runs'), { pollMs: 200 });
  t.teardown(() => server.close());
  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => document.querySelectorAll('#runs tbody tr').length === 50, undefined, {
    timeout: 15_000,
  });
  t.equal(await page.textContent('#range'), '1–50 of 200 runs');
  t.equal(await page.isDisabled('#prev'), true);
  await page.click('#next');
  await page.waitForFunction(() => document.getElementById('range')?.textContent === '51–100 of 200 runs', undefined, {
    timeout: 15_000,
  });
  const names = await page.evaluate(() =>
    Array.from(document.querySelectorAll('#runs tbody tr')).map((tr) => (tr as HTMLElement).dataset['name']),
  );
  t.equal(names.length, 50);
  t.equal(names[0], 'run-050');
  t.equal(server.tablesRead, 100, 'two pages shown: 100 runs read, not 200');
});
