import type { ModuleKind } from '@monitorch/core';
import { float } from '../onnx/model-proto.js';
import type { SymbolicTensor } from '../model/symbolic-tensor.js';
import { badOption, Layer, type LayerCall } from './layer.js';

/** An element-wise activation: `forward` builds y from x; `grad` builds dx from dy, x, y. */
abstract class Activation extends Layer {
  /** {@inheritDoc Layer.kind} */
  readonly kind: ModuleKind = 'activation';

  protected forward(call: LayerCall, x: SymbolicTensor): SymbolicTensor {
    this.check(call, x);
    const rank = x.shape.length;
    const y = this.apply(call, x.name, rank);
    call.backward((dy) => {
      if (call.needsInputGrad) call.inputGrad(this.grad(call, dy, x.name, y, rank));
    });
    return call.output(y, x.shape);
  }

  /** Shape checks (none for element-wise ops). */
  protected check(_call: LayerCall, _x: SymbolicTensor): void {}
  /** Builds y from x; `rank` is x's rank, for rank-matched scalars (see `GraphBuilder.scalar`). */
  protected abstract apply(call: LayerCall, x: string, rank: number): string;
  /** Builds dx from dy, x and y (same rank as x). */
  protected abstract grad(call: LayerCall, dy: string, x: string, y: string, rank: number): string;
}

/** `max(x, 0)`, like `nn.ReLU`. Backward passes dy where y > 0 (PyTorch: gradient 0 at 0). */
export class ReLU extends Activation {
  /** {@inheritDoc Layer.type} */
  readonly type = 'ReLU';
  protected apply(call: LayerCall, x: string): string {
    return call.g.op1('Relu', [x]);
  }
  protected grad(call: LayerCall, dy: string, _x: string, y: string, rank: number): string {
    const g = call.g;
    const zero = g.scalar(0, rank);
    return g.op1('Where', [g.op1('Greater', [y, zero]), dy, zero]);
  }
}

/** `x` for x > 0, `alpha·x` otherwise, like `nn.LeakyReLU(alpha)`. */
export class LeakyReLU extends Activation {
  /** {@inheritDoc Layer.type} */
  readonly type = 'LeakyReLU';
  /** @param alpha - slope for negative inputs (default 0.01) */
  constructor(readonly alpha = 0.01) {
    super();
    if (typeof alpha !== 'number' || !Number.isFinite(alpha))
      badOption('LeakyReLU', `alpha must be a finite number, got ${String(alpha)}`, 'Pass e.g. 0.01');
  }
  protected apply(call: LayerCall, x: string): string {
    return call.g.op1('LeakyRelu', [x], { alpha: float(this.alpha) });
  }
  protected grad(call: LayerCall, dy: string, x: string, _y: string, rank: number): string {
    const g = call.g;
    return g.op1('Where', [
      g.op1('Greater', [x, g.scalar(0, rank)]),
      dy,
      g.op1('Mul', [dy, g.scalar(this.alpha, rank)]),
    ]);
  }
}

/** `1/(1+e^−x)`, like `nn.Sigmoid`. Backward: dy·y·(1−y). */
export class Sigmoid extends Activation {
  /** {@inheritDoc Layer.type} */
  readonly type = 'Sigmoid';
  protected apply(call: LayerCall, x: string): string {
    return call.g.op1('Sigmoid', [x]);
  }
  protected grad(call: LayerCall, dy: string, _x: string, y: string, rank: number): string {
    const g = call.g;
    return g.op1('Mul', [dy, g.op1('Mul', [y, g.op1('Sub', [g.scalar(1, rank), y])])]);
  }
}

/** `tanh(x)`, like `nn.Tanh`. Backward: dy·(1−y²). */
export class Tanh extends Activation {
  /** {@inheritDoc Layer.type} */
  readonly type = 'Tanh';
  protected apply(call: LayerCall, x: string): string {
    return call.g.op1('Tanh', [x]);
  }
  protected grad(call: LayerCall, dy: string, _x: string, y: string, rank: number): string {
    const g = call.g;
    return g.op1('Mul', [dy, g.op1('Sub', [g.scalar(1, rank), g.op1('Mul', [y, y])])]);
  }
}

/**
 * `x·Φ(x)` with the exact (erf) CDF, like `nn.GELU()`. Written out with Erf: the Gelu op
 * needs opset 20 and the graph stays at 18. Backward: Φ(x) + x·φ(x).
 */
export class GELU extends Activation {
  /** {@inheritDoc Layer.type} */
  readonly type = 'GELU';
  protected apply(call: LayerCall, x: string, rank: number): string {
    return call.g.op1('Mul', [x, normalCdf(call.g, x, rank)]);
  }
  protected grad(call: LayerCall, dy: string, x: string, _y: string, rank: number): string {
    const g = call.g;
    const cdf = normalCdf(g, x, rank);
    const pdf = g.op1('Mul', [
      g.scalar(1 / Math.sqrt(2 * Math.PI), rank),
      g.op1('Exp', [g.op1('Mul', [g.op1('Mul', [x, x]), g.scalar(-0.5, rank)])]),
    ]);
    return g.op1('Mul', [dy, g.op1('Add', [cdf, g.op1('Mul', [x, pdf])])]);
  }
}

