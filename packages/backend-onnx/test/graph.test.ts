import t, { type Test } from 'tap';
import { isMonitorchError, type MonitorchErrorCode, type ReductionRequest } from '@monitorch/core';
import {
  adam,
  conv2d,
  crossEntropy,
  custom,
  dropout,
  flatten,
  linear,
  maxPool2d,
  relu,
  sequential,
  sgd,
  softmax,
} from '@monitorch/backend-onnx';
import {
  compileEvalGraph,
  compileNetwork,
  compileTrainGraph,
  float,
  GraphBuilder,
  initialParameters,
  ProtoWriter,
  runGraph,
  type FeedTensor,
  type CompiledNetworkGraph,
} from '@monitorch/backend-onnx/internals';
import { finiteDiff, randoms, refForward, refLoss, type T64 } from './fixtures/gradcheck-reference.js';
import { dropoutKeyFeeds } from './fixtures/dropout-keys.js';

function expectError(t: Test, fn: () => unknown, code: MonitorchErrorCode, patterns: RegExp[], what: string): void {
  try {
    fn();
    t.fail(`${what}: no error thrown`);
  } catch (e) {
    t.ok(isMonitorchError(e, code), `${what}: ${code}`);
    for (const p of patterns) t.match((e as Error).message, p, `${what}: message says ${p}`);
  }
}

function seedCnn(p = 0.2) {
  return sequential({
    conv: sequential({
      conv1: conv2d(1, 64, 7, { padding: 'same' }),
      pool1: maxPool2d(7),
      relu1: relu(),
      dropout: dropout(p),
      conv2: conv2d(64, 128, 4),
      relu2: relu(),
    }),
    flatten: flatten(),
    dense: sequential({
      dropout1: dropout(p),
      lin1: linear(128, 32),
      relu1: relu(),
      dropout2: dropout(p),
      lin2: linear(32, 10),
      softmax: softmax(1),
    }),
  });
}

function feedsFor(
  graph: CompiledNetworkGraph,
  x: Float32Array,
  xDims: number[],
  y: Int32Array,
  seed = 1,
): Record<string, FeedTensor> {
  const init = initialParameters(graph.parameters, seed);
  const feeds: Record<string, FeedTensor> = {
    x: { data: x, dims: xDims },
    y: { data: y, dims: [y.length] },
    lr: { data: new Float32Array([1e-3]), dims: [] },
  };
  for (const i of graph.inputs) {
    if (i.role === 'param') feeds[i.name] = init[i.name]!;
    if (i.role === 'optState')
      feeds[i.name] = { data: new Float32Array(i.shape.reduce((a, b) => a * b, 1)), dims: i.shape };
  }
  Object.assign(feeds, dropoutKeyFeeds(graph));
  return feeds;
}

t.test('protobuf writer: varints, negative int64, floats', async (t) => {
  const w = new ProtoWriter();
  w.varint(300);
  t.same(Array.from(w.finish()), [0xac, 0x02], '300 is ac 02');
  const n = new ProtoWriter();
  n.varint(-1);
  t.same(
    Array.from(n.finish()),
    [255, 255, 255, 255, 255, 255, 255, 255, 255, 1],
    "-1 is ten bytes (two's complement int64)",
  );
  const f = new ProtoWriter();
  f.float(2, 0.5);
  t.same(Array.from(f.finish()), [0x15, 0, 0, 0, 0x3f], 'float field: tag (2<<3)|5, little-endian IEEE single');
  const g = new GraphBuilder('attr');
  t.throws(
    () => {
      g.op1('LeakyRelu', [g.input('x', 'float32', [2])], { alpha: 0.5 });
      g.toBytes();
    },
    /wrap floats/,
    'a fractional number must be marked float()',
  );
});

