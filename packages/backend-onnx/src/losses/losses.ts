import { MonitorchError } from '@monitorch/core';
import { logSoftmaxOps } from '../layers/activations.js';
import { formatShape, perSample } from '../model/symbolic-tensor.js';
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { Loss, LossContext, LossOps, TargetSpec } from './loss.js';

function needClasses(name: string, shape: readonly number[]): number {
  if (shape.length !== 2) {
    throw new MonitorchError(
      'SHAPE_MISMATCH',
      `${name} expects the model output to be [N, classes], got ${formatShape(shape)}. End the network with a linear layer (flatten first for conv outputs).`,
      { loss: name, outputShape: [...shape] },
    );
  }
  return shape[1] as number;
}

/** One-hot float rows `[N, C]` from int32 labels `[N]`; out-of-range labels give a zero row. */
function oneHot(g: GraphBuilder, labels: string, classes: number): string {
  const ids = g.constI32(Array.from({ length: classes }, (_, k) => k));
  const column = g.op1('Unsqueeze', [labels, g.constI64([1])]);
  return g.op1('Cast', [g.op1('Equal', [column, ids])], { to: 1 });
}

/** `−Σ(onehot·logp)/N`: the mean negative log-likelihood of the labelled classes. */
function meanPicked(ctx: LossContext, onehot: string, logp: string): string {
  const g = ctx.g;
  return g.op1('Div', [
    g.op1('Neg', [g.op1('ReduceSum', [g.op1('Mul', [onehot, logp])], { keepdims: 0 })]),
    ctx.batchSize(),
  ]);
}

/** N·(entries per sample) as a float32 scalar: the divisor of element-wise mean losses. */
function count(ctx: LossContext, shape: readonly number[]): string {
  return ctx.g.op1('Mul', [ctx.batchSize(), ctx.g.scalar(perSample(shape))]);
}

function sameShapeTarget(shape: readonly number[]): TargetSpec {
  return { dtype: 'float32', shape: [-1, ...shape.slice(1)] };
}

/**
 * Cross-entropy on logits with integer class labels, like `nn.CrossEntropyLoss()`. It applies
 * log-softmax itself, so a network ending in softmax gets a second one, exactly as PyTorch does
 * with the seed notebook's model. Gradient: (softmax(z) − onehot)/N.
 */
export function crossEntropy(): Loss {
  const name = 'CrossEntropyLoss';
  return {
    name,
    target: (shape) => {
      needClasses(name, shape);
      return { dtype: 'int32', shape: [-1] };
    },
    build: (ctx, out, y, wantGrad): LossOps => {
      const g = ctx.g;
      const onehot = oneHot(g, y, needClasses(name, out.shape));
      const logp = logSoftmaxOps(g, out.name, 1);
      const loss = meanPicked(ctx, onehot, logp);
      if (!wantGrad) return { loss };
      return { loss, grad: g.op1('Div', [g.op1('Sub', [g.op1('Exp', [logp]), onehot]), ctx.batchSize()]) };
    },
  };
}

/** Negative log-likelihood on log-probabilities, like `nn.NLLLoss()` (pair with `logSoftmax(1)`). */
export function nll(): Loss {
  const name = 'NLLLoss';
  return {
    name,
    target: (shape) => {
      needClasses(name, shape);
      return { dtype: 'int32', shape: [-1] };
    },
    build: (ctx, out, y, wantGrad): LossOps => {
      const g = ctx.g;
      const onehot = oneHot(g, y, needClasses(name, out.shape));
      const loss = meanPicked(ctx, onehot, out.name);
      if (!wantGrad) return { loss };
      return { loss, grad: g.op1('Div', [g.op1('Neg', [onehot]), ctx.batchSize()]) };
    },
  };
}

/** Mean squared error against float targets shaped like the output, like `nn.MSELoss()`. */
export function mse(): Loss {
  return {
    name: 'MSELoss',
    target: sameShapeTarget,
    build: (ctx, out, t, wantGrad): LossOps => {
      const g = ctx.g;
      const diff = g.op1('Sub', [out.name, t]);
      const n = count(ctx, out.shape);
      const loss = g.op1('Div', [g.op1('ReduceSum', [g.op1('Mul', [diff, diff])], { keepdims: 0 }), n]);
      if (!wantGrad) return { loss };
      return { loss, grad: g.op1('Div', [g.op1('Mul', [diff, g.scalar(2)]), n]) };
    },
  };
}

/**
 * Binary cross-entropy on probabilities, like `nn.BCELoss()`: each log is clamped at −100 as
 * PyTorch does, and the gradient is PyTorch's (p − t)/max(p(1−p), 1e-12)/count.
 */
export function bce(): Loss {
  return {
    name: 'BCELoss',
    target: sameShapeTarget,
    build: (ctx, out, t, wantGrad): LossOps => {
      const g = ctx.g;
      const p = out.name;
      const one = g.scalar(1);
      const floor = g.scalar(-100);
      const logP = g.op1('Max', [g.op1('Log', [p]), floor]);
      const log1mP = g.op1('Max', [g.op1('Log', [g.op1('Sub', [one, p])]), floor]);
      const perEntry = g.op1('Add', [g.op1('Mul', [t, logP]), g.op1('Mul', [g.op1('Sub', [one, t]), log1mP])]);
      const n = count(ctx, out.shape);
      const loss = g.op1('Div', [g.op1('Neg', [g.op1('ReduceSum', [perEntry], { keepdims: 0 })]), n]);
      if (!wantGrad) return { loss };
      const denom = g.op1('Max', [g.op1('Mul', [p, g.op1('Sub', [one, p])]), g.scalar(1e-12)]);
      return { loss, grad: g.op1('Div', [g.op1('Div', [g.op1('Sub', [p, t]), denom]), n]) };
    },
  };
}

/**
 * Binary cross-entropy on logits, like `nn.BCEWithLogitsLoss()`, in the stable form
 * max(x,0) − x·t + log(1 + e^−|x|). Gradient: (σ(x) − t)/count.
 */
export function bceWithLogits(): Loss {
  return {
    name: 'BCEWithLogitsLoss',
    target: sameShapeTarget,
    build: (ctx, out, t, wantGrad): LossOps => {
      const g = ctx.g;
      const x = out.name;
      const softplus = g.op1('Log', [g.op1('Add', [g.scalar(1), g.op1('Exp', [g.op1('Neg', [g.op1('Abs', [x])])])])]);
      const perEntry = g.op1('Add', [g.op1('Sub', [g.op1('Relu', [x]), g.op1('Mul', [x, t])]), softplus]);
      const n = count(ctx, out.shape);
      const loss = g.op1('Div', [g.op1('ReduceSum', [perEntry], { keepdims: 0 }), n]);
      if (!wantGrad) return { loss };
      return { loss, grad: g.op1('Div', [g.op1('Sub', [g.op1('Sigmoid', [x]), t]), n]) };
    },
  };
}
