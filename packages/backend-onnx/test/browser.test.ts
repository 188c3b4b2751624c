import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { chromium } from 'playwright-core';
import { trainSmallNetwork, type BrowserTrainingResult } from './fixtures/browser-training.js';

const here = dirname(fileURLToPath(import.meta.url));
// The package's CommonJS entry lives in dist/, next to the wasm files.
const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
const CHROMIUM = '/usr/bin/chromium';

/** Node built-ins become empty modules: the browser path never calls them (files, workers). */
const nodeBuiltinsAsStubs: Plugin = {
  name: 'node-builtins-as-stubs',
  setup(b) {
    b.onResolve({ filter: /^(node:|fs$|path$|os$|url$|module$|worker_threads$)/ }, (args) => ({
      path: args.path,
      namespace: 'stub',
    }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

t.test(
  'the same graph builder and Trainer train in Chromium with onnxruntime-web (wasm) and feed a lens',
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} missing (apt-get install -y chromium)` },
  async (t) => {
    const bundle = await build({
      entryPoints: [join(here, 'fixtures', 'browser-entry.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      plugins: [nodeBuiltinsAsStubs],
    });
    const app = bundle.outputFiles[0]!.contents;
    const server: Server = createServer((req, res) => {
      const url = req.url ?? '/';
      if (url === '/') {
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><script type="module" src="/app.js"></script>');
      } else if (url === '/app.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(app);
      } else if (url.startsWith('/ort/') && /^[\w.-]+$/.test(url.slice(5))) {
        const file = join(ortDist, url.slice(5));
        if (!existsSync(file)) {
          res.writeHead(404).end();
          return;
        }
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
    t.teardown(() => browser.close());
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => typeof (globalThis as { runTraining?: unknown }).runTraining === 'function');
    const result = (await page.evaluate(
      async (base) => (globalThis as unknown as { runTraining(b: string): Promise<unknown> }).runTraining(base),
      `http://127.0.0.1:${port}/ort/`,
    )) as BrowserTrainingResult & { userAgent: string };
    t.same(pageErrors, []);
    t.match(result.userAgent, /Chrome/);
    t.equal(result.device, 'cpu');
    t.same(
      result.events.slice(0, 4),
      ['output:train', 'output:train', 'loss:train', 'step:train'],
      "the lens's requests reached the graph: act and drop outputs, then loss and step",
    );
    t.equal(result.epochs.length, 3);
    const losses = result.epochs.map((e) => e.loss);
    t.ok(losses[2]! < losses[0]!, `training loss falls: ${losses.map((l) => l.toFixed(4)).join(' → ')}`);
    t.equal(result.epochs[2]!.accuracy, 1, 'two separable blobs are learnt');
    for (const [k, epoch] of result.epochs.entries()) {
      for (const module of ['act', 'drop']) {
        const rates = epoch.rows.filter((r) => r.quantity === 'activation_rate' && r.module === module);
        t.same(rates.map((r) => r.phase).sort(), ['train', 'val'], `epoch ${k + 1}, ${module}: rows for both phases`);
        for (const r of rates) t.ok(r.mean >= 0 && r.mean <= 1, `rate ${r.mean} in [0, 1]`);
      }
    }
    t.ok(result.tableRows > 0, 'the lens table filled in the page');

    // The same run in Node (onnxruntime-node): the same graphs, seed and dropout masks give the
    // same numbers, up to the float32 rounding of two different builds of the CPU kernels.
    const node = await trainSmallNetwork(await import('onnxruntime-node'));
    for (const [k, epoch] of result.epochs.entries()) {
      const ref = node.epochs[k]!;
      t.ok(
        Math.abs(epoch.loss - ref.loss) <= 1e-4 * Math.abs(ref.loss),
        `epoch ${k + 1}: train loss ${epoch.loss} in the page, ${ref.loss} in Node`,
      );
      t.ok(
        Math.abs(epoch.valLoss - ref.valLoss) <= 1e-4 * Math.abs(ref.valLoss),
        `epoch ${k + 1}: val loss ${epoch.valLoss} vs ${ref.valLoss}`,
      );
      t.equal(epoch.accuracy, ref.accuracy, `epoch ${k + 1}: accuracy`);
    }
  },
);
