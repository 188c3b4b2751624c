// Custom loops: optimizer.minimize() with adapter.step(), tf.variableGrads() with
// adapter.gradients(), and parameter snapshots on the Inspector's signal. Answers are checked
// against core's kernels on the downloaded tensors.
import t from 'tap';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  Inspector,
  reduce,
  type GradientEvent,
  type MonitorEvent,
  type ParameterEvent,
  type ReductionResult,
} from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { TfjsAdapter } from '@monitorch/adapter-tfjs';
import { RecordingLens, rowsOf, tinyData, tinyMlp } from './helpers.js';

const COUNT = { op: 'activeCount', per: 'neuron', eps: 1e-8 } as const;
const is =
  <T extends MonitorEvent['type']>(type: T) =>
  (e: MonitorEvent): e is Extract<MonitorEvent, { type: T }> =>
    e.type === type;

/** The weight's tfjs kernel [in, out] as reported, [out, in]. */
const asReported = (g: tf.Tensor): Float32Array => tf.tidy(() => tf.transpose(g).dataSync() as Float32Array);

t.test('optimizer.minimize + adapter.step: outputs, gradients, the loss and the step', async (tt) => {
  await tf.setBackend('cpu');
  const model = tinyMlp(11);
  const optimizer = tf.train.sgd(0.1);
  const adapter = new TfjsAdapter(model, { optimizer });
  const lens = new RecordingLens([
    { select: { of: 'output', modules: { kinds: ['activation'] } }, reduction: { op: 'sum' } },
    { select: { of: 'gradient', parameters: ['weight'] }, reduction: COUNT },
  ]);
  const inspector = new Inspector({ lenses: [new LossMetrics(), lens], logger: null });
  inspector.attach(adapter);
  const { x, y } = tinyData(16, 5);
  const losses: number[] = [];
  const grads: Float32Array[] = [];
  const lin1 = model.getLayer('lin1').trainableWeights[0]?.read() as tf.Variable;
  for (let step = 0; step < 3; step++) {
    // The gradient the optimizer will apply, computed apart for the check (same weights, same batch).
    const expected = tf.variableGrads(
      (): tf.Scalar => tf.losses.softmaxCrossEntropy(y, model.predict(x) as tf.Tensor),
      [lin1],
    );
    grads.push(asReported(expected.grads[lin1.name] as tf.Tensor));
    tf.dispose([expected.value, ...Object.values(expected.grads)]);
    const loss = optimizer.minimize(
      (): tf.Scalar => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor),
      true,
    );
    losses.push((loss?.dataSync()[0] as number) ?? Number.NaN);
    await adapter.step({ loss: loss ?? 0, batchSize: 16 });
    loss?.dispose();
  }
  await inspector.tickEpoch();
  const gradients = lens.events.filter(is('gradient'));
  tt.same(
    gradients.map((e) => `${e.step}:${e.module.name}.${e.parameter}`),
    ['0:lin1.weight', '0:lin2.weight', '1:lin1.weight', '1:lin2.weight', '2:lin1.weight', '2:lin2.weight'],
    'one gradient per weight per step, stamped with the step',
  );
  gradients
    .filter((e) => e.module.name === 'lin1')
    .forEach((e, i) => {
      tt.same(e.shape, [8, 36], 'reported [out, in]');
      tt.same(
        e.reductions.get('activeCount:neuron:1e-8'),
        reduce(grads[i] as Float32Array, [8, 36], COUNT),
        `step ${i}: counts equal core's on the gradient`,
      );
    });
  const outputs = lens.events.filter(is('output'));
  tt.same(
    [...new Set(outputs.map((e) => `${e.module.name}:${e.phase}`))],
    ['lin1.relu:train', 'lin2.softmax:train'],
    'outputs under the gradient tape are train',
  );
  const softmaxSum = outputs.find((e) => e.module.name === 'lin2.softmax')?.reductions.get('sum');
  tt.ok(softmaxSum?.op === 'sum' && Math.abs(softmaxSum.value - 16) < 1e-4, 'softmax rows sum to 1: 16 per batch');
  const loss = rowsOf(inspector, 'loss-metrics').find((r) => r['phase'] === 'train' && r['quantity'] === 'loss');
  tt.equal(loss?.['count'], 3, 'three losses');
  tt.ok(Math.abs((loss?.['mean'] as number) - (losses[0]! + losses[1]! + losses[2]!) / 3) < 1e-12, 'their mean');
  tt.equal(inspector.events.step, 3, 'three steps');
  await inspector.close();
  tf.dispose([x, y]);
});

