import t from 'tap';
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
