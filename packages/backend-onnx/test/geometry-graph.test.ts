// The in-graph forms of issue 14's reductions (sampleL2, histogram, previousDot, updateRatio)
// on hand-computed numbers, in the CPU graph and the WebGPU graph form (run on the CPU
// provider). stats.test.ts checks them against core's kernels on a whole network.
import t from 'tap';
import type { Reduction, ReductionRequest, ReductionResult } from '@monitorch/core';
import { crossEntropy, dropout, linear, sequential, sgd } from '@monitorch/backend-onnx';
import {
  compileTrainGraph,
  decodeStatFrom,
  runGraph,
  type CompiledNetworkGraph,
  type FeedTensor,
  type RunOutput,
} from '@monitorch/backend-onnx/internals';
import { graphFeeds } from './fixtures/graph-feeds.js';

/** dropout(0) passes x through unchanged: its output is the tensor we hand the numbers of. */
const passThrough = sequential({ drop: dropout(0) });
const HIST: Reduction = { op: 'histogram', lo: -2, hi: 2, bins: 4 };

function outputRequests(reductions: readonly Reduction[]): ReductionRequest[] {
  return reductions.map((reduction) => ({ select: { of: 'output', modules: {} }, reduction }));
}

function compileFor(device: 'cpu' | 'webgpu', requests: ReductionRequest[], net = passThrough, F = 3) {
  return compileTrainGraph(net, {
    inputShape: [-1, F],
    loss: crossEntropy(),
    optimizer: sgd({ lr: 0.5 }),
    requests,
    device,
    debug: { gradients: true },
  });
}

/** The geometry state inputs fed as zeros, or from `previous` outputs. */
function stateFeeds(
  graph: CompiledNetworkGraph,
  batch: number,
  previous?: Record<string, RunOutput>,
): Record<string, FeedTensor> {
  const feeds: Record<string, FeedTensor> = {};
  for (const input of graph.inputs) {
    if (input.role !== 'geometryState') continue;
    const out = graph.outputs.find((o) => o.feeds === input.name);
    const fed = previous?.[out?.name ?? ''];
    const dims = input.shape.map((d) => (d < 0 ? batch : d));
    feeds[input.name] =
      fed === undefined
        ? { data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims }
        : { data: fed.data as Float32Array, dims: fed.dims };
  }
  return feeds;
}

function answer(graph: CompiledNetworkGraph, out: Record<string, RunOutput>, op: string, N: number): ReductionResult {
  const stat = graph.stats.find((s) => s.reduction.op === op);
  if (stat === undefined) throw new Error(`no ${op} statistic`);
  return decodeStatFrom(stat, out, N);
}