t.test('tf.variableGrads + adapter.gradients for a loop without an optimizer', async (tt) => {
  await tf.setBackend('cpu');
  const model = tinyMlp(12);
  const adapter = new TfjsAdapter(model);
  const lens = new RecordingLens([{ select: { of: 'gradient', parameters: ['bias'] }, reduction: { op: 'l2' } }]);
  const inspector = new Inspector({ lenses: [lens], logger: null });
  inspector.attach(adapter);
  const { x, y } = tinyData(8, 6);
  const { value, grads } = tf.variableGrads((): tf.Scalar =>
    tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor),
  );
  adapter.gradients(grads);
  await adapter.step({ loss: value });
  const bias = model.getLayer('lin2').trainableWeights[1]?.read() as tf.Variable;
  const want = reduce(grads[bias.name]?.dataSync() as Float32Array, [3], { op: 'l2' });
  const got = (lens.events as GradientEvent[]).find((e) => e.module.name === 'lin2')?.reductions.get('l2');
  tt.ok(
    got?.op === 'l2' && want.op === 'l2' && Math.abs(got.value - want.value) < 1e-6 * want.value,
    `l2 ${String(got?.op === 'l2' ? got.value : '')} ≈ ${want.op === 'l2' ? want.value : ''}`,
  );
  tf.dispose([value, ...Object.values(grads), x, y]);
  await inspector.close();
});

t.test(
  'gradients with NaN and ±Infinity: the counts of the exact form, over finite entries, and no tensor kept',
  async (tt) => {
    await tf.setBackend('cpu');
    const model = tinyMlp(14);
    const adapter = new TfjsAdapter(model);
    const lens = new RecordingLens([{ select: { of: 'gradient', parameters: ['weight'] }, reduction: COUNT }]);
    const inspector = new Inspector({ lenses: [lens], logger: null });
    inspector.attach(adapter);
    const { x, y } = tinyData(8, 7);
    const { value, grads } = tf.variableGrads((): tf.Scalar =>
      tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor),
    );
    const lin1 = model.getLayer('lin1').trainableWeights[0]?.read() as tf.Variable;
    const lin2 = model.getLayer('lin2').trainableWeights[0]?.read() as tf.Variable;
    // lin1's gradient broken in three entries (a NaN, +∞, −∞); lin2's left finite: one step
    // answers both with the fast form, then lin1 again with the exact one.
    const clean = grads[lin1.name]?.dataSync() as Float32Array;
    const broken = Float32Array.from(clean);
    broken[0] = Number.NaN;
    broken[5] = Infinity;
    broken[40] = -Infinity;
    const brokenGrad = tf.tensor(broken, grads[lin1.name]?.shape);
    const before = tf.memory().numTensors;
    adapter.gradients({ [lin1.name]: brokenGrad, [lin2.name]: grads[lin2.name] as tf.Tensor });
    await adapter.step({ loss: value });
    tt.equal(tf.memory().numTensors, before, 'nothing the answers kept outlives the step');
    const events = lens.events.filter(is('gradient'));
    for (const [variable, tensor] of [
      [lin1, brokenGrad],
      [lin2, grads[lin2.name] as tf.Tensor],
    ] as const) {
      const layer = variable === lin1 ? 'lin1' : 'lin2';
      const shape = [...tensor.shape].reverse();
      tt.same(
        events.find((e) => e.module.name === layer)?.reductions.get('activeCount:neuron:1e-8'),
        reduce(asReported(tensor), shape, COUNT),
        `${layer}: counts, finite counts and non-finite entries equal core's`,
      );
    }
    const got = events.find((e) => e.module.name === 'lin1')?.reductions.get('activeCount:neuron:1e-8');
    tt.equal(got?.op === 'activeCount' ? got.nonFinite : undefined, 3, 'three non-finite entries counted');
    tf.dispose([value, ...Object.values(grads), brokenGrad, x, y]);
    await inspector.close();
  },
);

t.test('parameter snapshots answer the Inspector’s snapshot signal', async (tt) => {
  await tf.setBackend('cpu');
  const model = tinyMlp(13);
  const adapter = new TfjsAdapter(model);
  const requests = [
    { select: { of: 'parameter', parameters: ['weight'] }, reduction: { op: 'l2' } },
    { select: { of: 'parameter', parameters: ['weight'] }, reduction: COUNT },
  ] as const;
  const lens = new RecordingLens(requests);
  const inspector = new Inspector({ lenses: [lens], logger: null });
  inspector.attach(adapter);
  inspector.events.emitter.emit('snapshot', 'request');
  const snaps = lens.events as ParameterEvent[];
  tt.same(
    snaps.map((e) => `${e.module.name}.${e.parameter}[${e.shape.join(',')}]`),
    ['lin1.weight[8,36]', 'lin2.weight[3,8]'],
    'one snapshot per watched weight, output neuron first',
  );
  for (const e of snaps) {
    const v = model.getLayer(e.module.name).trainableWeights[0]?.read() as tf.Variable;
    const data = asReported(v);
    for (const r of requests) {
      const want: ReductionResult = reduce(data, e.shape, r.reduction);
      const got = e.reductions.get(r.reduction.op === 'l2' ? 'l2' : 'activeCount:neuron:1e-8');
      if (want.op === 'l2' && got?.op === 'l2') tt.ok(Math.abs(got.value - want.value) < 1e-6 * want.value, 'l2');
      else tt.same(got, want, 'counts');
    }
  }
  await inspector.close();
});

