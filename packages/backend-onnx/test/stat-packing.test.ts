import t from 'tap';
import { reduce, type ReductionRequest } from '@monitorch/core';
import { crossEntropy, linear, relu, sequential, sgd } from '@monitorch/backend-onnx';
import {
  compileTrainGraph,
  decodeStatFrom,
  runGraph,
  statParts,
  type FeedTensor,
  type StatOutput,
} from '@monitorch/backend-onnx/internals';
import { graphFeeds } from './fixtures/graph-feeds.js';

// Statistic parts whose size is known at compile time travel in one packed graph output: a step
// then fetches, posts and decodes one small array instead of dozens.
const model = () => sequential({ lin1: linear(4, 6), relu1: relu(), lin2: linear(6, 3) });
const N = 5;

function feedsFor(graph: ReturnType<typeof compileTrainGraph>): Record<string, FeedTensor> {
  const x = { data: Float32Array.from({ length: N * 4 }, (_, i) => Math.cos(i * 1.3) * 2), dims: [N, 4] };
  return graphFeeds(
    graph,
    x,
    { data: Int32Array.from({ length: N }, (_, i) => i % 3), dims: [N] },
    { lr: 0.1, initSeed: 7 },
  );
}

t.test('fixed-size statistics share one packed output, laid end to end', async (t) => {
  const requests: ReductionRequest[] = [
    { select: { of: 'output', modules: {} }, reduction: { op: 'activeCount', per: 'channel', eps: 1e-8 } },
    { select: { of: 'output', modules: {} }, reduction: { op: 'max' } },
    {
      select: { of: 'gradient', parameters: ['weight', 'bias'] },
      reduction: { op: 'activeCount', per: 'neuron', eps: 1e-8 },
    },
    { select: { of: 'gradient', parameters: ['weight'] }, reduction: { op: 'nonFinite' } },
  ];
  const graph = compileTrainGraph(model(), {
    inputShape: [-1, 4],
    loss: crossEntropy(),
    optimizer: sgd({ lr: 0.1 }),
    requests,
    debug: { outputs: true, gradients: true },
  });
  t.same(
    graph.outputs.filter((o) => o.role === 'stat').map((o) => o.name),
    ['stat.packed'],
    'one stat output',
  );
  t.ok(
    graph.stats.length > 0 && graph.stats.every((s) => s.packed?.output === 'stat.packed'),
    'every statistic is packed',
  );

  const out = await runGraph(graph, feedsFor(graph));
  const packedLength = out['stat.packed']!.data.length;
  const covered = new Array<number>(packedLength).fill(0);
  for (const stat of graph.stats) {
    const parts = statParts(stat, out);
    t.equal(parts.length, stat.outputs.length, `${stat.outputs[0]}: one part per output name`);
    for (const [offset, length] of stat.packed!.slices) for (let i = offset; i < offset + length; i++) covered[i]! += 1;
  }
  t.ok(
    covered.every((c) => c >= 1),
    'the slices cover the packed output, with no unused entries',
  );

  // Each answer equals the core kernel on the tensor itself (the graph's debug output).
  const tensorOf = (stat: StatOutput) =>
    out[
      stat.source === 'output' ? `debug.out.${stat.module.name}` : `debug.grad.${stat.module.name}.${stat.parameter}`
    ]!;
  for (const stat of graph.stats) {
    const tensor = tensorOf(stat);
    t.same(
      decodeStatFrom(stat, out, N),
      reduce(Float64Array.from(tensor.data as Float32Array), tensor.dims, stat.reduction),
      `${stat.source} ${stat.module.name} ${stat.parameter ?? ''} ${stat.reduction.op}`,
    );
  }
});

t.test('a statistic whose size depends on the batch keeps outputs of its own', async (t) => {
  // activeCount per neuron of a [N, 6] output: one count per sample, N unknown at compile time.
  const requests: ReductionRequest[] = [
    {
      select: { of: 'output', modules: { names: ['relu1'] } },
      reduction: { op: 'activeCount', per: 'neuron', eps: 1e-8 },
    },
    { select: { of: 'output', modules: { names: ['relu1'] } }, reduction: { op: 'l2' } },
  ];
  const graph = compileTrainGraph(model(), {
    inputShape: [-1, 4],
    loss: crossEntropy(),
    optimizer: sgd({ lr: 0.1 }),
    requests,
    debug: { outputs: true },
  });
  const perSample = graph.stats.find((s) => s.reduction.op === 'activeCount')!;
  const norm = graph.stats.find((s) => s.reduction.op === 'l2')!;
  t.equal(perSample.packed, undefined, 'the per-sample counts are not packed');
  t.equal(norm.packed?.output, 'stat.packed', 'the norm is');
  t.same(
    graph.outputs
      .filter((o) => o.role === 'stat')
      .map((o) => o.name)
      .sort(),
    [...perSample.outputs, 'stat.packed'].sort(),
  );
  const out = await runGraph(graph, feedsFor(graph));
  const relu = out['debug.out.relu1']!;
  const got = decodeStatFrom(perSample, out, N);
  t.ok(got.op === 'activeCount' && got.counts.length === N, 'one count per sample');
  t.same(
    got,
    reduce(Float64Array.from(relu.data as Float32Array), relu.dims, perSample.reduction),
    'equal to the core kernel',
  );
});

t.test('reading a packed output of another graph fails with a clear error', async (t) => {
  const requests: ReductionRequest[] = [
    { select: { of: 'output', modules: {} }, reduction: { op: 'activeCount', per: 'channel', eps: 0 } },
  ];
  const graph = compileTrainGraph(model(), {
    inputShape: [-1, 4],
    loss: crossEntropy(),
    optimizer: sgd({ lr: 0.1 }),
    requests,
  });
  const stat = graph.stats[graph.stats.length - 1]!;
  t.throws(() => statParts(stat, { 'stat.packed': { data: new Float32Array(1), dims: [1] } }), {
    code: 'BACKEND_FAILED',
    message: /different graph/,
  });
  t.throws(() => statParts(stat, {}), { code: 'BACKEND_FAILED', message: /stat\.packed/ });
});
