// The browser example (`npm run example:browser`) in Debian's Chromium: the page trains the 2D
// case and a short MNIST epoch in a Web Worker (onnxruntime-web), the figure is redrawn after
// every epoch without a reload, no console errors, and the downloaded run is read back by
// polars with the schema of a Node run; then the same on WebGPU (SwiftShader) with the WASM
// run's losses. Plus the server's security rules and the page at phone and desktop sizes.
import t, { type Test } from 'tap';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { tableFromIPC } from 'apache-arrow';
import { Inspector } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import { startBrowserExample, type BrowserExample } from '../examples/dist/browser/browser-server.js';
import { browserPageHtml } from '../examples/dist/browser/page-html.js';
import { openPage, trainOnPage, type PageRun, type PageRunConfig } from './helpers/browser-example-driver.js';
import { CHROMIUM_SKIP as skip, launchChromium } from './helpers/chromium.js';
const SCREENSHOTS = join(process.cwd(), '.tap', 'browser-example');

const TWO_D: Omit<PageRunConfig, 'device'> = { case: '2d', epochs: 3, batchSize: 8, dropout: 0.2 };
const MNIST: Omit<PageRunConfig, 'device'> = { case: 'mnist', epochs: 1, batchSize: 32, dropout: 0.3, limit: 96 };

/** Raw GET (no URL normalisation by a client library), with an optional Host header. */
function get(url: string, path: string, options: { host?: string; method?: string } = {}) {
  const { hostname, port } = new URL(url);
  return new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      { hostname, port, path, method: options.method ?? 'GET', headers: options.host ? { host: options.host } : {} },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Loss rows (epoch, phase → loss) of a downloaded loss-metrics file, read by polars. */
function losses(run: PageRun): Map<string, number> {
  const df = pl.readIPC(run.files.get('loss-metrics.arrow')!);
  const out = new Map<string, number>();
  for (const r of df.filter(pl.col('quantity').eq(pl.lit('loss'))).toRecords())
    out.set(`${String(r['epoch'])} ${String(r['phase'])}`, Number(r['mean']));
  return out;
}

/** Field names and Arrow types of each table of a Node Inspector with the page's lenses. */
function nodeSchemas(): Map<string, string[]> {
  const inspector = new Inspector({
    lenses: [new LossMetrics({ metrics: ['val_accuracy'] }), new OutputActivation(), new ParameterGradientActivation()],
    logger: null,
  });
  const out = new Map<string, string[]>();
  for (const [name, table] of inspector.allTables())
    out.set(
      `${name}.arrow`,
      table.schema.fields.map((f) => `${f.name}:${String(f.type)}`),
    );
  return out;
}

function checkRun(t: Test, run: PageRun, config: Omit<PageRunConfig, 'device'>, what: string): void {
  t.same(run.errors, [], `${what}: no console errors`);
  t.ok(run.sameDocument, `${what}: the page was never reloaded`);
  t.equal(run.figures.length, config.epochs, `${what}: a figure after each of the ${config.epochs} epochs`);
  for (let k = 1; k < run.figures.length; k++)
    t.not(run.figures[k], run.figures[k - 1], `${what}: the figure changed after epoch ${k + 1}`);
  t.match(run.figures.at(-1), /<svg[^>]*viewBox/, `${what}: an SVG figure in the page`);
  t.match(run.figures.at(-1), /<title>/, `${what}: with hover values (SVG titles)`);
  const titles = (svg: string): number => svg.split('<title>').length - 1;
  t.match(
    run.figureSvg,
    /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    `${what}: "Download figure" gives an SVG file`,
  );
  t.equal(titles(run.figureSvg), titles(run.figures.at(-1)!), `${what}: the figure drawn last, value for value`);
  // "Download PNG": a PNG twice the SVG's size (the signature, then the IHDR chunk's width and height).
  const svgSize = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(run.figureSvg);
  t.same([...run.figurePng.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], `${what}: "Download PNG" gives a PNG`);
  t.same(
    [run.figurePng.readUInt32BE(16), run.figurePng.readUInt32BE(20)],
    [Number(svgSize?.[1]) * 2, Number(svgSize?.[2]) * 2],
    `${what}: the PNG is the figure at twice its size`,
  );
  const schemas = nodeSchemas();
  t.same([...run.files.keys()].sort(), [...schemas.keys()].sort(), `${what}: one Arrow file per lens table`);
  for (const [name, bytes] of run.files) {
    const table = tableFromIPC(bytes);
    t.same(
      table.schema.fields.map((f) => `${f.name}:${String(f.type)}`),
      schemas.get(name),
      `${what}: ${name} has a Node run's schema`,
    );
    const df = pl.readIPC(bytes);
    t.ok(df.height > 0, `${what}: polars reads ${df.height} rows of ${name}`);
    t.same(
      [...new Set(df.getColumn('epoch').toArray().map(Number))].sort((a, b) => a - b),
      Array.from({ length: config.epochs }, (_, i) => i + 1),
      `${what}: ${name} holds every epoch`,
    );
  }
  const loss = losses(run);
  for (let e = 1; e <= config.epochs; e++) {
    t.ok(Number.isFinite(loss.get(`${e} train`)), `${what}: epoch ${e} train loss ${loss.get(`${e} train`)}`);
    t.ok(Number.isFinite(loss.get(`${e} val`)), `${what}: epoch ${e} val loss ${loss.get(`${e} val`)}`);
  }
}

t.test(
  'the server: loopback only, fixed routes, no traversal, isolation headers, escaped title',
  { skip },
  async (t) => {
    const example = await startBrowserExample();
    t.teardown(() => example.close());
    t.match(example.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(example.url, '/');
    t.equal(page.status, 200);
    t.equal(page.headers['cross-origin-opener-policy'], 'same-origin');
    t.equal(page.headers['cross-origin-embedder-policy'], 'require-corp');
    t.equal((await get(example.url, '/data/train-labels-idx1-ubyte')).status, 200, 'the IDX files are served');
    t.equal((await get(example.url, '/ort/ort-wasm-simd-threaded.jsep.wasm')).status, 200, "and ORT's WASM");
    for (const path of [
      '/../package.json',
      '/data/../../package.json',
      '/data/%2e%2e/package.json',
      '/ort/../package.json',
      '/ort/ort.min.js',
      '/ort/ort-wasm-simd-threaded.wasm/../../../package.json',
      '/etc/passwd',
    ])
      t.equal((await get(example.url, path)).status, 404, `${path}: not found`);
    t.equal(
      (await get(example.url, '/', { host: 'evil.example:80' })).status,
      403,
      'another Host header (DNS rebinding)',
    );
    t.equal((await get(example.url, '/', { method: 'POST' })).status, 405, 'POST');
    t.match(
      browserPageHtml('<img src=x onerror=alert(1)>'),
      /&lt;img src=x onerror=alert\(1\)&gt;/,
      'the title is escaped',
    );
    t.notMatch(browserPageHtml('<img src=x onerror=alert(1)>'), /<img/);
  },
);

t.test('without cross-origin isolation the page says WASM runs on one thread', { skip }, async (t) => {
  const example = await startBrowserExample({ isolation: false });
  t.teardown(() => example.close());
  const browser = await launchChromium('none');
  t.teardown(() => browser.close());
  const { page, errors } = await openPage(browser, example.url);
  t.match(await page.textContent('#note'), /not cross-origin isolated.*one thread/);
  t.ok(await page.isVisible('#note'), 'the note is visible');
  const run = await trainOnPage(page, errors, { ...TWO_D, epochs: 1, device: 'wasm' });
  t.match(run.progress, /wasm \(1 thread\)/, run.progress);

  // Stop: a long run ended after its first epoch keeps that epoch's figure and files.
  await page.fill('#epochs', '200');
  await page.click('#start');
  await page.waitForFunction(() => Number(document.body.dataset['epochsDrawn']) >= 1, undefined, { timeout: 0 });
  await page.click('#stop');
  t.equal(await page.evaluate(() => document.body.dataset['state']), 'stopped', 'Stop ends the run');
  t.match(await page.textContent('#progress'), /^stopped/);
  t.match(await page.innerHTML('#figure'), /<svg/, 'the figure of the closed epochs stays');
  t.equal(await page.locator('#files a').count(), 3, 'and so do the run files');
  t.notOk(await page.isDisabled('#start'), 'a new run can start');
  t.same(errors, [], 'no console errors');
});

let example: BrowserExample | undefined;
const wasmRuns = new Map<string, PageRun>();

t.test('WASM: the 2D case to the end and a short MNIST epoch, the figure redrawn each epoch', { skip }, async (t) => {
  example = await startBrowserExample();
  const browser = await launchChromium('none');
  t.teardown(() => browser.close());
  const { page, errors } = await openPage(browser, example.url);
  t.equal(await page.textContent('#note'), '', 'isolated: no one-thread note');
  const twoD = await trainOnPage(page, errors, { ...TWO_D, device: 'wasm' });
  t.match(twoD.progress, /^done: 3 epoch\(s\) on wasm \(\d+ threads?\)/, twoD.progress);
  checkRun(t, twoD, TWO_D, 'WASM 2D');
  wasmRuns.set('2d', twoD);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, 'desktop-1280x800.png') });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SCREENSHOTS, 'phone-390x844.png') });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  t.equal(overflow, 0, 'at 390 px the page itself does not scroll sideways (the figure scrolls in its box)');
  const start = await page.locator('#start').boundingBox();
  t.ok(start !== null && start.x + start.width <= 390 && start.height >= 36, 'Start is on screen and tappable');
  await page.setViewportSize({ width: 1280, height: 800 });
  const mnist = await trainOnPage(page, errors, { ...MNIST, device: 'wasm' });
  checkRun(t, mnist, MNIST, 'WASM MNIST');
  wasmRuns.set('mnist', mnist);
  t.comment(`screenshots in ${SCREENSHOTS}; seed-CNN step (batch ${MNIST.batchSize}) in the page: ${mnist.stepMs} ms`);
});

