/**
 * Drives the browser example's page in Debian's Chromium (playwright-core): fills in the
 * controls, trains to the end, records the figure after every epoch, collects console errors,
 * and downloads the run's Arrow files.
 */
import type { Browser, Page } from 'playwright-core';

/** What the page was asked to train. */
export interface PageRunConfig {
  readonly case: '2d' | 'mnist';
  readonly device: 'wasm' | 'webgpu';
  readonly epochs: number;
  readonly batchSize: number;
  readonly dropout: number;
  readonly limit?: number;
}

/** What one run on the page gave. */
export interface PageRun {
  /** The figure's SVG after each epoch (index 0: epoch 1), as drawn in the page. */
  readonly figures: string[];
  /** Whether the page was never reloaded during the run (the same JS realm from start to end). */
  readonly sameDocument: boolean;
  /** Console errors and uncaught page errors. */
  readonly errors: string[];
  /** The downloaded Arrow files, by file name. */
  readonly files: Map<string, Buffer>;
  /** The downloaded figure. */
  readonly figureSvg: string;
  /** The downloaded PNG of the figure. */
  readonly figurePng: Buffer;
  /** The last progress line. */
  readonly progress: string;
  /** Mean ms per train step in the last epoch, measured in the worker. */
  readonly stepMs: number;
}

/** Opens `url` in a new page of `browser`, collecting errors from the start. */
export async function openPage(browser: Browser, url: string, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { page, errors };
}

/** Trains `config` on an opened page and collects the results. */
export async function trainOnPage(page: Page, errors: string[], config: PageRunConfig): Promise<PageRun> {
  await page.selectOption('#case', config.case);
  await page.fill('#dropout', String(config.dropout));
  await page.fill('#epochs', String(config.epochs));
  await page.fill('#batch', String(config.batchSize));
  if (config.limit !== undefined) await page.fill('#limit', String(config.limit));
  if (config.device === 'webgpu') await page.waitForSelector('body[data-webgpu="yes"]');
  await page.selectOption('#device', config.device);
  // Every figure the page draws, recorded as it is drawn (training does not wait for the test).
  await page.evaluate(() => {
    const w = globalThis as { realmMark?: number; figureHistory?: string[]; figureObserver?: MutationObserver };
    w.realmMark = 1;
    w.figureObserver?.disconnect();
    const history: string[] = [];
    w.figureHistory = history;
    const figure = document.getElementById('figure')!;
    w.figureObserver = new MutationObserver(() => {
      if (figure.innerHTML !== '') history.push(figure.innerHTML);
    });
    w.figureObserver.observe(figure, { childList: true });
  });
  await page.click('#start');
  await page.waitForFunction(() => !['running', 'idle'].includes(document.body.dataset['state'] ?? ''), undefined, {
    timeout: 0,
    polling: 250,
  });
  const state = await page.evaluate(() => document.body.dataset['state']);
  if (state !== 'done') throw new Error(`the page ended '${state}': ${await page.textContent('#progress')}`);
  const figures = await page.evaluate(() => (globalThis as { figureHistory?: string[] }).figureHistory ?? []);
  const sameDocument = await page.evaluate(() => (globalThis as { realmMark?: number }).realmMark === 1);
  const files = new Map<string, Buffer>();
  const links = await page.$$eval('#files a', (as) => as.map((a) => a.getAttribute('download') ?? ''));
  for (const name of links) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#files a[download="${name}"]`)]);
    files.set(name, await streamToBuffer(await download.createReadStream()));
  }
  const [figureDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-figure')]);
  const figureSvg = (await streamToBuffer(await figureDownload.createReadStream())).toString('utf8');
  const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-png')]);
  const figurePng = await streamToBuffer(await pngDownload.createReadStream());
  return {
    figures,
    sameDocument,
    errors,
    files,
    figureSvg,
    figurePng,
    progress: (await page.textContent('#progress')) ?? '',
    stepMs: Number(await page.evaluate(() => document.body.dataset['stepMs'])),
  };
}

async function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