t.test('a hand-built graph runs in ORT with float and int attributes', async (t) => {
  const g = new GraphBuilder('tiny');
  const x = g.input('x', 'float32', [-1, 3]);
  const y = g.op1('LeakyRelu', [x], { alpha: float(0.25) });
  const s = g.op1('ReduceSum', [y, g.constI64([1])], { keepdims: 0 });
  g.output(g.rename(s, 's'));
  const out = await runGraph(
    {
      kind: 'eval',
      bytes: g.toBytes(),
      inputs: [{ name: 'x', role: 'x', dtype: 'float32', shape: [-1, 3] }],
      outputs: [],
      stats: [],
      modules: [],
    },
    { x: { data: Float32Array.from([1, -4, 2, -8, 0, 1]), dims: [2, 3] } },
  );
  t.same(Array.from(out.s!.data as Float32Array), [1 - 1 + 2, -2 + 0 + 1], 'LeakyRelu(alpha 0.25) then row sums');
});

t.test("rank-matched scalars keep the other operand's shape; an If picks its branch at run time", async (t) => {
  const g = new GraphBuilder('branching');
  const x = g.input('x', 'float32', [-1, 3, 1, 1]);
  const scaled = g.op1('Mul', [x, g.scalar(2, 4)]);
  const total = g.op1('ReduceSum', [x], { keepdims: 0 });
  const positive = g.op1('Greater', [total, g.scalar(0)]);
  const yes = g.branch('positive');
  yes.output(yes.op1('Add', [scaled, yes.scalar(100, 4)]));
  const no = g.branch('not_positive');
  no.output(no.op1('Neg', [scaled]));
  const [picked] = g.op('If', [positive], { then_branch: yes.asAttribute(), else_branch: no.asAttribute() });
  g.output(g.rename(scaled, 'scaled'));
  g.output(g.rename(picked as string, 'picked'));
  const run = (values: number[]) =>
    runGraph(
      {
        kind: 'eval',
        bytes: g.toBytes(),
        inputs: [{ name: 'x', role: 'x', dtype: 'float32', shape: [-1, 3, 1, 1] }],
        outputs: [],
        stats: [],
        modules: [],
      },
      { x: { data: Float32Array.from(values), dims: [values.length / 3, 3, 1, 1] } },
    );
  const up = await run([1, 2, 3, -1, 0, 0.5]);
  t.same(up.scaled!.dims, [2, 3, 1, 1], 'a [1,1,1,1] scalar broadcasts without changing the shape');
  t.same(Array.from(up.scaled!.data as Float32Array), [2, 4, 6, -2, 0, 1]);
  t.same(
    Array.from(up.picked!.data as Float32Array),
    [102, 104, 106, 98, 100, 101],
    'sum 5.5 > 0: then-branch, reading outer tensors and its own constant',
  );
  const down = await run([-1, -2, 0]);
  t.same(Array.from(down.picked!.data as Float32Array), [2, 4, 0], 'sum −3: else-branch');
  t.throws(() => g.branch('clash').op('Relu', [x], {}, ['scaled']), /used twice/, "a branch shares the graph's names");
});