t.test('WebGPU (SwiftShader): the same runs give the WASM losses', { skip }, async (t) => {
  t.teardown(() => example?.close());
  if (example === undefined || wasmRuns.size < 2) {
    t.fail('the WASM runs did not finish');
    return;
  }
  const browser = await launchChromium('webgpu');
  t.teardown(() => browser.close());
  const { page, errors } = await openPage(browser, example.url);
  for (const [name, config] of [
    ['2d', TWO_D],
    ['mnist', MNIST],
  ] as const) {
    const run = await trainOnPage(page, errors, { ...config, device: 'webgpu' });
    t.match(run.progress, /^done: .* on webgpu/, run.progress);
    checkRun(t, run, config, `WebGPU ${name}`);
    const want = losses(wasmRuns.get(name)!);
    const got = losses(run);
    t.same([...got.keys()], [...want.keys()], `WebGPU ${name}: the same loss rows`);
    let worst = 0;
    for (const [key, w] of want) worst = Math.max(worst, Math.abs(got.get(key)! - w) / Math.abs(w));
    t.comment(`WebGPU ${name} losses vs WASM: worst relative difference ${worst.toExponential(2)}`);
    t.ok(
      worst < 1e-4,
      `WebGPU ${name}: losses equal the WASM run's within float32 tolerance (${worst.toExponential(2)})`,
    );
  }
});
