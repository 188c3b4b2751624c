import t from 'tap';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { serve } from '@monitorch/viz';
import { EVIL, scriptedInspector, trainEpoch } from './fixtures/scripted-run.js';

const CHROMIUM = '/usr/bin/chromium';

t.test(
  'the live page in real Chromium follows a run without reloading',
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed` },
  async (t) => {
    const inspector = scriptedInspector();
    const live = await serve(inspector);
    let browser: Browser | undefined;
    t.teardown(async () => {
      await browser?.close();
      await live.close();
      await inspector.close();
    });
    await trainEpoch(inspector);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
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
      () =>
        document.getElementById('figure')?.dataset['epoch'] === '1' && document.querySelector('#figure svg') !== null,
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
    t.equal(
      await page.evaluate(() => (window as unknown as { marker?: number }).marker),
      42,
      'same document: no reload',
    );
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
  },
);
