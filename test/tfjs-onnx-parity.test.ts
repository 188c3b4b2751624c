// The same small network trained in TensorFlow.js (fit() watched by @monitorch/adapter-tfjs,
// CPU backend) and in @monitorch/backend-onnx, from the same initial weights, on the same
// batches, with plain SGD: the losses and every lens value agree to float32 tolerance.
import t from 'tap';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Inspector, type Lens } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import { watch } from '@monitorch/adapter-tfjs';
import {
  DataLoader,
  TensorDataset,
  Trainer,
  crossEntropy,
  linear,
  relu,
  sequential,
  sgd,
} from '@monitorch/backend-onnx';
import { mulberry32 } from './helpers/prng.js';

const N = 48;
const BATCH = 8;
const EPOCHS = 2;
const lenses = (): Lens[] => [new LossMetrics(), new OutputActivation(), new ParameterGradientActivation()];

/** Arrow rows as plain objects, list cells as arrays, in a stable order. */
function rows(inspector: Inspector, table: string): Record<string, unknown>[] {
  return inspector
    .table(table)
    .toArray()
    .map((r: { toJSON(): Record<string, unknown> }) =>
      Object.fromEntries(
        Object.entries(r.toJSON()).map(([k, v]) => [
          k,
          v !== null && typeof v === 'object' ? Array.from(v as Iterable<number>) : v,
        ]),
      ),
    )
    .sort((a, b) =>
      JSON.stringify([a['epoch'], a['phase'], a['module'], a['quantity']]).localeCompare(
        JSON.stringify([b['epoch'], b['phase'], b['module'], b['quantity']]),
      ),
    );
}

t.test('tfjs fit() and the ONNX backend: same losses and lens values', async (t) => {
  const rand = mulberry32(21);
  const x = Float32Array.from({ length: N * 4 }, () => rand() * 2 - 1);
  const y = Int32Array.from(
    { length: N },
    (_, i) => ((x[4 * i] as number) > 0 ? 1 : 0) + ((x[4 * i + 1] as number) > 0.3 ? 1 : 0),
  );

  const trainer = await Trainer.create({
    model: sequential({ lin1: linear(4, 8), relu1: relu(), lin2: linear(8, 3) }),
    inputShape: [-1, 4],
    loss: crossEntropy(),
    optimizer: sgd({ lr: 0.1 }),
    seed: 3,
  });
  const state = await trainer.state();
  const onnx = new Inspector({ lenses: lenses(), logger: null });
  onnx.attach(trainer);
  const loader = new DataLoader(new TensorDataset(x, [4], y), { batchSize: BATCH, shuffle: false });
  for (let e = 0; e < EPOCHS; e++) {
    await trainer.trainEpoch(loader);
    await onnx.tickEpoch();
  }
  await trainer.close();

  await tf.setBackend('cpu');
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [4], units: 8, name: 'lin1' }),
      tfl.layers.reLU({ name: 'relu1' }),
      tfl.layers.dense({ units: 3, name: 'lin2' }),
    ],
  });
  // The ONNX backend's initial weights, [out, in] → tfjs's [in, out].
  model.setWeights(
    ['lin1.weight', 'lin1.bias', 'lin2.weight', 'lin2.bias'].map((name) => {
      const p = state[name]!;
      const w = tf.tensor(p.data as Float32Array, [...p.dims]);
      return p.dims.length === 2 ? tf.transpose(w) : w;
    }),
  );
  model.compile({
    optimizer: tf.train.sgd(0.1),
    loss: (labels: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, logits),
  });
  const tfjs = new Inspector({ lenses: lenses(), logger: null });
  const xs = tf.tensor2d(x, [N, 4]);
  const ys = tf.oneHot(tf.tensor1d(y, 'int32'), 3);
  await model.fit(xs, ys, {
    epochs: EPOCHS,
    batchSize: BATCH,
    shuffle: false,
    verbose: 0,
    callbacks: [watch(model, tfjs)],
  });

  for (const table of ['loss-metrics', 'output-activation', 'gradient-activation']) {
    const a = rows(tfjs, table);
    const b = rows(onnx, table);
    t.equal(a.length, b.length, `${table}: ${b.length} rows each`);
    a.forEach((row, i) => {
      const other = b[i] ?? {};
      for (const [k, v] of Object.entries(row)) {
        const w = other[k];
        if (typeof v === 'number' && typeof w === 'number') {
          t.ok(
            Math.abs(v - w) <= 1e-5 * Math.max(1, Math.abs(w)),
            `${table} ${String(row['module'])} ${String(row['quantity'])} e${String(row['epoch'])} ${k}: ${v} ≈ ${w}`,
          );
        } else t.same(v, w, `${table} ${String(row['module'])} ${String(row['quantity'])} ${k}`);
      }
    });
  }
  const loss = rows(tfjs, 'loss-metrics').filter((r) => r['quantity'] === 'loss');
  t.ok((loss[1]?.['mean'] as number) < (loss[0]?.['mean'] as number), 'the loss falls in both');
  await tfjs.close();
  await onnx.close();
  tf.dispose([xs, ys]);
});
