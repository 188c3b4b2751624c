/**
 * `npm run example:browser`: builds and serves a page on 127.0.0.1 that trains the seed
 * notebook (the 2D case or MNIST) in the browser — onnxruntime-web (WASM or WebGPU) in a Web
 * Worker, the lenses and the figure in the page. `npm run example:browser -- --help` lists the options.
 */
import { Command, Option } from 'commander';
import { startBrowserExample } from './browser/browser-server.js';
import { runMain } from './shared/exit-on-error.js';
import { integer } from './shared/number-options.js';

const program = new Command('npm run example:browser --')
  .description('Serve a page on 127.0.0.1 that trains the seed notebook in the browser, with live lenses and figure.')
  .option('--port <n>', 'port on 127.0.0.1 (0: any free port)', integer, 8123)
  .addOption(
    new Option('--no-isolation', 'leave out the COOP/COEP headers (WASM then runs on one thread; the page says so)'),
  )
  .showHelpAfterError('(--help lists the options)')
  .parse();

const opts = program.opts<{ port: number; isolation: boolean }>();

await runMain(async () => {
  const example = await startBrowserExample({ port: opts.port, isolation: opts.isolation });
  console.log(`monitorch · train in the browser · open ${example.url} (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await example.close();
});
