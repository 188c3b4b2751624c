// Runs every benchmark area (bench/<area>.mjs) in one process, side by side, and prints the
// figures. Usage: npm run bench [-- [--json] [area ...]]; --help lists the options.
import { Argument, Command } from 'commander';
import { environmentHelp } from './cli.mjs';

const here = new URL('.', import.meta.url);
const ORDER = [
  'kernels',
  'arrow',
  'bus',
  'lenses',
  'memory',
  'viz',
  'runs',
  'onnx',
  'onnx-lenses',
  'lens-goal',
  'tfjs',
  'browser',
];
const program = new Command('npm run bench --')
  .description('Runs every benchmark area (bench/<area>.mjs) in one process, side by side, and prints the figures.')
  .addArgument(new Argument('[area...]', 'run only these areas (default: all, in this order)').choices(ORDER))
  .option('--json', 'print one JSON object (the ONNX step figures at top level, other areas nested)')
  .addHelpText('after', environmentHelp(ORDER))
  .showHelpAfterError('(--help lists the options)')
  .parse();
const json = program.opts().json === true;
const wanted = program.processedArgs[0] ?? [];
const areas = ORDER.filter((a) => wanted.length === 0 || wanted.includes(a));

const results = {};
const realLog = console.log;
if (json) console.log = (...m) => process.stderr.write(`${m.join(' ')}\n`);
for (const area of areas) {
  const mod = await import(new URL(`${area}.mjs`, here).href);
  console.log(`\n== ${area} ==`);
  try {
    results[area] = await mod.run({ json });
  } catch (e) {
    console.log(`bench ${area} failed: ${e instanceof Error ? e.stack : String(e)}`);
    results[area] = { error: String(e) };
  }
}
console.log = realLog;
if (json) {
  const onnx = results.onnx ?? {};
  const keys = ['stepMs', 'stepNoLensMs', 'lensOverhead', 'torchStepMs', 'speedupVsTorch'];
  const top = Object.fromEntries(keys.map((k) => [k, onnx[k] ?? null]));
  console.log(JSON.stringify({ ...top, ...results }));
}
