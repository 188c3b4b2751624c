import t from 'tap';
import {
  avgPool2d,
  bce,
  bceWithLogits,
  conv2d,
  crossEntropy,
  dropout,
  flatten,
  gelu,
  leakyRelu,
  linear,
  logSoftmax,
  maxPool2d,
  mse,
  nll,
  relu,
  residual,
  sequential,
  sigmoid,
  softmax,
  tanh,
  type Block,
  type Loss,
} from '@monitorch/backend-onnx';
import { gradCheck, labels, type Targets } from './fixtures/gradcheck-harness.js';
import { randoms, refLoss } from './fixtures/gradcheck-reference.js';

const TOL = 1e-3;
const ce = (n: number, classes: number): Targets => ({
  kind: 'classes',
  y: labels(n, classes),
  ref: refLoss.crossEntropy,
});

interface Case {
  readonly name: string;
  readonly model: Block;
  readonly shape: number[];
  readonly loss: Loss;
  readonly targets: Targets;
  readonly entries?: number;
}

const cases: Case[] = [
  {
    name: 'linear + crossEntropy',
    model: sequential({ lin: linear(4, 3) }),
    shape: [3, 4],
    loss: crossEntropy(),
    targets: ce(3, 3),
  },
  {
    name: 'linear without bias + mse',
    model: sequential({ lin: linear(4, 2, { bias: false }) }),
    shape: [3, 4],
    loss: mse(),
    targets: { kind: 'float', y: randoms(6, 5), ref: refLoss.mse },
  },
  {
    name: 'conv2d padding 1 + conv2d stride 2 (uneven) + flatten',
    model: sequential({
      c1: conv2d(2, 3, 3, { padding: 1 }),
      c2: conv2d(3, 2, 3, { stride: 2 }),
      flat: flatten(),
      lin: linear(2 * 2 * 2, 3),
    }),
    shape: [2, 2, 6, 6],
    loss: crossEntropy(),
    targets: ce(2, 3),
  },
  {
    name: "conv2d 'same' with even kernel, rectangular stride/padding",
    model: sequential({
      c1: conv2d(1, 2, 4, { padding: 'same' }),
      c2: conv2d(2, 2, [3, 2], { stride: [2, 1], padding: [1, 0] }),
      flat: flatten(),
      lin: linear(2 * 3 * 4, 3),
    }),
    shape: [2, 1, 5, 5],
    loss: crossEntropy(),
    targets: ce(2, 3),
  },
  {
    name: 'maxPool2d (non-overlapping)',
    model: sequential({
      c1: conv2d(1, 2, 3, { padding: 1 }),
      pool: maxPool2d(2),
      flat: flatten(),
      lin: linear(2 * 3 * 3, 3),
    }),
    shape: [2, 1, 6, 6],
    loss: crossEntropy(),
    targets: ce(2, 3),
  },
  {
    // 7×7 → 3×3: the last row and column fall outside every window (MaxUnpool path).
    name: 'maxPool2d (non-overlapping, input not divisible by the stride)',
    model: sequential({
      c1: conv2d(1, 2, 3, { padding: 1 }),
      pool: maxPool2d(2),
      flat: flatten(),
      lin: linear(2 * 3 * 3, 3),
    }),
    shape: [2, 1, 7, 7],
    loss: crossEntropy(),
    targets: ce(2, 3),
  },
  {
    name: 'maxPool2d stride larger than the kernel (gaps between windows)',
    model: sequential({
      c1: conv2d(1, 2, 3, { padding: 1 }),
      pool: maxPool2d(2, { stride: 3 }),
      flat: flatten(),
      lin: linear(2 * 2 * 2, 3),
    }),
    shape: [2, 1, 6, 6],
    loss: crossEntropy(),
    targets: ce(2, 3),
  },
  {
    name: 'maxPool2d overlapping windows with padding',
    model: sequential({
      c1: conv2d(1, 2, 3, { padding: 1 }),
      pool: maxPool2d(3, { stride: 2, padding: 1 }),
      flat: flatten(),
      lin: linear(2 * 3 * 3, 3),
    }),
    shape: [2, 1, 6, 6],
    loss: crossEntropy(),
    targets: ce(2, 3),
  },
  {
    name: 'avgPool2d (non-overlapping)',
    model: sequential({
      c1: conv2d(1, 2, 3, { padding: 1 }),
      pool: avgPool2d(2),
      flat: flatten(),
      lin: linear(2 * 3 * 3, 3),
    }),
    shape: [2, 1, 6, 6],
    loss: crossEntropy(),
    targets: ce(2, 3),
  },
  {
    name: 'avgPool2d overlapping, padded, uneven',
    model: sequential({
      c1: conv2d(1, 2, 3, { padding: 1 }),
      pool: avgPool2d(3, { stride: 2, padding: 1 }),
      flat: flatten(),
      lin: linear(2 * 4 * 4, 3),
    }),
    shape: [2, 1, 7, 7],
    loss: crossEntropy(),
    targets: ce(2, 3),
  },
  ...(
    [
      ['relu', relu()],
      ['leakyRelu', leakyRelu(0.1)],
      ['sigmoid', sigmoid()],
      ['tanh', tanh()],
      ['gelu', gelu()],
    ] as const
  ).map(([name, act]): Case => ({
    name: `${name} between two linears`,
    model: sequential({ l1: linear(4, 6), act, l2: linear(6, 3) }),
    shape: [4, 4],
    loss: crossEntropy(),
    targets: ce(4, 3),
  })),
  {
    name: 'softmax then crossEntropy (the seed double softmax)',
    model: sequential({ l1: linear(4, 5), sm: softmax(1) }),
    shape: [3, 4],
    loss: crossEntropy(),
    targets: ce(3, 5),
  },
  {
    name: 'logSoftmax + nll',
    model: sequential({ l1: linear(4, 5), lsm: logSoftmax(1) }),
    shape: [3, 4],
    loss: nll(),
    targets: { kind: 'classes', y: labels(3, 5), ref: refLoss.nll },
  },
  {
    name: 'sigmoid + bce',
    model: sequential({ l1: linear(4, 2), s: sigmoid() }),
    shape: [3, 4],
    loss: bce(),
    targets: { kind: 'float', y: randoms(6, 9, 0, 1), ref: refLoss.bce },
  },
  {
    name: 'bceWithLogits',
    model: sequential({ l1: linear(4, 2) }),
    shape: [3, 4],
    loss: bceWithLogits(),
    targets: { kind: 'float', y: randoms(6, 11, 0, 1), ref: refLoss.bceWithLogits },
  },
  {
    name: 'dropout 0.4 (ORT masks replayed in the reference)',
    model: sequential({ l1: linear(4, 8), drop: dropout(0.4), l2: linear(8, 3) }),
    shape: [4, 4],
    loss: crossEntropy(),
    targets: ce(4, 3),
  },
  {
    name: 'residual block',
    model: sequential({ l1: linear(4, 4), res: residual({ lin: linear(4, 4), act: tanh() }), l2: linear(4, 3) }),
    shape: [3, 4],
    loss: crossEntropy(),
    targets: ce(3, 3),
  },
  {
    name: 'the seed CNN (dropout 0.3 everywhere, softmax + crossEntropy), N = 2',
    model: sequential({
      conv: sequential({
        conv1: conv2d(1, 64, 7, { padding: 'same' }),
        pool1: maxPool2d(7),
        relu1: relu(),
        dropout: dropout(0.3),
        conv2: conv2d(64, 128, 4),
        relu2: relu(),
      }),
      flatten: flatten(),
      dense: sequential({
        dropout1: dropout(0.3),
        lin1: linear(128, 32),
        relu1: relu(),
        dropout2: dropout(0.3),
        lin2: linear(32, 10),
        softmax: softmax(1),
      }),
    }),
    shape: [2, 1, 28, 28],
    loss: crossEntropy(),
    targets: ce(2, 10),
    entries: 1,
  },
];

let overall = 0;
// Every case twice: the CPU graph, and the GPU form of the same network (no MaxPool Indices or
// MaxUnpool, ONNX Dropout, no finiteness gate) run on the CPU provider.
for (const device of ['cpu', 'webgpu'] as const) {
  for (const c of cases) {
    t.test(`${c.name} (${device} graph)`, async (t) => {
      const r = await gradCheck(c.model, c.shape, c.loss, c.targets, { entries: c.entries ?? 6, device });
      overall = Math.max(overall, r.worst);
      t.comment(
        `worst relative error ${r.worst.toExponential(2)} over ${r.checked} entries; loss error ${r.lossError.toExponential(2)}`,
      );
      t.ok(r.lossError < 1e-5, `ORT loss equals the float64 reference (${r.lossError.toExponential(2)})`);
      for (const [p, e] of Object.entries(r.perParam))
        t.ok(e < TOL, `${p}: relative error ${e.toExponential(2)} < ${TOL}`);
    });
  }
}

t.teardown(() => {
  console.log(`# gradient check: worst relative error over all cases ${overall.toExponential(2)}`);
});
