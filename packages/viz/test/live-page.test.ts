import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CHROMIUM_SKIP, launchChromium } from '../../../test/helpers/chromium.js';
import { Inspector } from '@monitorch/core';
import { serve } from '@monitorch/viz';
import {
  EVIL,
  ScriptedAdapter,
  ScriptedGeometryLens,
  ScriptedLens,
  scriptedInspector,
  trainEpoch,
} from './fixtures/scripted-run.js';

t.test('the live page in real Chromium follows a run without reloading', { skip: CHROMIUM_SKIP }, async (t) => {
  const inspector = scriptedInspector();
  const live = await serve(inspector);
  t.teardown(async () => {
    await live.close();
    await inspector.close();
  });
  await trainEpoch(inspector);

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

  await page.goto(live.url);
  await page.waitForFunction(
    () => document.getElementById('figure')?.dataset['epoch'] === '1' && document.querySelector('#figure svg') !== null,
    undefined,
    { timeout: 15_000 },
  );
  await page.evaluate(() => {
    (window as unknown as { marker: number }).marker = 42;
  });
  const titlesAt = (): Promise<string[]> =>
    page.evaluate(() => Array.from(document.querySelectorAll('#figure title')).map((n) => n.textContent ?? ''));
  t.notOk(
    (await titlesAt()).some((s) => s.includes('epoch 2:')),
    'epoch 2 not drawn yet',
  );

  // Train while the page is open.
  live.progress({ epoch: 2, batch: 1, batches: 10, loss: 1.5 });
  await new Promise((r) => setTimeout(r, 30));
  live.progress({ epoch: 2, batch: 5, batches: 10, loss: 0.5 });
  await page.waitForFunction(
    () => (document.getElementById('progress')?.textContent ?? '').includes('batch 5/10'),
    undefined,
    { timeout: 15_000 },
  );
  const progress = await page.textContent('#progress');
  t.match(progress, /^epoch 2 · batch 5\/10 · loss 0\.5 · [\d.]+ batch\/s · ETA \S+$/);
  await trainEpoch(inspector);
  await trainEpoch(inspector);

  await page.waitForFunction(
    () =>
      document.getElementById('figure')?.dataset['epoch'] === '3' &&
      Array.from(document.querySelectorAll('#figure title')).some((n) => (n.textContent ?? '').includes('epoch 3:')),
    undefined,
    { timeout: 15_000 },
  );
  t.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'same document: no reload');
  t.ok(
    (await titlesAt()).some((s) => /^train loss · epoch 3: [\d.]+/.test(s)),
    'epoch 3 loss has a hover value',
  );
  t.match(await page.textContent('#epoch'), 'run 1 · epoch 3');

  // The hostile module name is text in the page, never an element.
  t.equal(await page.evaluate(() => document.querySelectorAll('img').length), 0, 'no <img> element');
  t.ok(
    await page.evaluate(
      (evil) => Array.from(document.querySelectorAll('#figure text')).some((n) => n.textContent === evil),
      EVIL,
    ),
    'the module name is shown as text',
  );

  t.same(problems, [], 'no console errors or warnings, no dialogs');
});

/** The status line's text and class, and the progress line. */
async function header(page: Page): Promise<{ status: string; className: string; progress: string; epoch: string }> {
  return page.evaluate(() => ({
    status: document.getElementById('status')?.textContent ?? '',
    className: document.getElementById('status')?.className ?? '',
    progress: document.getElementById('progress')?.textContent ?? '',
    epoch: document.getElementById('epoch')?.textContent ?? '',
  }));
}

