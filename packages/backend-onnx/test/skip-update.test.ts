import t, { type Test } from 'tap';
import { Inspector, type MonitorEvent } from '@monitorch/core';
import {
  adam,
  crossEntropy,
  DataLoader,
  linear,
  relu,
  sequential,
  TensorDataset,
  Trainer,
  type Batch,
  type TensorPayload,
} from '@monitorch/backend-onnx';
import { compileNetwork, compileTrainGraph, runGraph, type NetworkCompiler } from '@monitorch/backend-onnx/internals';
import { blobs } from './fixtures/linear-classifier.js';
import { graphFeeds } from './fixtures/graph-feeds.js';
import { RecordingLens } from './fixtures/recording-lens.js';

// A step whose loss or gradients are NaN/Inf must leave parameters, optimizer state and the
// optimizer's step count as they were (UpdateGuard), in the CPU and the GPU graph forms.

const F = 3;
const C = 4;
const model = sequential({ lin1: linear(F, 5), act: relu(), lin2: linear(5, C) });
const declaration = { model, inputShape: [-1, F], loss: crossEntropy(), optimizer: adam({ lr: 0.05 }) };

/** The declared network, compiled in the graph form of `form` whatever device the trainer runs on. */
function compilerFor(form: 'cpu' | 'webgpu'): NetworkCompiler {
  const base = compileNetwork(declaration);
  return { ...base, compile: (requests) => base.compile(requests, { device: form }) };
}

function dataset(n: number): TensorDataset {
  const { x } = blobs(n, F);
  return new TensorDataset(
    x,
    [F],
    Int32Array.from({ length: n }, (_, i) => (i * 7) % C),
  );
}

function same(t: Test, got: Record<string, TensorPayload>, want: Record<string, TensorPayload>, msg: string): void {
  t.same(Object.keys(got).sort(), Object.keys(want).sort(), `${msg}: same tensors`);
  for (const [name, w] of Object.entries(want)) {
    t.same(Array.from(got[name]!.data as Float32Array), Array.from(w.data as Float32Array), `${msg}: ${name}`);
  }
}

for (const form of ['cpu', 'webgpu'] as const) {
  t.test(`${form} graph: the graph skips a NaN step's update and says so`, async (t) => {
    const graph = compileTrainGraph(model, { ...declaration, inputShape: [4, F], device: form });
    t.ok(
      graph.outputs.some((o) => o.role === 'updateApplied'),
      'the train graph has an update.applied output',
    );
    const x = new Float32Array(4 * F).fill(0.5);
    const y = { data: Int32Array.from([0, 1, 2, 3]), dims: [4] };
    for (const [what, poison] of [
      ['NaN', Number.NaN],
      ['+Inf', Number.POSITIVE_INFINITY],
    ] as const) {
      const bad = x.slice();
      bad[2] = poison;
      const feeds = graphFeeds(graph, { data: bad, dims: [4, F] }, y, { lr: 0.1 });
      const out = await runGraph(graph, feeds);
      t.equal(Number(out['update.applied']!.data[0]), 0, `${what}: skipped`);
      t.equal(Number(out['optimizer.step.new']!.data[0]), 0, `${what}: the optimizer's step count stays 0`);
      for (const o of graph.outputs) {
        if (o.feeds === undefined) continue;
        t.same(
          Array.from(out[o.name]!.data as Float32Array),
          Array.from(feeds[o.feeds]!.data as Float32Array),
          `${what}: ${o.name}`,
        );
      }
    }
    const clean = await runGraph(graph, graphFeeds(graph, { data: x, dims: [4, F] }, y, { lr: 0.1 }));
    t.equal(Number(clean['update.applied']!.data[0]), 1, 'a clean step applies its update');
    t.equal(Number(clean['optimizer.step.new']!.data[0]), 1);
  });

  t.test(`${form} graph: training goes on cleanly after a NaN batch, 'stop' and 'continue'`, async (t) => {
    const good = dataset(12);
    const poisoned = new TensorDataset(good.x.slice(), [F], good.y);
    poisoned.x[6 * F] = Number.NaN; // sample 6 → the second of three batches
    const batches = (d: TensorDataset): Batch[] => [...new DataLoader(d, { batchSize: 4 })];
    const compiler = compilerFor(form);

    // Reference: the same steps without the bad batch.
    const reference = await Trainer.fromCompiler({ compiler, worker: false, seed: 3 });
    t.teardown(() => reference.close());
    await reference.trainEpoch(batches(good));
    await reference.trainEpoch(batches(good).slice(0, 1));
    const beforeBad = await reference.state();

    const stopping = await Trainer.fromCompiler({ compiler, worker: false, seed: 3 });
    t.teardown(() => stopping.close());
    const lens = new RecordingLens([]);
    const inspector = new Inspector({ lenses: [lens], logger: null });
    const warnings: MonitorEvent[] = [];
    inspector.attach(stopping);
    inspector.events.warning$.subscribe((w) => warnings.push(w));
    await stopping.trainEpoch(batches(good));
    const error = await stopping.trainEpoch(batches(poisoned)).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.match(error, { code: 'NON_FINITE_LOSS', details: { step: 5, epoch: 2, updateSkipped: true } });
    t.match((error as Error).message, /at step 5 \(epoch 2\)\. .*update was skipped/);
    t.notMatch((error as Error).message, /^[^;]*Lower the learning rate/, 'the batch is checked first');
    t.equal(warnings.length, 1, 'one warning: the non-finite loss');
    same(t, await stopping.state(), beforeBad, 'stop: the state from before the bad step');
    for (let epoch = 0; epoch < 3; epoch++) {
      const summary = await stopping.trainEpoch(batches(good));
      t.ok(Number.isFinite(summary.loss), `stop: later epoch ${epoch + 1} has a finite loss ${summary.loss}`);
      t.equal(summary.skippedUpdates, 0);
    }
    await inspector.close();

    const going = await Trainer.fromCompiler({ compiler, worker: false, seed: 3, onNonFiniteLoss: 'continue' });
    t.teardown(() => going.close());
    await going.trainEpoch(batches(good));
    const summary = await going.trainEpoch(batches(poisoned));
    t.same([summary.nonFiniteLosses, summary.skippedUpdates], [1, 1]);
    const skipped = await Trainer.fromCompiler({ compiler, worker: false, seed: 3 });
    t.teardown(() => skipped.close());
    await skipped.trainEpoch(batches(good));
    const [b0, , b2] = batches(good);
    await skipped.trainEpoch([b0!, b2!]);
    // Equal state, optimizer step count included: the skipped step did not advance Adam's t.
    same(t, await going.state(), await skipped.state(), 'continue: as if the bad batch were not there');
    const later = await going.trainEpoch(batches(good));
    t.ok(Number.isFinite(later.loss), `continue: the next epoch's loss is finite (${later.loss})`);
  });
}