/** Φ(x) = ½·(1 + erf(x/√2)), the standard normal CDF. */
function normalCdf(g: LayerCall['g'], x: string, rank: number): string {
  return g.op1('Mul', [
    g.scalar(0.5, rank),
    g.op1('Add', [g.scalar(1, rank), g.op1('Erf', [g.op1('Mul', [x, g.scalar(Math.SQRT1_2, rank)])])]),
  ]);
}

/** Resolves a possibly negative axis against a rank, failing with the layer's name. */
function axisOf(call: LayerCall, x: SymbolicTensor, axis: number): number {
  const rank = x.shape.length;
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    call.fail(
      'INVALID_ARGUMENT',
      `axis ${axis} does not exist in a ${rank}-D tensor`,
      'Use an axis in [−rank, rank).',
      { axis },
    );
  }
  return a;
}

/** `exp(x)/Σexp(x)` along `axis`, like `nn.Softmax(dim)`. Backward: y·(dy − Σ(dy·y)). */
export class Softmax extends Activation {
  /** {@inheritDoc Layer.type} */
  readonly type = 'Softmax';
  /** @param axis - the dimension to normalise (PyTorch's `dim`) */
  constructor(readonly axis: number) {
    super();
  }
  protected override check(call: LayerCall, x: SymbolicTensor): void {
    axisOf(call, x, this.axis);
  }
  protected apply(call: LayerCall, x: string): string {
    return call.g.op1('Softmax', [x], { axis: this.axis });
  }
  protected grad(call: LayerCall, dy: string, _x: string, y: string): string {
    const g = call.g;
    const dot = g.op1('ReduceSum', [g.op1('Mul', [dy, y]), g.constI64([this.axis])], { keepdims: 1 });
    return g.op1('Mul', [y, g.op1('Sub', [dy, dot])]);
  }
}

/**
 * `x − log Σexp(x)` along `axis`, like `nn.LogSoftmax(dim)`, written out (max-shifted) so it
 * runs on every execution provider. Backward: dy − softmax·Σdy.
 */
export class LogSoftmax extends Activation {
  /** {@inheritDoc Layer.type} */
  readonly type = 'LogSoftmax';
  /** @param axis - the dimension to normalise (PyTorch's `dim`) */
  constructor(readonly axis: number) {
    super();
  }
  protected override check(call: LayerCall, x: SymbolicTensor): void {
    axisOf(call, x, this.axis);
  }
  protected apply(call: LayerCall, x: string): string {
    return logSoftmaxOps(call.g, x, this.axis);
  }
  protected grad(call: LayerCall, dy: string, _x: string, y: string): string {
    const g = call.g;
    const total = g.op1('ReduceSum', [dy, g.constI64([this.axis])], { keepdims: 1 });
    return g.op1('Sub', [dy, g.op1('Mul', [g.op1('Exp', [y]), total])]);
  }
}

/** Max-shifted log-softmax ops (shared with the cross-entropy loss). */
export function logSoftmaxOps(g: LayerCall['g'], x: string, axis: number): string {
  const axes = g.constI64([axis]);
  const z = g.op1('Sub', [x, g.op1('ReduceMax', [x, axes], { keepdims: 1 })]);
  return g.op1('Sub', [z, g.op1('Log', [g.op1('ReduceSum', [g.op1('Exp', [z]), axes], { keepdims: 1 })])]);
}

/** ReLU activation, like `nn.ReLU()`. */
export function relu(): ReLU {
  return new ReLU();
}
/** Leaky ReLU, like `nn.LeakyReLU(negativeSlope = 0.01)`. */
export function leakyRelu(negativeSlope = 0.01): LeakyReLU {
  return new LeakyReLU(negativeSlope);
}
/** Sigmoid, like `nn.Sigmoid()`. */
export function sigmoid(): Sigmoid {
  return new Sigmoid();
}
/** Tanh, like `nn.Tanh()`. */
export function tanh(): Tanh {
  return new Tanh();
}
/** GELU (exact erf form), like `nn.GELU()`. */
export function gelu(): GELU {
  return new GELU();
}
/** Softmax along `axis`, like `nn.Softmax(dim=axis)`. */
export function softmax(axis: number): Softmax {
  return new Softmax(axis);
}
/** Log-softmax along `axis`, like `nn.LogSoftmax(dim=axis)`. */
export function logSoftmax(axis: number): LogSoftmax {
  return new LogSoftmax(axis);
}