t.test('the live page says when a run finished and stops its progress line', { skip: CHROMIUM_SKIP }, async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'monitorch-live-done-')), 'run');
  const inspector = new Inspector({ lenses: [new ScriptedLens()], runDir: dir, logger: null });
  inspector.attach(new ScriptedAdapter());
  const live = await serve(inspector);
  t.teardown(async () => {
    await live.close();
    await inspector.close();
  });
  await trainEpoch(inspector);
  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const problems: string[] = [];
  const open = async (url: string): Promise<Page> => {
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(url);
    return page;
  };

  // Training: live, with the batch progress and its ETA.
  const page = await open(live.url);
  await page.waitForFunction(() => document.getElementById('status')?.className === 'live', undefined, {
    timeout: 15_000,
  });
  live.progress({ epoch: 2, batch: 1, batches: 10, loss: 0.6 });
  await new Promise((r) => setTimeout(r, 30));
  live.progress({ epoch: 2, batch: 10, batches: 10, loss: 0.5 });
  await page.waitForFunction(
    () => (document.getElementById('progress')?.textContent ?? '').includes('ETA 0s'),
    undefined,
    { timeout: 15_000 },
  );

  // The run ends: finished, with the time, no progress line and no green dot.
  await inspector.close();
  await page.waitForFunction(() => document.getElementById('status')?.className === 'finished', undefined, {
    timeout: 15_000,
  });
  const finished = await header(page);
  t.match(finished.status, /^finished \d{1,2}[:.]\d{2}/, 'says finished, and when');
  t.equal(finished.progress, '', 'no "ETA 0s" left behind');
  t.equal(finished.epoch, 'run 1 · epoch 1 · finished');
  const dot = await page.evaluate(() =>
    getComputedStyle(document.getElementById('status') as HTMLElement, '::before').getPropertyValue('color'),
  );
  t.not(dot, 'rgb(44, 160, 44)', 'the dot is not the live green');

  // `monitorch serve` on the closed run directory: finished from the first message.
  const fromDir = await serve(dir, { pollMs: 50 });
  t.teardown(() => fromDir.close());
  const later = await open(fromDir.url);
  await later.waitForFunction(() => document.getElementById('status')?.className === 'finished', undefined, {
    timeout: 15_000,
  });
  t.match((await header(later)).status, /^finished \d{1,2}[:.]\d{2}/);
  t.equal((await header(later)).progress, '');

  // A server stopped mid-run: the page says so instead of reconnecting for ever.
  const running = scriptedInspector();
  const stopping = await serve(running);
  t.teardown(() => running.close());
  const third = await open(stopping.url);
  await third.waitForFunction(() => document.getElementById('status')?.className === 'live', undefined, {
    timeout: 15_000,
  });
  await stopping.close();
  await third.waitForFunction(() => document.getElementById('status')?.className === 'stopped', undefined, {
    timeout: 15_000,
  });
  t.match((await header(third)).status, 'stopped: the server was closed before the run finished');

  t.same(problems, [], 'no console errors or warnings');
});

t.test(
  'the live page draws the heat map, log norms and correlations of a run as it goes',
  { skip: CHROMIUM_SKIP },
  async (t) => {
    const inspector = new Inspector({ lenses: [new ScriptedLens(), new ScriptedGeometryLens()], logger: null });
    inspector.attach(new ScriptedAdapter());
    const live = await serve(inspector);
    t.teardown(async () => {
      await live.close();
      await inspector.close();
    });
    await trainEpoch(inspector);
    const browser = await launchChromium();
    t.teardown(() => browser.close());
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(live.url);
    await trainEpoch(inspector);
    await page.waitForFunction(() => document.getElementById('figure')?.dataset['epoch'] === '2', undefined, {
      timeout: 15_000,
    });
    const shown = await page.evaluate(() => ({
      headings: Array.from(document.querySelectorAll('#figure > svg > text')).map((n) => n.textContent ?? ''),
      cells: Array.from(document.querySelectorAll('#figure g[aria-label="rect"] rect title')).map(
        (n) => n.textContent ?? '',
      ),
      ramp: document.querySelectorAll('#figure g.share-legend rect').length,
      // What the browser lays out, not just what the markup says: the heat map has an area.
      cellArea: Array.from(document.querySelectorAll('#figure g[aria-label="rect"] rect')).reduce((a, r) => {
        const box = (r as SVGGraphicsElement).getBBox();
        return a + box.width * box.height;
      }, 0),
    }));
    for (const title of ['Output Distribution', 'Gradient Norm', 'Gradient Correlation'])
      t.ok(shown.headings.includes(title), `${title} column drawn`);
    // Epoch 2: bins 0.4, 0.3, 0.08, 0.1 and 0.12 above the range; epoch 1: 0.5, 0.3, 0.09, 0.05 and 0.06.
    t.same(
      shown.cells.filter((s) => s.includes('epoch 2')).map((s) => s.split('\n')[1]),
      ['[0, 1): 40 %', '[1, 2): 30 %', '[2, 3): 8 %', '[3, 4): 10 %', 'at or above 4: 12 %'],
      'the hover values are the shares the lens wrote (read back from its Arrow table)',
    );
    t.equal(shown.cells.filter((s) => s.includes('epoch 1')).length, 5);
    t.ok(shown.ramp >= 30, 'the share legend is drawn');
    t.ok(shown.cellArea > 0, 'cells are laid out with an area');
    t.same(problems, [], 'no console errors or warnings');
  },
);
