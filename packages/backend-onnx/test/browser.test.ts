import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_SKIP, bundleForBrowser, launchChromium, servePage } from '../../../test/helpers/chromium.js';
import { trainSmallNetwork, type BrowserTrainingResult } from './fixtures/browser-training.js';

const here = dirname(fileURLToPath(import.meta.url));
// The package's CommonJS entry lives in dist/, next to the wasm files.
const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));

t.test(
  'the same graph builder and Trainer train in Chromium with onnxruntime-web (wasm) and feed a lens',
  { skip: CHROMIUM_SKIP },
  async (t) => {
    const app = await bundleForBrowser(join(here, 'fixtures', 'browser-entry.ts'));
    const served = await servePage(app, (path) => {
      if (!path.startsWith('/ort/') || !/^[\w.-]+$/.test(path.slice(5))) return undefined;
      const file = join(ortDist, path.slice(5));
      if (!existsSync(file)) return undefined;
      return { type: file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript', body: readFileSync(file) };
    });
    t.teardown(() => served.close());
    const browser = await launchChromium('none');
    t.teardown(() => browser.close());
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(served.url);
    await page.waitForFunction(() => typeof (globalThis as { runTraining?: unknown }).runTraining === 'function');
    const result = (await page.evaluate(
      async (base) => (globalThis as unknown as { runTraining(b: string): Promise<unknown> }).runTraining(base),
      `${served.url}ort/`,
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