t.test('the seed CNN: module names, kinds, parameters', async (t) => {
  const graph = compileTrainGraph(seedCnn(), { inputShape: [-1, 1, 28, 28], loss: crossEntropy(), optimizer: adam() });
  t.same(
    graph.modules.map((m) => `${m.name}:${m.kind}:${m.type}`),
    [
      'conv.conv1:conv:Conv2d',
      'conv.pool1:pool:MaxPool2d',
      'conv.relu1:activation:ReLU',
      'conv.dropout:dropout:Dropout',
      'conv.conv2:conv:Conv2d',
      'conv.relu2:activation:ReLU',
      'flatten:reshape:Flatten',
      'dense.dropout1:dropout:Dropout',
      'dense.lin1:linear:Linear',
      'dense.relu1:activation:ReLU',
      'dense.dropout2:dropout:Dropout',
      'dense.lin2:linear:Linear',
      'dense.softmax:activation:Softmax',
    ],
  );
  t.same(
    graph.modules.map((m) => m.order),
    [...Array(13).keys()],
    'forward order',
  );
  t.same(
    graph.parameters.map((p) => `${p.fullName}[${p.shape.join(',')}]`),
    [
      'conv.conv1.weight[64,1,7,7]',
      'conv.conv1.bias[64]',
      'conv.conv2.weight[128,64,4,4]',
      'conv.conv2.bias[128]',
      'dense.lin1.weight[32,128]',
      'dense.lin1.bias[32]',
      'dense.lin2.weight[10,32]',
      'dense.lin2.bias[10]',
    ],
  );
  t.same(graph.outputShape, [-1, 10]);
  const y = graph.inputs.find((i) => i.role === 'y');
  t.same([y?.dtype, y?.shape], ['int32', [-1]], 'labels are int32 (no int64 on the compute path)');
  t.same(
    graph.inputs.filter((i) => i.role === 'hyper').map((i) => `${i.name}:${i.dtype}`),
    [
      'dropout.key.conv.dropout:int32',
      'dropout.key.dense.dropout1:int32',
      'dropout.key.dense.dropout2:int32',
      'lr:float32',
    ],
    'a mask key per dropout layer, and the learning rate',
  );
  t.equal(graph.inputs.filter((i) => i.role === 'optState').length, 1 + 8 * 2, 'step + Adam m, v per parameter');
  for (const o of graph.outputs.filter((x) => x.feeds !== undefined)) {
    t.ok(
      graph.inputs.some((i) => i.name === o.feeds),
      `${o.name} feeds input ${o.feeds}`,
    );
  }
  // PyTorch default init bounds: 1/sqrt(fan_in).
  const init = initialParameters(graph.parameters, 7);
  const bound = (name: string): number => Math.max(...Array.from(init[name]!.data, Math.abs));
  t.ok(bound('conv.conv1.weight') <= 1 / 7 && bound('conv.conv1.weight') > 0.9 / 7, 'conv1 weight in U(±1/7)');
  t.ok(bound('dense.lin1.bias') <= 1 / Math.sqrt(128), 'lin1 bias in U(±1/√128)');
  t.same(
    initialParameters(graph.parameters, 7)['dense.lin2.weight']!.data,
    init['dense.lin2.weight']!.data,
    'same seed, same values',
  );
  t.not(
    initialParameters(graph.parameters, 8)['dense.lin2.weight']!.data[0],
    init['dense.lin2.weight']!.data[0],
    'another seed differs',
  );
});

t.test('the seed CNN: one Adam train step at batch 8, then eval', async (t) => {
  const requests: ReductionRequest[] = [
    {
      select: { of: 'output', modules: { kinds: ['activation'] }, phases: ['train', 'val'] },
      reduction: { op: 'activeCount', per: 'channel', eps: 1e-8 },
    },
    { select: { of: 'gradient', parameters: ['weight'] }, reduction: { op: 'activeCount', per: 'neuron', eps: 1e-8 } },
  ];
  const graph = compileTrainGraph(seedCnn(0.3), {
    inputShape: [8, 1, 28, 28],
    loss: crossEntropy(),
    optimizer: adam(),
    requests,
  });
  const x = randoms(8 * 784, 5, 0, 1);
  const y = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
  const feeds = feedsFor(graph, x, [8, 1, 28, 28], y);
  const out = await runGraph(graph, feeds);
  const loss = Number(out.loss!.data[0]);
  // Cross-entropy over softmax outputs lies in [log(e + 9) − 1, log(9 + e) − 1 + 1].
  t.ok(
    loss > Math.log(Math.E + 9) - 1 && loss < Math.log(10) + 0.1,
    `loss ${loss} is a double-softmax cross-entropy near log 10`,
  );
  t.same(out.prediction!.dims, [8, 10]);
  const rows = out.prediction!.data as Float32Array;
  t.ok(Math.abs(rows.slice(0, 10).reduce((a, b) => a + b, 0) - 1) < 1e-5, 'predictions are softmax rows');
  t.equal(Number(out['optimizer.step.new']!.data[0]), 1, 'step counter advanced');
  const w0 = feeds['dense.lin2.weight']!.data as Float32Array;
  const w1 = out['dense.lin2.weight.new']!.data as Float32Array;
  const moved = w1.reduce((m, v, i) => Math.max(m, Math.abs(v - w0[i]!)), 0);
  t.ok(moved > 5e-4 && moved < 1.5e-3, `first Adam step moves a weight by about lr (max ${moved.toExponential(2)})`);
  t.equal(
    graph.stats.filter((s) => s.source === 'output').length,
    4,
    'one output statistic per activation (3 ReLU, 1 Softmax)',
  );
  t.equal(graph.stats.filter((s) => s.source === 'gradient').length, 4, 'one gradient statistic per weight');

  const evalGraph = compileEvalGraph(seedCnn(0.3), { inputShape: [-1, 1, 28, 28], loss: crossEntropy(), requests });
  const evalFeeds: Record<string, FeedTensor> = {};
  for (const i of evalGraph.inputs) evalFeeds[i.name] = feeds[i.name]!;
  const a = await runGraph(evalGraph, evalFeeds);
  const b = await runGraph(evalGraph, evalFeeds);
  t.equal(Number(a.loss!.data[0]), Number(b.loss!.data[0]), 'eval is deterministic (dropout off)');
  t.same(
    evalGraph.inputs.map((i) => i.role).filter((r) => r === 'optState' || r === 'hyper'),
    [],
    'eval needs no optimizer state or lr',
  );
});

