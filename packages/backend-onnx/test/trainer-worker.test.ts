import t from 'tap';
import { Inspector, defineTable, type Lens, type LossEvent, type TableRow, type TableSpec } from '@monitorch/core';
import { DataLoader, TensorDataset, Trainer } from '@monitorch/backend-onnx';
import { linearClassifier } from './fixtures/linear-classifier.js';

// Big enough that one step takes milliseconds: Gemm 512 × 1500 × 400, forward and backward.
const F = 1500;
const C = 400;
const N = 512;
const BATCHES = 6;

/**
 * Trains one epoch while a 1 ms interval timer measures how late it fires. `blocked` is the
 * share of the epoch the event loop could not run the timer: the sum of its delays over the
 * epoch's time. A sum is far steadier than the largest delay on a loaded machine, where one
 * preemption of the process makes a single delay long whichever thread trains.
 */
async function timerLag(worker: boolean): Promise<{ lag: number; blocked: number; stepMs: number }> {
  const x = new Float32Array(N * BATCHES * F);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
  const y = Int32Array.from({ length: N * BATCHES }, (_, i) => i % C);
  const loader = new DataLoader(new TensorDataset(x, [F], y), { batchSize: N });
  const trainer = await Trainer.fromCompiler({
    compiler: linearClassifier({ features: F, classes: C, learningRate: 0.01 }),
    worker,
  });
  try {
    await trainer.trainEpoch(
      new DataLoader(new TensorDataset(x.subarray(0, N * F), [F], y.subarray(0, N)), { batchSize: N }),
    ); // warm-up
    let lag = 0;
    let late = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      const delay = Math.max(0, now - last - 1);
      lag = Math.max(lag, delay);
      late += delay;
      last = now;
    }, 1);
    const started = performance.now();
    await trainer.trainEpoch(loader);
    const elapsed = performance.now() - started;
    clearInterval(timer);
    late += Math.max(0, performance.now() - last - 1);
    return { lag, blocked: late / elapsed, stepMs: elapsed / BATCHES };
  } finally {
    await trainer.close();
  }
}

t.test('training in the worker keeps the event loop responsive (relative to in-process)', async (t) => {
  const inProcess = await timerLag(false);
  const inWorker = await timerLag(true);
  const pct = (v: number): string => `${(100 * v).toFixed(0)} %`;
  t.comment(
    `step ${inProcess.stepMs.toFixed(1)} ms in-process, ${inWorker.stepMs.toFixed(1)} ms in the worker; ` +
      `max timer lag ${inProcess.lag.toFixed(1)} ms vs ${inWorker.lag.toFixed(1)} ms; ` +
      `event loop blocked ${pct(inProcess.blocked)} vs ${pct(inWorker.blocked)} of the epoch`,
  );
  // In-process, session.run blocks the thread for every step, so the loop is blocked most of the
  // epoch; in the worker only batch gathering and reporting run on this thread.
  t.ok(inWorker.blocked < inProcess.blocked / 2, 'the event loop is blocked far less with the worker');
});

/** A lens that takes `foldMs` of this thread to fold each training loss, noting when it is done. */
class SlowLens implements Lens {
  readonly id = 'slow';
  readonly requests = [];
  readonly table: TableSpec = defineTable('slow', [], { panels: [] });
  readonly foldEnds: number[] = [];
  constructor(private readonly foldMs: number) {}
  reset(): void {}
  foldLoss(e: LossEvent): void {
    if (e.phase !== 'train') return;
    const until = performance.now() + this.foldMs;
    while (performance.now() < until) {
      // busy: folding a big statistic
    }
    this.foldEnds.push(performance.now());
  }
  tick(): TableRow[] {
    return [];
  }
}

t.test('the lenses fold a step while the next one already runs in the worker', async (t) => {
  const x = new Float32Array(N * BATCHES * F).map((_, i) => ((i * 2654435761) % 1000) / 1000 - 0.5);
  const y = Int32Array.from({ length: N * BATCHES }, (_, i) => i % C);
  const loader = new DataLoader(new TensorDataset(x, [F], y), { batchSize: N });
  const trainer = await Trainer.fromCompiler({
    compiler: linearClassifier({ features: F, classes: C, learningRate: 0.01 }),
    worker: true,
  });
  t.teardown(() => trainer.close());
  const stamps = async (): Promise<number[]> => {
    const settled: number[] = [];
    await trainer.trainEpoch(loader, { progress: () => settled.push(performance.now()) });
    return settled;
  };
  await stamps(); // warm-up
  const plain = await stamps();
  const stepMs = median(plain.slice(1).map((s, i) => s - (plain[i] as number)));

  // Folding takes several steps' time. When it overlaps the next step, that step's result is
  // already waiting when the fold ends; when it delays the next step's start, a whole step
  // lies between them.
  const lens = new SlowLens(Math.max(100, 3 * stepMs));
  const inspector = new Inspector({ lenses: [lens], logger: null });
  inspector.attach(trainer);
  const settled = await stamps();
  inspector.detach();
  await inspector.close();
  t.equal(lens.foldEnds.length, BATCHES, 'every step folded');
  // The fold of step k ends, then step k + 1 settles (the last step has no successor).
  const waits = lens.foldEnds.slice(0, -1).map((end, k) => (settled[k + 1] as number) - end);
  const wait = median(waits);
  t.comment(
    `step ${stepMs.toFixed(1)} ms; from a fold's end to the next step's result: ${waits.map((w) => w.toFixed(1)).join(', ')} ms`,
  );
  t.ok(
    wait < stepMs / 2,
    `the next step ran during the fold (waited ${wait.toFixed(1)} ms, a step is ${stepMs.toFixed(1)} ms)`,
  );
});

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}
