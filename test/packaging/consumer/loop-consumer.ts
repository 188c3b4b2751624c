// A user's own project: a hand-written loop watched through the LoopAdapter by the three seed
// lenses and the README's custom lens, its figure drawn by @monitorch/viz. Type-checked under
// `strict` against the installed tarballs and run; exits non-zero on any wrong number.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Inspector,
  LoopAdapter,
  RunningStats,
  defineTable,
  readRun,
  reductionKey,
  type Lens,
  type OutputEvent,
  type TableRow,
} from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import { renderFigureToFile } from '@monitorch/viz';

const SUM_SQUARES = { op: 'sumSquares' } as const;

/** The README's custom lens: the RMS of every activation layer's output. */
class OutputRms implements Lens {
  readonly id = 'output-rms';
  readonly requests = [
    { select: { of: 'output', modules: { kinds: ['activation'] } }, reduction: SUM_SQUARES },
  ] as const;
  readonly table = defineTable(this.id, [], {
    panels: [
      { title: 'Output RMS', size: 'small', kind: 'numerical', quantities: ['rms'], line: 'mean', bands: ['std'] },
    ],
  });
  private perLayer = new Map<string, RunningStats>();

  reset(): void {
    this.perLayer = new Map();
  }

  foldOutput(event: OutputEvent): void {
    const answer = event.reductions.get(reductionKey(SUM_SQUARES));
    if (answer?.op !== 'sumSquares') return;
    const entries = event.shape.reduce((a, b) => a * b, 1);
    const stats = this.perLayer.get(event.module.name) ?? new RunningStats();
    this.perLayer.set(event.module.name, stats);
    stats.add(Math.sqrt(answer.value / entries));
  }

  tick(epoch: number): TableRow[] {
    const rows = [...this.perLayer].map(([module, s]) => ({
      epoch,
      phase: 'train',
      module,
      quantity: 'rms',
      ...s.summary(),
    }));
    this.perLayer = new Map();
    return rows;
  }
}

function expect(what: string, actual: unknown, expected: unknown): void {
  if (actual !== expected) {
    console.error(`FAIL ${what}: expected ${String(expected)}, got ${String(actual)}`);
    process.exit(1);
  }
  console.log(`ok ${what}`);
}

const runDir = join(mkdtempSync(join(tmpdir(), 'monitorch-consumer-')), 'run');
const inspector = new Inspector({
  lenses: [new LossMetrics(), new OutputActivation(), new ParameterGradientActivation(), new OutputRms()],
  runDir,
  logger: null,
});
const loop = new LoopAdapter();
inspector.attach(loop);
for (let epoch = 0; epoch < 2; epoch++) {
  // relu1 output [2 samples, 2 channels]: channel 1 never fires → death rate 0.5.
  loop.output('relu1', Float32Array.from([3, 0, 4, 0]), [2, 2], { kind: 'activation' });
  loop.gradient('lin1', 'weight', Float32Array.from([1, 1, 0, 0]), [2, 2], { kind: 'linear' });
  loop.gradient('lin1', 'bias', Float32Array.from([1, 0]), [2], { kind: 'linear' });
  loop.loss(0.5 - epoch * 0.25, { batchSize: 2 });
  loop.step();
  await inspector.tickEpoch();
}
await inspector.close();

const tables = await readRun(runDir);
const rows = (name: string): Record<string, unknown>[] =>
  (tables.get(name)?.toArray() ?? []).map((r: { toJSON(): Record<string, unknown> }) => ({ ...r.toJSON() }));
const death = rows('output-activation').find((r) => r['module'] === 'relu1' && r['quantity'] === 'death_rate');
expect('relu1 death rate', death?.['mean'], 0.5);
const weight = rows('gradient-activation').find((r) => r['quantity'] === 'weight_death_rate');
expect('lin1 weight gradient death rate', weight?.['mean'], 0.5);
const rms = rows('output-rms').find((r) => r['epoch'] === 1);
expect('relu1 rms', rms?.['mean'], Math.sqrt(25 / 4));
const loss = rows('loss-metrics').filter((r) => r['quantity'] === 'loss' && r['phase'] === 'train');
expect('loss epochs', loss.length, 2);
expect('epoch 2 loss', loss[1]?.['mean'], 0.25);

const png = join(runDir, 'figure.png');
await renderFigureToFile(runDir, { file: png });
expect('figure is a PNG', readFileSync(png).subarray(1, 4).toString('latin1'), 'PNG');
console.log('consumer done');