t.test('bad input names the layer and the shapes', async (t) => {
  const compile = (shape: number[]): CompiledNetworkGraph =>
    compileTrainGraph(seedCnn(), { inputShape: shape, loss: crossEntropy(), optimizer: adam() });
  expectError(
    t,
    () => compile([-1, 3, 28, 28]),
    'SHAPE_MISMATCH',
    [/conv\.conv1/, /\[N, 3, 28, 28\]/, /1 input channels, got 3/],
    'channels',
  );
  expectError(
    t,
    () => compile([-1, 1, 20, 20]),
    'SHAPE_MISMATCH',
    [/conv\.conv2/, /\[N, 64, 2, 2\]/],
    'too small for conv2',
  );
  expectError(
    t,
    () => compile([-1, 1, 35, 35]),
    'SHAPE_MISMATCH',
    [/dense\.lin1/, /expected 128 input features, got 512/],
    'linear features',
  );
  expectError(t, () => compile([-1, 784]), 'SHAPE_MISMATCH', [/conv\.conv1/, /4-D input/], 'rank');
  t.throws(() => compile([-1]), { code: 'INVALID_ARGUMENT' }, 'no feature dims');
  t.doesNotThrow(
    () =>
      compileTrainGraph(sequential({ l: linear(4, 3), flat: flatten() }), {
        inputShape: [-1, 4],
        loss: crossEntropy(),
        optimizer: adam(),
      }),
    'flatten of [N, 3] is fine',
  );
});

t.test('unsupported or invalid layer options', async (t) => {
  t.throws(() => conv2d(1, 2, 3, { stride: 2, padding: 'same' }), { code: 'UNSUPPORTED' }, "'same' with stride 2");
  t.throws(() => conv2d(1, 2, 3, { dilation: 2 }), { code: 'UNSUPPORTED' }, 'dilation');
  t.throws(() => conv2d(1, 2, 3, { groups: 2 }), { code: 'UNSUPPORTED' }, 'groups');
  t.throws(() => maxPool2d(2, { ceilMode: true }), { code: 'UNSUPPORTED' }, 'ceilMode');
  t.throws(() => conv2d(1, 2, 0), { code: 'INVALID_ARGUMENT' }, 'kernel 0');
  t.throws(() => conv2d(1, 2, 3, { padding: -1 }), { code: 'INVALID_ARGUMENT' }, 'negative padding');
  t.throws(() => dropout(1), { code: 'INVALID_ARGUMENT' }, 'dropout p = 1');
  t.throws(() => linear(0, 3), { code: 'INVALID_ARGUMENT' }, 'zero features');
  t.throws(() => sequential({}), { code: 'INVALID_ARGUMENT' }, 'empty sequential');
  t.throws(() => sequential({ 'a.b': relu() }), { code: 'INVALID_ARGUMENT' }, 'dotted key');
  const shared = linear(4, 4);
  t.throws(
    () =>
      compileTrainGraph(
        sequential({ a: shared, r: relu(), b: custom({ again: shared }, (x, m) => m.again(m.again(x))) }),
        { inputShape: [-1, 4], loss: crossEntropy(), optimizer: adam() },
      ),
    { code: 'INVALID_ARGUMENT' },
    'a layer used twice',
  );
  expectError(
    t,
    () =>
      compileTrainGraph(sequential({ a: linear(4, 3), sm: softmax(2) }), {
        inputShape: [-1, 4],
        loss: crossEntropy(),
        optimizer: adam(),
      }),
    'INVALID_ARGUMENT',
    [/"sm"/, /axis 2/],
    'softmax axis out of range',
  );
  expectError(
    t,
    () => compileTrainGraph(conv2d(1, 2, 3), { inputShape: [-1, 1, 5, 5], loss: crossEntropy(), optimizer: adam() }),
    'SHAPE_MISMATCH',
    [/\[N, classes\]/, /\[N, 2, 3, 3\]/],
    'cross-entropy on a 4-D output',
  );
});

