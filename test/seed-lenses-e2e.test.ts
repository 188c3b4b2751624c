// The seed's three lenses on a plain TypeScript training loop: a tiny MLP reported through
// LoopAdapter, tables written to a run directory, read back with readRun and checked against
// numbers computed here, independently, from the very same tensors.
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inspector, LoopAdapter, readRun } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import { TinyMlp, syntheticBatches } from './helpers/tiny-mlp.js';

const EPS = 1e-8;
const B = 16;
const [I, H, K] = [4, 8, 3];

/**
 * Per-unit active fractions of a [rows, cols] tensor: over rows per column (outputs) or over
 * cols per row (gradients).
 */
function rates(data: Float32Array, rows: number, cols: number, perColumn: boolean): number[] {
  const units = perColumn ? cols : rows;
  const out: number[] = [];
  for (let u = 0; u < units; u++) {
    let active = 0;
    const n = perColumn ? rows : cols;
    for (let k = 0; k < n; k++) {
      const x = perColumn ? data[k * cols + u] : data[u * cols + k];
      if (Math.abs(x as number) > EPS) active++;
    }
    out.push(active / n);
  }
  return out;
}

/** The independent expectation for one (phase, module) series. */
class Expected {
  activation: number[] = [];
  death: number[] = [];
  everActive: boolean[] = [];
  add(r: number[]): void {
    this.activation.push(r.reduce((s, x) => s + x, 0) / r.length);
    this.death.push(r.filter((x) => x === 0).length / r.length);
    r.forEach((x, i) => {
      this.everActive[i] = (this.everActive[i] ?? false) || x > 0;
    });
  }
  dead(): number[] {
    return this.everActive.flatMap((alive, i) => (alive ? [] : [i]));
  }
}

/** Closest-observation quantile (semantics §3.2), written out plainly. */
function closestObservation(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const v = s.length * q - 1.5;
  const f = Math.floor(v);
  const g = v - f;
  const odd = ((f % 2) + 2) % 2 === 1;
  const idx = Math.max(0, g === 0 && odd ? f : f + 1);
  return s[Math.min(idx, s.length - 1)] as number;
}

function summary(xs: number[]): Record<string, number> {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return {
    count: xs.length,
    mean,
    std: Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length),
    min: Math.min(...xs),
    max: Math.max(...xs),
    median: closestObservation(xs, 0.5),
    q1: closestObservation(xs, 0.25),
    q3: closestObservation(xs, 0.75),
  };
}

type Row = Record<string, unknown>;
const plain = (table: { toArray(): { toJSON(): Row }[] }): Row[] =>
  table
    .toArray()
    .map((r) =>
      Object.fromEntries(
        Object.entries(r.toJSON()).map(([k, v]) => [
          k,
          v !== null && typeof v === 'object' ? Array.from(v as Iterable<number>) : v,
        ]),
      ),
    );

function checkSummary(tt: Test, row: Row | undefined, xs: number[], label: string): void {
  if (row === undefined) {
    tt.fail(`missing row ${label}`);
    return;
  }
  for (const [k, v] of Object.entries(summary(xs))) {
    tt.ok(
      Math.abs((row[k] as number) - v) <= 1e-12 * Math.max(1, Math.abs(v)),
      `${label} ${k}: ${String(row[k])} ≈ ${v}`,
    );
  }
}