t.test('prepareSnapshot reads ahead; the signal uses it only while no step came since', async (tt) => {
  await tf.setBackend('cpu');
  const model = tinyMlp(17);
  const optimizer = tf.train.sgd(0.5);
  const adapter = new TfjsAdapter(model, { optimizer });
  const lens = new RecordingLens([{ select: { of: 'parameter', parameters: ['weight'] }, reduction: { op: 'l2' } }]);
  const inspector = new Inspector({ lenses: [lens], logger: null });
  inspector.attach(adapter);
  // Counts synchronous reads while the signal is answered (what a WebGPU page must avoid).
  const proto = tf.Tensor.prototype as { dataSync: () => unknown };
  const dataSync = proto.dataSync;
  let syncReads = 0;
  const signal = (): ParameterEvent[] => {
    const before = lens.events.length;
    proto.dataSync = function (this: tf.Tensor) {
      syncReads++;
      return dataSync.call(this);
    };
    try {
      inspector.events.emitter.emit('snapshot', 'request');
    } finally {
      proto.dataSync = dataSync;
    }
    return lens.events.slice(before) as ParameterEvent[];
  };
  const norms = (events: readonly ParameterEvent[]): number[] =>
    events.map((e) => {
      const r = e.reductions.get('l2');
      return r?.op === 'l2' ? r.value : Number.NaN;
    });
  const direct = (): number[] =>
    ['lin1', 'lin2'].map((name) => {
      const w = model.getLayer(name).trainableWeights[0]?.read() as tf.Variable;
      return Math.sqrt((w.dataSync() as Float32Array).reduce((a, v) => a + v * v, 0));
    });
  const close = (got: number[], want: number[], what: string): void => {
    tt.equal(got.length, want.length, `${what}: one norm per weight`);
    got.forEach((g, i) => tt.ok(Math.abs(g - (want[i] as number)) < 1e-6 * (want[i] as number), `${what}: ${g}`));
  };

  await adapter.prepareSnapshot();
  syncReads = 0;
  close(norms(signal()), direct(), 'prepared');
  tt.equal(syncReads, 0, 'answered from the values read ahead: no synchronous read');

  // Read ahead, then a step changes the weights: the prepared values are stale, and unused.
  await adapter.prepareSnapshot();
  const { x, y } = tinyData(8, 3);
  optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor));
  await adapter.step();
  syncReads = 0;
  close(norms(signal()), direct(), 'after a step');
  tt.ok(syncReads > 0, 'a step came since: read synchronously, the new weights');

  // Used once: a second signal reads again.
  await adapter.prepareSnapshot();
  signal();
  syncReads = 0;
  signal();
  tt.ok(syncReads > 0, 'prepared values answer one signal only');
  tf.dispose([x, y]);
  await inspector.close();
});

t.test('sampling: unwatched steps compute nothing', async (tt) => {
  await tf.setBackend('cpu');
  const model = tinyMlp(14);
  const optimizer = tf.train.sgd(0.1);
  const adapter = new TfjsAdapter(model, { optimizer });
  const lens = new RecordingLens([
    { select: { of: 'output', modules: { names: ['lin1.relu'] } }, reduction: { op: 'max' } },
    { select: { of: 'gradient', parameters: ['bias'] }, reduction: { op: 'sum' }, sampling: { everySteps: 3 } },
  ]);
  const inspector = new Inspector({ lenses: [lens], logger: null, sampling: { everySteps: 2 } });
  inspector.attach(adapter);
  const { x, y } = tinyData(8, 7);
  for (let step = 0; step < 6; step++) {
    const loss = optimizer.minimize(
      (): tf.Scalar => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor),
      true,
    );
    await adapter.step({ loss: loss ?? 0 });
    loss?.dispose();
  }
  const steps = (type: MonitorEvent['type']) => [
    ...new Set(lens.events.filter((e) => e.type === type).map((e) => e.step)),
  ];
  tt.same(steps('output'), [0, 2, 4], "the Inspector's sampling: every second step");
  tt.same(steps('gradient'), [0, 3], "the request's own sampling: every third step");
  await inspector.close();
  tf.dispose([x, y]);
});
