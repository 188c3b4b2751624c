// Runs every benchmark area (bench/<area>.mjs) in one process, side by side, and prints the
// figures. Usage: npm run bench [-- [--json] [area ...]]
//   --json   print one JSON object (the ONNX step figures at top level, other areas nested)
//   area     run only these areas (kernels, arrow, bus, lenses, onnx, viz, memory)
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const ORDER = ['kernels', 'arrow', 'bus', 'lenses', 'memory', 'viz', 'onnx'];
const args = process.argv.slice(2);
const json = args.includes('--json');
const wanted = args.filter((a) => !a.startsWith('--'));
const areas = ORDER.filter((a) => (wanted.length === 0 || wanted.includes(a)) && existsSync(join(here, `${a}.mjs`)));

const results = {};
const realLog = console.log;
if (json) console.log = (...m) => process.stderr.write(`${m.join(' ')}\n`);
for (const area of areas) {
  const mod = await import(join(here, `${area}.mjs`));
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
