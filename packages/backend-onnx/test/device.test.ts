import t from 'tap';
import { Inspector, type MonitorEvent } from '@monitorch/core';
import {
  DataLoader,
  TensorDataset,
  Trainer,
  crossEntropy,
  dropout,
  linear,
  sequential,
  sgd,
} from '@monitorch/backend-onnx';
import { linearClassifier } from './fixtures/linear-classifier.js';
import { RecordingLens } from './fixtures/recording-lens.js';

const compiler = linearClassifier({ features: 2, classes: 2 });
const howTo = { cuda: /ONNXRUNTIME_NODE_INSTALL=cuda12/, webgpu: /Vulkan/ } as const;

for (const device of ['cuda', 'webgpu'] as const) {
  t.test(`${device}: a clear error without fallback, a reported CPU fallback with it`, async (t) => {
    let strict: Trainer | undefined;
    const error = await Trainer.fromCompiler({ compiler, device, worker: false }).then(
      (tr) => {
        strict = tr;
        return undefined;
      },
      (e: unknown) => e,
    );
    if (strict !== undefined) {
      // This machine has the device: nothing to fall back from.
      t.equal(strict.device, device);
      await strict.close();
      return;
    }
    t.match(error, { code: 'DEVICE_UNAVAILABLE', details: { device } });
    t.match((error as Error).message, new RegExp(`Device '${device}' is not available`));
    t.match((error as Error).message, howTo[device], 'says how to get it');
    t.match((error as Error).message, /allowCpuFallback/);

    const trainer = await Trainer.fromCompiler({ compiler, device, allowCpuFallback: true, worker: true });
    t.teardown(() => trainer.close());
    t.equal(trainer.device, 'cpu', 'the fallback shows on the trainer');
    const inspector = new Inspector({ lenses: [new RecordingLens([])], logger: null });
    const warnings: MonitorEvent[] = [];
    inspector.attach(trainer);
    inspector.events.warning$.subscribe((w) => warnings.push(w));
    const data = new TensorDataset(new Float32Array([1, 2, 3, 4]), [2], new Int32Array([0, 1]));
    const summary = await trainer.trainEpoch(new DataLoader(data, { batchSize: 2 }));
    t.ok(Number.isFinite(summary.loss), 'and it trains');
    t.equal(warnings.length, 1, 'one warning, with the first reports');
    t.match(warnings[0], {
      type: 'warning',
      code: 'DEVICE_FALLBACK',
      epoch: 1,
      message: new RegExp(`instead of '${device}'`),
    });
    await trainer.trainEpoch(new DataLoader(data, { batchSize: 2 }));
    t.equal(warnings.length, 1, 'only once');
    await inspector.close();
  });
}

t.test('after a fallback the trainer runs the CPU form of the graphs', async (t) => {
  const model = sequential({ l: linear(2, 4), d: dropout(0.5), o: linear(4, 2) });
  const trainer = await Trainer.create({
    model,
    inputShape: [-1, 2],
    loss: crossEntropy(),
    optimizer: sgd({ lr: 0.1 }),
    device: 'webgpu',
    allowCpuFallback: true,
    worker: false,
  });
  t.teardown(() => trainer.close());
  if (trainer.device === 'webgpu') {
    t.ok(
      trainer.compiledGraphs.train.inputs.some((i) => i.role === 'mask'),
      'this machine has WebGPU: its form (masks as inputs)',
    );
    return;
  }
  const roles = trainer.compiledGraphs.train.inputs.map((i) => `${i.name}:${i.role}`);
  t.ok(
    roles.includes('dropout.key.d:hyper') && !roles.some((r) => r.endsWith(':mask')),
    'CPU form: the in-graph mask hash, no mask inputs',
  );
  const data = new TensorDataset(new Float32Array([1, 2, 3, 4]), [2], new Int32Array([0, 1]));
  t.ok(Number.isFinite((await trainer.trainEpoch(new DataLoader(data, { batchSize: 2 }))).loss), 'and it trains');
});

t.test('an unknown device is refused up front', async (t) => {
  await t.rejects(Trainer.fromCompiler({ compiler, device: 'tpu' as never }), {
    code: 'INVALID_ARGUMENT',
    message: /cpu, cuda, webgpu/,
  });
});