t.test('tiny MLP, three lenses, run directory read back', async (tt) => {
  const dir = mkdtempSync(join(tmpdir(), 'monitorch-e2e-'));
  tt.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const lossLens = new LossMetrics({ metrics: ['val_accuracy'] });
  const inspector = new Inspector({
    lenses: [lossLens, new OutputActivation({ phases: ['train', 'val'] }), new ParameterGradientActivation()],
    runDir: dir,
    logger: null,
  });
  const loop = new LoopAdapter([
    { name: 'lin1', kind: 'linear', type: 'Linear', parameters: ['weight', 'bias'] },
    { name: 'relu1', kind: 'activation', type: 'ReLU' },
    { name: 'lin2', kind: 'linear', type: 'Linear', parameters: ['weight', 'bias'] },
    { name: 'softmax', kind: 'activation', type: 'Softmax' },
  ]);
  inspector.attach(loop);

  const model = new TinyMlp(I, H, K, 7);
  model.b1[0] = -100; // hidden units 0 and 1 can never fire: dead channels and dead gradient rows
  model.b1[1] = -100;
  const train = syntheticBatches(1, 4, B, I, K);
  const val = syntheticBatches(2, 2, B, I, K);

  const expected: { epoch: number; series: Map<string, Expected>; losses: Map<string, number[]>; accuracy: number }[] =
    [];
  for (let epoch = 1; epoch <= 2; epoch++) {
    const series = new Map<string, Expected>();
    const add = (key: string, r: number[]): void => {
      if (!series.has(key)) series.set(key, new Expected());
      series.get(key)?.add(r);
    };
    const losses = new Map<string, number[]>([
      ['train', []],
      ['val', []],
    ]);
    for (const batch of train) {
      const f = model.forward(batch);
      loop.output('relu1', f.a, [B, H]);
      loop.output('softmax', f.p, [B, K]);
      add('train/relu1', rates(f.a, B, H, true));
      add('train/softmax', rates(f.p, B, K, true));
      const g = model.backward(batch, f);
      loop.gradient('lin1', 'weight', g.w1, [H, I]);
      loop.gradient('lin1', 'bias', g.b1, [H]);
      loop.gradient('lin2', 'weight', g.w2, [K, H]);
      loop.gradient('lin2', 'bias', g.b2, [K]);
      add('lin1/weight', rates(g.w1, H, I, false));
      add('lin1/bias', rates(g.b1, H, 1, false));
      add('lin2/weight', rates(g.w2, K, H, false));
      add('lin2/bias', rates(g.b2, K, 1, false));
      loop.loss(f.loss, { batchSize: B });
      losses.get('train')?.push(f.loss);
      model.sgd(g, 0.5);
      loop.step();
    }
    let correct = 0;
    for (const batch of val) {
      const f = model.forward(batch);
      loop.output('relu1', f.a, [B, H], { phase: 'val' });
      loop.output('softmax', f.p, [B, K], { phase: 'val' });
      add('val/relu1', rates(f.a, B, H, true));
      add('val/softmax', rates(f.p, B, K, true));
      loop.loss(f.loss, { batchSize: B, phase: 'val' });
      losses.get('val')?.push(f.loss);
      correct += f.correct;
    }
    const accuracy = correct / (val.length * B);
    inspector.pushMetric('val_accuracy', accuracy);
    await inspector.tickEpoch();
    expected.push({ epoch, series, losses, accuracy });
    tt.equal(
      lossLens.loss({ phase: 'val' }),
      losses.get('val')!.reduce((s, x) => s + x, 0) / val.length,
      `epoch ${epoch}: loss({ phase: 'val' })`,
    );
  }
  await inspector.close();

  const run = await readRun(dir);
  tt.same([...run.keys()].sort(), ['gradient-activation', 'loss-metrics', 'output-activation']);
  const loss = plain(run.get('loss-metrics')!);
  const outputs = plain(run.get('output-activation')!);
  const grads = plain(run.get('gradient-activation')!);

  for (const { epoch, series, losses, accuracy } of expected) {
    const at = (rows: Row[], module: string, quantity: string, phase = 'train'): Row | undefined =>
      rows.find((r) => r.epoch === epoch && r.module === module && r.quantity === quantity && r.phase === phase);
    // Loss and metric
    checkSummary(tt, at(loss, '', 'loss'), losses.get('train')!, `e${epoch} train loss`);
    checkSummary(tt, at(loss, '', 'loss', 'val'), losses.get('val')!, `e${epoch} val loss`);
    checkSummary(tt, at(loss, '', 'val_accuracy', 'val'), [accuracy], `e${epoch} val_accuracy`);
    // Outputs, per phase and layer, in forward order, then the warning rows
    for (const phase of ['train', 'val']) {
      tt.same(
        outputs
          .filter((r) => r.epoch === epoch && r.phase === phase)
          .map((r) => `${String(r.module)}/${String(r.quantity)}`),
        [
          'relu1/activation_rate',
          'relu1/death_rate',
          'softmax/activation_rate',
          'softmax/death_rate',
          '/worst_activation_rate',
          '/worst_death_rate',
        ],
        `e${epoch} ${phase} output rows in forward order`,
      );
      for (const layer of ['relu1', 'softmax']) {
        const e = series.get(`${phase}/${layer}`)!;
        checkSummary(
          tt,
          at(outputs, layer, 'activation_rate', phase),
          e.activation,
          `e${epoch} ${phase} ${layer} activation`,
        );
        checkSummary(tt, at(outputs, layer, 'death_rate', phase), e.death, `e${epoch} ${phase} ${layer} death`);
        tt.same(
          at(outputs, layer, 'death_rate', phase)?.dead_channels,
          e.dead(),
          `e${epoch} ${phase} ${layer} dead channels`,
        );
      }
      const relu = series.get(`${phase}/relu1`)!;
      const soft = series.get(`${phase}/softmax`)!;
      const actMeans = [summary(relu.activation).mean!, summary(soft.activation).mean!];
      const deathMeans = [summary(relu.death).mean!, summary(soft.death).mean!];
      tt.ok(
        Math.abs((at(outputs, '', 'worst_activation_rate', phase)?.mean as number) - Math.min(...actMeans)) < 1e-12,
        `e${epoch} ${phase} worst activation`,
      );
      tt.ok(
        Math.abs((at(outputs, '', 'worst_death_rate', phase)?.mean as number) - Math.max(...deathMeans)) < 1e-12,
        `e${epoch} ${phase} worst death`,
      );
    }
    tt.same(
      (at(outputs, 'relu1', 'death_rate')?.dead_channels as number[] | undefined)?.slice(0, 2),
      [0, 1],
      'units 0 and 1 (bias −100) are dead',
    );
    tt.equal(at(outputs, 'softmax', 'activation_rate')?.mean, 1, 'softmax outputs are all positive');
    // Gradients
    for (const [module, parameter] of [
      ['lin1', 'weight'],
      ['lin1', 'bias'],
      ['lin2', 'weight'],
      ['lin2', 'bias'],
    ] as const) {
      const e = series.get(`${module}/${parameter}`)!;
      checkSummary(
        tt,
        at(grads, module, `${parameter}_activation_rate`),
        e.activation,
        `e${epoch} ${module}.${parameter} activation`,
      );
      checkSummary(tt, at(grads, module, `${parameter}_death_rate`), e.death, `e${epoch} ${module}.${parameter} death`);
      tt.same(
        at(grads, module, `${parameter}_death_rate`)?.dead_neurons,
        e.dead(),
        `e${epoch} ${module}.${parameter} dead neurons`,
      );
    }
    tt.same(
      (at(grads, 'lin1', 'weight_death_rate')?.dead_neurons as number[] | undefined)?.slice(0, 2),
      [0, 1],
      'no gradient reaches units 0 and 1',
    );
  }
  tt.ok((at0(loss, 2) as number) < (at0(loss, 1) as number), 'the MLP learns: epoch 2 train loss below epoch 1');
});

function at0(rows: Row[], epoch: number): unknown {
  return rows.find((r) => r.epoch === epoch && r.phase === 'train' && r.quantity === 'loss')?.mean;
}