t.test('custom forward: branches, products and sums get correct gradients', async (t) => {
  const a = linear(3, 3);
  const b = linear(3, 3);
  const head = linear(3, 2);
  const model = sequential({
    mix: custom({ a, b }, (x, m, ops) => ops.sub(ops.mul(m.a(x), m.b(x)), ops.scale(x, 0.5))),
    head,
  });
  const graph = compileTrainGraph(model, {
    inputShape: [4, 3],
    loss: crossEntropy(),
    optimizer: sgd({ lr: 0 }),
    debug: { gradients: true },
  });
  t.same(
    graph.modules.map((m) => m.name),
    ['mix.a', 'mix.b', 'head'],
  );
  const x = randoms(12, 31);
  const y = Int32Array.from([0, 1, 1, 0]);
  const feeds = feedsFor(graph, x, [4, 3], y, 4);
  const out = await runGraph(graph, feeds);
  const params = new Map(
    graph.parameters.map((p) => [p.fullName, Float64Array.from(feeds[p.fullName]!.data as Float32Array)]),
  );
  const x64: T64 = { data: Float64Array.from(x), shape: [4, 3] };
  const f = (): number => {
    const env = { params, masks: new Map<string, Uint8Array>() };
    const ya = refForward(a, x64, env, 'mix.a');
    const yb = refForward(b, x64, env, 'mix.b');
    const mix: T64 = { data: ya.data.map((v, i) => v * yb.data[i]! - 0.5 * x64.data[i]!), shape: [4, 3] };
    return refLoss.crossEntropy(refForward(head, mix, env, 'head'), y);
  };
  t.ok(Math.abs(Number(out.loss!.data[0]) - f()) < 1e-6, 'loss matches the reference');
  let worst = 0;
  for (const p of graph.parameters) {
    const g = out[`debug.grad.${p.fullName}`]!.data as Float32Array;
    const entries = [...g.keys()];
    const fd = finiteDiff(f, params.get(p.fullName)!, entries);
    entries.forEach((i, k) => {
      worst = Math.max(worst, Math.abs(g[i]! - fd[k]!) / Math.max(Math.abs(fd[k]!), 1e-4));
    });
  }
  t.ok(worst < 1e-3, `every gradient entry within ${worst.toExponential(2)} of finite differences`);
});

t.test('compileNetwork gives the trainer its graphs, parameters, decoder and hypers', async (t) => {
  const compiler = compileNetwork({
    model: sequential({ l: linear(2, 3), r: relu(), o: linear(3, 2) }),
    inputShape: [-1, 2],
    loss: crossEntropy(),
    optimizer: sgd({ lr: 0.05 }),
  });
  t.equal(compiler.learningRate, 0.05);
  t.same(compiler.hypers(0.01, 5, 1), { lr: 0.01 }, 'no dropout: the learning rate only');
  const params = compiler.initialParameters(3);
  t.same(Object.keys(params), ['l.weight', 'l.bias', 'o.weight', 'o.bias']);
  t.same(params['l.weight']?.dims, [3, 2]);
  const graphs = compiler.compile([
    {
      select: { of: 'output', modules: { kinds: ['activation'] }, phases: ['train', 'val'] },
      reduction: { op: 'max' },
    },
  ]);
  t.equal(graphs.train.stats.length, 1);
  t.equal(graphs.eval.stats.length, 1);
  t.throws(
    () => compileNetwork({ model: linear(2, 3), inputShape: [-1, 5], loss: crossEntropy(), optimizer: sgd({ lr: 1 }) }),
    { code: 'SHAPE_MISMATCH' },
    'bad declarations fail at once',
  );
});
