// Runs-page benchmark: what one refresh of `monitorch serve runs/` costs with 200 runs, side
// by side with what reading every run's tables per refresh (the naive page) would cost. The
// page polls once a second, so the first figure is the per-second cost of an open page.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inspector, LoopAdapter } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { RunList, readRunTables } from '@monitorch/viz';
import { areaOptions, isMain } from './cli.mjs';

const RUNS = 200;
const EPOCHS = 30;
const LAYERS = 8;

/** One finished run: loss and output activation of LAYERS layers over EPOCHS epochs. */
async function templateRun(dir) {
  const inspector = new Inspector({
    lenses: [new LossMetrics(), new OutputActivation()],
    runDir: dir,
    logger: null,
    durable: false,
  });
  const loop = new LoopAdapter();
  inspector.attach(loop);
  for (let e = 1; e <= EPOCHS; e++) {
    loop.loss(1 / e);
    for (let l = 0; l < LAYERS; l++) {
      loop.output(
        `net.relu${l}`,
        Float32Array.from({ length: 64 }, (_, i) => ((i + e + l) % 3) - 1),
        [4, 16],
        {
          kind: 'activation',
        },
      );
    }
    await inspector.tickEpoch();
  }
  await inspector.close();
}

function median(f, n = 5) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)];
}

export async function run() {
  const root = mkdtempSync(join(tmpdir(), 'monitorch-bench-runs-'));
  try {
    await templateRun(join(root, 'template'));
    const dir = join(root, 'runs');
    for (let i = 0; i < RUNS; i++) cpSync(join(root, 'template'), join(dir, `run-${i}`), { recursive: true });
    const list = new RunList(dir);
    list.scan();
    const scanMs = median(() => list.scan());
    const firstPageMs = median(() => {
      const fresh = new RunList(dir);
      fresh.scan();
      fresh.rows(0, 50);
    }, 3);
    const naiveMs = median(() => {
      for (let i = 0; i < RUNS; i++) readRunTables(join(dir, `run-${i}`));
    }, 3);
    const result = {
      runs: RUNS,
      epochs: EPOCHS,
      layers: LAYERS,
      pollMs: Math.round(scanMs * 10) / 10,
      firstPageMs: Math.round(firstPageMs),
      readAllMs: Math.round(naiveMs),
      ratio: Math.round(naiveMs / scanMs),
    };
    console.log(`runs page over ${RUNS} finished runs (${EPOCHS} epochs, loss + ${LAYERS}-layer activations each):`);
    console.log(`  one poll (list, stat, nothing changed)  ${result.pollMs} ms`);
    console.log(`  reading every run's tables             ${result.readAllMs} ms   (${result.ratio}× a poll)`);
    console.log(`  a fresh server's first page (50 rows)  ${result.firstPageMs} ms`);
    return result;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url))
  await run(
    areaOptions('runs', 'What one refresh of the runs page costs with 200 runs, against reading all their tables.'),
  );
