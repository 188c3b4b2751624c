import t from 'tap';
import type { ReductionRequest } from '@monitorch/core';
import { crossEntropy, dropout, linear, relu, sequential, sgd } from '@monitorch/backend-onnx';
import { compileTrainGraph, decodeStatFrom, runGraph } from '@monitorch/backend-onnx/internals';
import { graphFeeds } from './fixtures/graph-feeds.js';

// Dropout(p = 0) is an Identity of its input: its statistics must equal the ReLU's before it,
// and must be computed once (the seed CNN has three such layers; computing them twice was a
// measurable share of the lens overhead).
const model = () => sequential({ lin1: linear(4, 6), relu1: relu(), drop: dropout(0), lin2: linear(6, 3) });
const activeCount = { op: 'activeCount', per: 'channel', eps: 1e-8 } as const;
const request = (kinds: ('activation' | 'dropout')[]): ReductionRequest[] => [
  { select: { of: 'output', modules: { kinds } }, reduction: activeCount },
  { select: { of: 'output', modules: { kinds } }, reduction: { op: 'l2' } },
];
const opCount = (bytes: Uint8Array, op: string): number => Buffer.from(bytes).toString('latin1').split(op).length - 1;

t.test('a p = 0 dropout reuses the statistics of its input', async (t) => {
  const reluOnly = compileTrainGraph(model(), {
    inputShape: [-1, 4],
    loss: crossEntropy(),
    optimizer: sgd({ lr: 0.1 }),
    requests: request(['activation']),
  });
  const both = compileTrainGraph(model(), {
    inputShape: [-1, 4],
    loss: crossEntropy(),
    optimizer: sgd({ lr: 0.1 }),
    requests: request(['activation', 'dropout']),
  });
  for (const op of ['Greater', 'ReduceL2', 'Less']) {
    t.ok(opCount(reluOnly.bytes, op) > 0, `the ReLU's statistics use ${op}`);
    t.equal(opCount(both.bytes, op), opCount(reluOnly.bytes, op), `no second ${op} for the dropout's statistics`);
  }
  t.equal(opCount(reluOnly.bytes, 'Abs'), 0, 'a ReLU output is its own magnitude: no Abs');
  t.equal(both.stats.length, reluOnly.stats.length * 2, 'both modules still get their own statistic declarations');
  const slices = (module: string) => both.stats.filter((s) => s.module.name === module).map((s) => s.packed?.slices);
  t.same(slices('drop'), slices('relu1'), 'and read the same slices of the packed output: the values travel once');

  const n = 5;
  const x = { data: Float32Array.from({ length: n * 4 }, (_, i) => Math.sin(i * 1.7) * 2), dims: [n, 4] };
  const feeds = graphFeeds(
    both,
    x,
    { data: Int32Array.from({ length: n }, (_, i) => i % 3), dims: [n] },
    { lr: 0.1, initSeed: 3 },
  );
  const out = await runGraph(both, feeds);
  const answer = (module: string, op: string) => {
    const stat = both.stats.find((s) => s.module.name === module && s.reduction.op === op);
    if (stat === undefined) throw new Error(`no ${op} statistic for ${module}`);
    return decodeStatFrom(stat, out, n);
  };
  const reluCounts = answer('relu1', 'activeCount');
  t.same(answer('drop', 'activeCount'), reluCounts, 'dropout counts equal relu counts');
  t.same(answer('drop', 'l2'), answer('relu1', 'l2'), 'dropout norm equals relu norm');
  t.ok(
    reluCounts.op === 'activeCount' && reluCounts.counts.length === 6 && reluCounts.size === n,
    'six channels over five samples',
  );
});
