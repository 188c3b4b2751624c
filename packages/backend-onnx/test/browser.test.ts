import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
// The package's CommonJS entry lives in dist/, next to the wasm files.
const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
const CHROMIUM = '/usr/bin/chromium';

/** Node built-ins become empty modules: the browser path never calls them (files, workers). */
const nodeBuiltinsAsStubs: Plugin = {
  name: 'node-builtins-as-stubs',
  setup(b) {
    b.onResolve({ filter: /^(node:|fs$|path$|os$|url$|module$|worker_threads$)/ }, (args) => ({ path: args.path, namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

t.test('the same Trainer trains in Chromium with onnxruntime-web (wasm) and feeds a lens', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} missing (apt-get install -y chromium)` }, async (t) => {
  const bundle = await build({
    entryPoints: [join(here, 'fixtures', 'browser-entry.ts')],
    bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent',
    plugins: [nodeBuiltinsAsStubs],
  });
  const app = bundle.outputFiles[0]!.contents;
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/app.js"></script>');
    } else if (url === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(app);
    } else if (url.startsWith('/ort/') && /^[\w.-]+$/.test(url.slice(5))) {
      const file = join(ortDist, url.slice(5));
      if (!existsSync(file)) { res.writeHead(404).end(); return; }
      const type = file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
      res.writeHead(200, { 'content-type': type }).end(readFileSync(file));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => typeof (globalThis as { runTraining?: unknown }).runTraining === 'function');
  const result = await page.evaluate(async (base) => (globalThis as unknown as { runTraining(b: string): Promise<unknown> }).runTraining(base), `http://127.0.0.1:${port}/ort/`) as {
    device: string; events: string[]; tableRows: number; userAgent: string;
    epochs: { loss: number; valLoss: number; accuracy: number; rows: { quantity: string; phase: string; module: string; mean: number }[] }[];
  };
  t.same(pageErrors, []);
  t.match(result.userAgent, /Chrome/);
  t.equal(result.device, 'cpu');
  t.same(result.events.slice(0, 3), ['forward:train', 'loss:train', 'step:train'], 'the lens\'s request reached the graph');
  t.equal(result.epochs.length, 3);
  const losses = result.epochs.map((e) => e.loss);
  t.ok(losses[2]! < losses[0]!, `training loss falls: ${losses.map((l) => l.toFixed(4)).join(' → ')}`);
  t.equal(result.epochs[2]!.accuracy, 1, 'two separable blobs are learnt');
  for (const [k, epoch] of result.epochs.entries()) {
    const rates = epoch.rows.filter((r) => r.quantity === 'activation_rate' && r.module === 'lin');
    t.same(rates.map((r) => r.phase).sort(), ['train', 'val'], `epoch ${k + 1}: rows for both phases`);
    for (const r of rates) t.ok(r.mean >= 0 && r.mean <= 1, `rate ${r.mean} in [0, 1]`);
  }
  t.ok(result.tableRows > 0, 'the lens table filled in the page');
});
