// The adapter on tfjs's WebGL backend in headless Chromium (SwiftShader's software WebGL): the
// backend's answers equal core's kernels, fit() with watch() fills the three seed lenses' tables
// and leaves no tensor behind per epoch.
import t from 'tap';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { chromium } from 'playwright-core';
import type { WebglResult } from './fixtures/webgl-entry.js';

const here = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

/** Node built-ins become empty modules: the page never writes run files (no runDir). */
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
  'fit() watched on the WebGL backend in Chromium',
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} missing (apt-get install -y chromium)` },
  async (t) => {
    const bundle = await build({
      entryPoints: [join(here, 'fixtures', 'webgl-entry.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      plugins: [nodeBuiltinsAsStubs],
    });
    const app = bundle.outputFiles[0]!.contents;
    const server: Server = createServer((req, res) => {
      if (req.url === '/') {
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><script type="module" src="/app.js"></script>');
      } else if (req.url === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(app);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as { port: number }).port;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--no-first-run'],
    });
    t.teardown(() => browser.close());
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => typeof (globalThis as { runWebgl?: unknown }).runWebgl === 'function');
    const result = (await page.evaluate(async () =>
      (globalThis as unknown as { runWebgl(): Promise<unknown> }).runWebgl(),
    )) as WebglResult;
    t.same(pageErrors, []);
    t.equal(result.backend, 'webgl', 'tfjs ran on WebGL');
    for (const a of result.answers) t.same(a.got, a.want, `${a.what}: equal to core's kernel`);
    t.same(result.warnings, [], 'no warning');
    for (const table of ['loss-metrics', 'output-activation', 'gradient-activation']) {
      t.ok((result.tables[table] ?? 0) > 0, `${table} has ${result.tables[table]} rows`);
    }
    const [first, ...rest] = result.tensorsPerEpoch;
    t.same(rest, [first, first], `tensors after every epoch: ${result.tensorsPerEpoch.join(', ')}`);
  },
);
