// fit() watched by the adapter with the three seed lenses, on tfjs's CPU and WASM backends:
// the modules it names, lens tables equal to a LoopAdapter's fed the very same tensors (exact),
// no tensor left behind per epoch, and the model restored on detach.
import t from 'tap';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type * as tfl from '@tensorflow/tfjs-layers';
import { Inspector, LoopAdapter, type Lens, type MonitorEvent, type UpdateEvent } from '@monitorch/core';
import { LossMetrics } from '@monitorch/lens-loss-metrics';
import { OutputActivation } from '@monitorch/lens-output-activation';
import { ParameterGradientActivation } from '@monitorch/lens-gradient-activation';
import { modelModules, watch, type OptimizerLike } from '@monitorch/adapter-tfjs';
import { RecordingLens, rowsOf, tinyCnn, tinyData, tinyMlp } from './helpers.js';

const seedLenses = (): Lens[] => [
  new LossMetrics({ metrics: ['acc', 'val_acc'] }),
  new OutputActivation({ phases: ['train', 'val'] }),
  new ParameterGradientActivation(),
];

/**
 * Feeds `loop` the tensors the model computes, downloaded whole and put in the reported layout
 * (channels first, output neuron first), through patches installed before the adapter's.
 */
function mirrorInto(loop: LoopAdapter, model: tfl.LayersModel): void {
  const map = modelModules(model);
  loop.declare(map.modules.map((m) => ({ name: m.name, kind: m.kind, type: m.type, parameters: m.parameters })));
  for (const site of map.outputs) {
    const original = site.layer.call.bind(site.layer);
    (site.layer as { call: unknown }).call = (inputs: tf.Tensor, kwargs: Record<string, unknown>) => {
      const out = original(inputs, kwargs) as tf.Tensor;
      const train = tf.engine().isTapeOn() || kwargs['training'] === true;
      const rank = out.rank;
      const perm = rank < 3 ? undefined : [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
      const data = tf.tidy(() => (perm === undefined ? out : tf.transpose(out, perm)).dataSync()) as Float32Array;
      const shape = perm === undefined ? out.shape : perm.map((a) => out.shape[a] as number);
      loop.output(site.module.name, data.slice(), shape, { phase: train ? 'train' : 'val' });
      return out;
    };
  }
  const optimizer = model.optimizer as unknown as OptimizerLike;
  const apply = optimizer.applyGradients.bind(optimizer);
  optimizer.applyGradients = (grads) => {
    // minimize() hands a list of { name, tensor } when it is given the variables (fit does).
    const list = Array.isArray(grads) ? grads : Object.entries(grads).map(([name, tensor]) => ({ name, tensor }));
    for (const { name, tensor: g } of list) {
      const site = map.parameters.find((p) => p.variable.read().name === name);
      if (site === undefined) continue;
      const data = tf.tidy(() => tf.transpose(g, [...site.perm]).dataSync()) as Float32Array;
      loop.gradient(site.module.name, site.parameter, data.slice(), site.shape);
    }
    apply(grads);
  };
}

const CASES = [
  {
    backend: 'cpu',
    model: tinyCnn,
    modules: [
      'conv1:conv:Conv2D',
      'conv1.relu:activation:ReLU',
      'pool1:pool:MaxPooling2D',
      'flatten:reshape:Flatten',
      'lin1:linear:Dense',
      'relu1:activation:ReLU',
      'lin2:linear:Dense',
      'lin2.softmax:activation:Softmax',
    ],
    watched: ['conv1.relu', 'lin2.softmax', 'relu1'],
    firstParameters: [
      { name: 'weight', shape: [4, 1, 3, 3] },
      { name: 'bias', shape: [4] },
    ],
  },
  {
    // tfjs-backend-wasm has no Conv2DBackpropFilter kernel: a convnet cannot train on it.
    backend: 'wasm',
    model: tinyMlp,
    modules: [
      'flatten:reshape:Flatten',
      'lin1:linear:Dense',
      'lin1.relu:activation:ReLU',
      'drop:dropout:Dropout',
      'lin2:linear:Dense',
      'lin2.softmax:activation:Softmax',
    ],
    watched: ['drop', 'lin1.relu', 'lin2.softmax'],
    firstParameters: [],
  },
];

for (const { backend, model: makeModel, modules, watched, firstParameters } of CASES) {
  t.test(`${backend}: fit() with watch() gives the LoopAdapter's tables on the same tensors, exactly`, async (tt) => {
    await tf.setBackend(backend);
    const errors: string[] = [];
    const model = makeModel();
    model.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy', metrics: ['acc'] });
    const { x, y } = tinyData(40);
    const mirror = new Inspector({ lenses: seedLenses(), logger: null });
    mirror.errors$.subscribe((e) => errors.push(`mirror: ${e.message}`));
    const loop = new LoopAdapter();
    mirror.attach(loop);
    mirrorInto(loop, model);
    const patched: unknown[] = model.layers.map((l) => Reflect.get(l, 'call'));
    const patchedApply: unknown = Reflect.get(model.optimizer, 'applyGradients');
    const inspector = new Inspector({ lenses: seedLenses(), logger: null });
    inspector.errors$.subscribe((e) => errors.push(e.message));
    const watcher = watch(model, inspector);
    tt.same(
      watcher.adapter.modules.map((m) => `${m.name}:${m.kind}:${m.type}`),
      modules,
      'names and kinds from the tfjs layers; fused activations are modules of their own',
    );
    tt.same(
      watcher.adapter.modules[0]?.parameters,
      firstParameters,
      'kernel is reported as weight, output channel first',
    );
    const counts: number[] = [];
    await model.fit(x, y, {
      epochs: 3,
      batchSize: 8,
      validationSplit: 0.2,
      shuffle: false,
      verbose: 0,
      callbacks: [
        watcher,
        {
          onEpochBegin: () => {
            counts.push(tf.memory().numTensors);
          },
          onBatchEnd: async (_b: number, batchLogs?: unknown) => {
            const logs = batchLogs as Record<string, number>;
            loop.loss(logs['loss'] as number, { batchSize: logs['size'] as number });
            mirror.pushMetric('acc', logs['acc'] as number);
            loop.step();
            return Promise.resolve();
          },
          onEpochEnd: async (_e: number, epochLogs?: unknown) => {
            const logs = epochLogs as Record<string, number>;
            loop.loss(logs['val_loss'] as number, { phase: 'val' });
            mirror.pushMetric('val_acc', logs['val_acc'] as number);
            await mirror.tickEpoch();
            counts.push(tf.memory().numTensors);
          },
        },
      ],
    });
    tt.same(errors, [], 'no warning');
    for (const table of ['loss-metrics', 'output-activation', 'gradient-activation']) {
      const got = rowsOf(inspector, table);
      tt.ok(got.length > 0, `${table} has rows`);
      tt.same(got, rowsOf(mirror, table), `${table}: equal to the LoopAdapter's`);
    }
    const outputRows = rowsOf(inspector, 'output-activation');
    tt.same(
      [...new Set(outputRows.map((r) => `${String(r['module'])}/${String(r['phase'])}`))].sort(),
      ['', ...watched].flatMap((m) => [`${m}/train`, `${m}/val`]),
      'activation modules watched in fit and in its validation pass',
    );
    tt.same(counts.slice(2), [counts[2], counts[2], counts[2], counts[2]], 'tensors before = after every epoch');
    await inspector.close();
    await mirror.close();
    tt.ok(
      model.layers.every((l, i) => Reflect.get(l, 'call') === patched[i]),
      'every layer.call is what it was before watch()',
    );
    tt.equal(Reflect.get(model.optimizer, 'applyGradients'), patchedApply, 'applyGradients too');
    tf.dispose([x, y]);
    model.dispose();
  });
}

t.test('every reduction the adapter answers, in fit, leaves no tensor behind', async (tt) => {
  await tf.setBackend('cpu');
  const model = tinyCnn(3);
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const { x, y } = tinyData(24, 2);
  const ops = [{ op: 'l2' }, { op: 'sampleL2' }, { op: 'previousDot' }, { op: 'nonFinite' }, { op: 'min' }] as const;
  const lens = new RecordingLens([
    ...ops.map((reduction) => ({ select: { of: 'output', modules: {} }, reduction }) as const),
    // sampleL2 averages over a batch dimension, which parameter gradients do not have (core refuses it there).
    ...ops
      .filter((reduction) => reduction.op !== 'sampleL2')
      .map((reduction) => ({ select: { of: 'gradient', parameters: ['weight'] }, reduction }) as const),
    { select: { of: 'update', parameters: ['weight'] }, reduction: { op: 'updateRatio' } },
    { select: { of: 'update', parameters: ['bias'] }, reduction: { op: 'l2' } },
  ]);
  const inspector = new Inspector({ lenses: [new LossMetrics(), lens], logger: null });
  const errors: string[] = [];
  inspector.errors$.subscribe((e) => errors.push(e.message));
  const counts: number[] = [];
  await model.fit(x, y, {
    epochs: 3,
    batchSize: 8,
    verbose: 0,
    callbacks: [watch(model, inspector), { onEpochEnd: () => void counts.push(tf.memory().numTensors) }],
  });
  tt.same(errors, [], 'no warning');
  const kinds = new Set(lens.events.map((e) => e.type));
  tt.same([...kinds].sort(), ['gradient', 'output', 'update'], 'outputs, gradients and updates reported');
  const isUpdate = (e: MonitorEvent): e is UpdateEvent => e.type === 'update';
  const updates = lens.events.filter(isUpdate).filter((e) => e.reductions.has('updateRatio'));
  tt.equal(updates.length, 3 * 3 * 3, 'one updateRatio per step per weight (3 weights × 3 steps × 3 epochs)');
  tt.ok(
    updates.every((e) => {
      const r = e.reductions.get('updateRatio');
      return r?.op === 'updateRatio' && r.value > 0 && r.value < 1;
    }),
    'update ratios are small positive numbers (Adam, lr 0.01)',
  );
  const held = counts[0] as number;
  tt.same(counts, [held, held, held], 'the same tensors after every epoch (only previousDot keeps its last tensors)');
  await inspector.close();
  // previousDot keeps the last tensor of each of the 6 watched outputs and 3 weight gradients.
  tt.equal(tf.memory().numTensors, held - 9, 'detach frees the 9 tensors previousDot kept');
  tf.dispose([x, y]);
  model.dispose();
});
