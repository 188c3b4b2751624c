// The seed notebook's 2D experiment, end to end on the ONNX backend (15 of its 50 epochs to stay
// fast): the over-parameterised MLP separates the two clouds perfectly, the run directory reads
// back, and the redundant second layer's death rates are reported — and agree with the tables.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readRun } from '@monitorch/core';
import { trainActivations2d } from '@monitorch/examples/activations-2d';

t.test('2D: val accuracy 1.0, run files, second-layer death rates', async (t) => {
  const out = join(mkdtempSync(join(tmpdir(), 'monitorch-2d-')), 'run');
  const result = await trainActivations2d({ out, epochs: 15, seed: 42 });

  t.equal(result.valAccuracy.length, 15, 'one validation accuracy per epoch');
  t.equal(result.valAccuracy.at(-1), 1, 'the linearly separable validation set is classified perfectly');

  for (const f of [
    'loss-metrics.arrow',
    'output-activation.arrow',
    'gradient-activation.arrow',
    'run.json',
    'figure.png',
    'figure.svg',
    'figure.html',
    'decision-boundary.svg',
    'decision-boundary.png',
  ]) {
    t.ok(existsSync(join(out, f)), `${f} written`);
  }
  const tables = await readRun(out);
  t.same([...tables.keys()].sort(), ['gradient-activation', 'loss-metrics', 'output-activation']);
  const loss = (tables.get('loss-metrics')?.toArray() ?? []) as {
    epoch: number;
    phase: string;
    quantity: string;
    mean: number;
  }[];
  t.same(
    [...new Set(loss.map((r) => r.epoch))],
    Array.from({ length: 15 }, (_, i) => i + 1),
    'every epoch has loss rows',
  );
  const lastAcc = loss.find((r) => r.epoch === 15 && r.quantity === 'val_accuracy');
  t.equal(lastAcc?.mean, 1, 'the file holds the pushed accuracy');

  // The second layer's rates: reported, probabilities, and equal to the table's last-epoch rows.
  const s = result.secondLayer;
  for (const [name, v] of Object.entries(s)) {
    t.ok(typeof v === 'number' && v >= 0 && v <= 1, `${name} = ${v} is a rate`);
  }
  const outputs = (tables.get('output-activation')?.toArray() ?? []) as {
    epoch: number;
    phase: string;
    module: string;
    quantity: string;
    mean: number;
  }[];
  const relu2Death = outputs.find(
    (r) => r.epoch === 15 && r.phase === 'train' && r.module === 'relu2' && r.quantity === 'death_rate',
  );
  t.equal(s.outputDeath, relu2Death?.mean, "relu2 output death rate = the file's last-epoch row");
  const grads = (tables.get('gradient-activation')?.toArray() ?? []) as {
    epoch: number;
    phase: string;
    module: string;
    quantity: string;
    mean: number;
  }[];
  const lin2Death = grads.find((r) => r.epoch === 15 && r.module === 'lin2' && r.quantity === 'weight_death_rate');
  t.equal(s.weightGradientDeath, lin2Death?.mean, "lin2 weight-gradient death rate = the file's last-epoch row");
  // A ReLU whose channel is dead for a whole batch passes a zero gradient to the row of lin2
  // that feeds it, so lin2's weight-gradient death can never be below relu2's output death
  // (per batch: every dead relu2 channel is a dead lin2 row).
  t.ok((s.weightGradientDeath ?? 0) >= (s.outputDeath ?? 1) - 1e-12, 'lin2 gradient death ≥ relu2 output death');
  // The redundant layer really has dead units (the seed's point); the first layer's gradients
  // stay fully alive on this easy task.
  t.ok((s.outputDeath ?? 0) > 0, `relu2 has dead units (${s.outputDeath})`);
  t.end();
});
