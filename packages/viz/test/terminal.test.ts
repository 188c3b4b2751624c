import t from 'tap';
import { Writable } from 'node:stream';
import { Subject } from 'rxjs';
import type { EpochClosed, Lens, PlotSpec, TableRow } from '@monitorch/core';
import { TerminalReporter, epochSummary, type ReportedInspector } from '@monitorch/viz';
import { scriptedInspector, trainEpoch } from './fixtures/scripted-run.js';

class Capture extends Writable {
  text = '';
  isTTY: boolean;
  columns = 120;
  constructor(tty: boolean) {
    super();
    this.isTTY = tty;
  }
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
  // cli-progress asks a TTY stream to move the cursor; a capture only records the text.
  cursorTo(): boolean {
    return true;
  }
  clearLine(): boolean {
    return true;
  }
  moveCursor(): boolean {
    return true;
  }
}

const LOSS_PLOT: PlotSpec = {
  panels: [
    { title: 'Loss', size: 'big', kind: 'numerical', quantities: ['loss'], line: 'mean', bands: ['std'] },
    { title: 'Metrics', size: 'big', kind: 'numerical', quantities: ['accuracy'], line: 'mean' },
  ],
};
const ACT_PLOT: PlotSpec = {
  panels: [
    { title: 'Warning', size: 'big', kind: 'probability', quantities: ['worst_death_rate'], line: 'mean' },
    {
      title: 'Output Activations',
      size: 'small',
      kind: 'probability',
      quantities: ['activation_rate', 'death_rate'],
      line: 'mean',
    },
  ],
};
const fakeLens = (name: string, plot: PlotSpec): Lens => ({
  id: name,
  requests: [],
  table: { name, columns: [], plot },
  reset() {},
  tick: () => [],
});
const row = (r: Partial<TableRow> & { quantity: string }): TableRow => ({
  epoch: 1,
  phase: 'train',
  module: '',
  mean: null,
  std: null,
  min: null,
  max: null,
  count: 10,
  ...r,
});

t.test('epoch summary: headline values from big numerical panels, dead layers, non-finite loss', async (t) => {
  const rows = new Map<string, TableRow[]>([
    [
      'loss',
      [
        row({ quantity: 'loss', mean: 0.32119 }),
        row({ phase: 'val', quantity: 'loss', mean: null }),
        row({ phase: 'val', quantity: 'accuracy', mean: 0.9412 }),
      ],
    ],
    [
      'acts',
      [
        row({ module: 'relu1', quantity: 'death_rate', mean: 0.1 }),
        row({ module: 'relu2', quantity: 'death_rate', mean: 0.814 }),
        row({ module: 'relu2', quantity: 'activation_rate', mean: 0.9 }),
        row({ quantity: 'worst_death_rate', mean: 0.814 }),
        row({ module: 'lin1', quantity: 'weight_gradient_death_rate', mean: 0.6 }),
        row({ module: 'bad\u001b[31mname', quantity: 'death_rate', mean: 1 }),
        row({ module: 'lin2', quantity: 'non_finite_count', mean: 3 }),
      ],
    ],
  ]);
  const plots = new Map([
    ['loss', LOSS_PLOT],
    ['acts', ACT_PLOT],
  ]);
  const s = epochSummary(rows, plots);
  t.same(s.values, ['train loss 0.32119', 'val loss –', 'val accuracy 0.9412']);
  t.same(s.warnings, [
    'val loss is not finite (NaN or ±inf in its batches)',
    'relu2: 81 % dead',
    'lin1: 60 % dead (weight_gradient)',
    'bad?[31mname: 100 % dead',
    'lin2: non-finite values (non_finite_count 3)',
  ]);
  t.same(
    epochSummary(rows, plots, { deadShare: 0.9 }).warnings.filter((w) => w.includes('dead')),
    ['bad?[31mname: 100 % dead'],
  );
});

t.test('plain mode (no TTY): quarter lines with rate, ETA and running loss, then the epoch summary', async (t) => {
  const out = new Capture(false);
  const epochs$ = new Subject<EpochClosed>();
  const inspector: ReportedInspector = {
    epochs$,
    epoch: 1,
    lenses: [fakeLens('loss', LOSS_PLOT), fakeLens('acts', ACT_PLOT)],
  };
  const reporter = new TerminalReporter({ stream: out }).attach(inspector);
  for (let i = 1; i <= 8; i += 1) reporter.batch(i, 8, i % 2 === 0 ? 1 : 3);
  const lines = out.text.trim().split('\n');
  t.equal(lines.length, 4, 'one line per quarter');
  t.match(lines[0], /^epoch 1 · batch 2\/8 · [\d.e+-]+ batch\/s · ETA \S+ · loss 2$/);
  t.match(lines[3], /^epoch 1 · batch 8\/8 · [\d.e+-]+ batch\/s · loss 2$/, 'no ETA once done');
  out.text = '';
  epochs$.next({
    epoch: 1,
    run: 1,
    rows: new Map([
      ['loss', [row({ quantity: 'loss', mean: Number.NaN })]],
      ['acts', [row({ module: 'relu2', quantity: 'death_rate', mean: 0.81 })]],
    ]),
  });
  t.equal(out.text, 'epoch 1 · train loss NaN\n  ⚠ train loss is not finite (NaN)\n  ⚠ relu2: 81 % dead\n');
  reporter.detach();
  out.text = '';
  epochs$.next({ epoch: 2, run: 1, rows: new Map() });
  t.equal(out.text, '', 'detached: silent');
});

t.test('TTY mode draws a bar with the loss and clears it before the summary line', async (t) => {
  const out = new Capture(true);
  const reporter = new TerminalReporter({ stream: out });
  reporter.batch(1, 4, 0.5);
  reporter.batch(2, 4, 0.25);
  t.match(out.text, /epoch 1 \|[█░]+\| 1\/4 · – batch\/s · ETA \? · loss 0\.5/);
  reporter.epochClosed(
    { epoch: 1, run: 1, rows: new Map([['loss', [row({ quantity: 'loss', mean: 0.375 })]]]) },
    new Map([['loss', LOSS_PLOT]]),
  );
  t.match(out.text, /epoch 1 · train loss 0\.375\n$/);
  reporter.batch(1, 4, 0.5);
  t.match(out.text, /epoch 2 \|/, 'next epoch numbered from the summary');
  reporter.detach();
});

t.test('attached to a real Inspector: one summary line per closed epoch', async (t) => {
  const out = new Capture(false);
  const inspector = scriptedInspector();
  const reporter = new TerminalReporter({ stream: out }).attach(inspector);
  await trainEpoch(inspector); // losses 2.0 … 2.4, mean 2.2
  await trainEpoch(inspector); // losses 1.0 … 1.4, mean 1.2
  t.equal(out.text, 'epoch 1 · train loss 2.2\nepoch 2 · train loss 1.2\n');
  reporter.detach();
  await inspector.close();
});