for (const device of ['cpu', 'webgpu'] as const) {
  t.test(`${device} form: sampleL2 and histogram of a hand-made batch`, async (t) => {
    const graph = compileFor(device, outputRequests([{ op: 'sampleL2' }, HIST]));
    // rows [3, −4, 0] (norm 5) and [1, 2, −1.5] (norm √7.25)
    const x = { data: Float32Array.from([3, -4, 0, 1, 2, -1.5]), dims: [2, 3] };
    const y = { data: Int32Array.from([0, 1]), dims: [2] };
    const out = await runGraph(graph, { ...graphFeeds(graph, x, y), ...stateFeeds(graph, 2) });
    const l2 = answer(graph, out, 'sampleL2', 2);
    t.ok(
      l2.op === 'sampleL2' && Math.abs(l2.value - (5 + Math.sqrt(7.25)) / 2) < 1e-6,
      `mean norm (got ${JSON.stringify(l2)})`,
    );
    const h = answer(graph, out, 'histogram', 2);
    if (h.op !== 'histogram') throw new Error('not a histogram');
    // bins of width 1 over [−2, 2): −1.5 → bin 0; 0 → bin 2; 1 → bin 3; −4 below; 3 and 2 (= hi) above
    t.same(Array.from(h.counts), [1, 0, 1, 1], 'bin counts');
    t.same([h.below, h.above, h.nonFinite], [1, 2, 0], 'below, above, non-finite');
  });

  t.test(`${device} form: NaN and ±Infinity are non-finite in the histogram and make sampleL2 NaN`, async (t) => {
    const graph = compileFor(device, outputRequests([{ op: 'sampleL2' }, HIST]));
    const x = { data: Float32Array.from([Number.NaN, 0.5, Infinity, -Infinity, -2, 1.999]), dims: [2, 3] };
    const y = { data: Int32Array.from([0, 1]), dims: [2] };
    const out = await runGraph(graph, { ...graphFeeds(graph, x, y), ...stateFeeds(graph, 2) });
    const l2 = answer(graph, out, 'sampleL2', 2);
    t.ok(l2.op === 'sampleL2' && Number.isNaN(l2.value), 'sampleL2 is NaN');
    const h = answer(graph, out, 'histogram', 2);
    if (h.op !== 'histogram') throw new Error('not a histogram');
    t.same(Array.from(h.counts), [1, 0, 1, 1], '−2 (= lo) in bin 0, 0.5 in bin 2, 1.999 in bin 3');
    t.same([h.below, h.above, h.nonFinite], [0, 0, 3], 'NaN, +Inf and −Inf in no bin');
  });

  t.test(`${device} form: previousDot carries the previous tensor and its norm`, async (t) => {
    const graph = compileFor(device, outputRequests([{ op: 'previousDot' }]));
    const state = graph.inputs.filter((i) => i.role === 'geometryState');
    t.same(
      state.map((i) => [i.name, i.shape]),
      [
        ['geom.output.drop.prev', [-1, 3]],
        ['geom.output.drop.prevNorm', []],
      ],
      'the previous tensor (batch-shaped) and its norm are inputs',
    );
    const y = { data: Int32Array.from([0, 1]), dims: [2] };
    const x1 = { data: Float32Array.from([1, 2, 2, 0, 0, 0]), dims: [2, 3] }; // norm 3
    const first = await runGraph(graph, { ...graphFeeds(graph, x1, y), ...stateFeeds(graph, 2) });
    t.same(
      answer(graph, first, 'previousDot', 2),
      { op: 'previousDot', dot: 0, norm: 3, previousNorm: 0 },
      'no previous tensor yet',
    );
    const x2 = { data: Float32Array.from([2, 0, 1, 0, 4, 0]), dims: [2, 3] }; // norm √21, ⟨x1, x2⟩ = 4
    const second = await runGraph(graph, { ...graphFeeds(graph, x2, y), ...stateFeeds(graph, 2, first) });
    const d = answer(graph, second, 'previousDot', 2);
    if (d.op !== 'previousDot') throw new Error('not previousDot');
    t.same([d.dot, d.previousNorm], [4, 3], '⟨x1, x2⟩ and ‖x1‖ carried over');
    t.ok(Math.abs(d.norm - Math.sqrt(21)) < 1e-6, '‖x2‖');
  });

  t.test(`${device} form: updateRatio is ‖ΔP‖ / ‖P‖ with P before the step`, async (t) => {
    const net = sequential({ lin: linear(2, 2) });
    const reduction: Reduction = { op: 'updateRatio' };
    const graph = compileFor(device, [{ select: { of: 'update', parameters: ['weight'] }, reduction }], net, 2);
    const x = { data: Float32Array.from([1, 0, 0, 1]), dims: [2, 2] };
    const y = { data: Int32Array.from([0, 1]), dims: [2] };
    const W = { data: Float32Array.from([3, 0, 0, 4]), dims: [2, 2] }; // ‖W‖ = 5
    const b = { data: Float32Array.from([0, 0]), dims: [2] };
    const feeds = graphFeeds(graph, x, y, { lr: 0.5, params: { 'lin.weight': W, 'lin.bias': b } });
    const out = await runGraph(graph, { ...feeds, ...stateFeeds(graph, 2) });
    // Hand-computed: logits = W (x = I), p = softmax rows; dL/dW = (p − onehot)ᵀ x / N.
    const softmax = (a: number, c: number): [number, number] => {
      const m = Math.max(a, c);
      const ea = Math.exp(a - m);
      const ec = Math.exp(c - m);
      return [ea / (ea + ec), ec / (ea + ec)];
    };
    const p0 = softmax(3, 0); // sample 0, label 0
    const p1 = softmax(0, 4); // sample 1, label 1
    const gradW = [(p0[0] - 1) / 2, p1[0] / 2, p0[1] / 2, (p1[1] - 1) / 2]; // rows = outputs, cols = inputs
    const updateNorm = 0.5 * Math.hypot(...gradW);
    const r = answer(graph, out, 'updateRatio', 2);
    t.ok(
      r.op === 'updateRatio' && Math.abs(r.value - updateNorm / 5) < 1e-6,
      `${JSON.stringify(r)} vs ${updateNorm / 5}`,
    );
  });
}
