import type { ModuleKind } from '@monitorch/core';
import type { SymbolicTensor } from '../model/symbolic-tensor.js';
import { Layer, positiveInt, type LayerCall } from './layer.js';

/** Options of {@link linear}. */
export interface LinearOptions {
  /** Add a bias (default true). */
  readonly bias?: boolean;
}

/** `y = x·Wᵀ + b` on `[N, in]` inputs; PyTorch layout `weight [out, in]`, `bias [out]`. */
export class Linear extends Layer {
  /** {@inheritDoc Layer.type} */
  readonly type = 'Linear';
  /** {@inheritDoc Layer.kind} */
  readonly kind: ModuleKind = 'linear';
  /** Whether a bias is added. */
  readonly bias: boolean;

  /**
   * @param inFeatures - input features
   * @param outFeatures - output features
   * @param options - bias on/off
   */
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    positiveInt('Linear', 'inFeatures', inFeatures);
    positiveInt('Linear', 'outFeatures', outFeatures);
    this.bias = options.bias ?? true;
  }

  protected forward(call: LayerCall, x: SymbolicTensor): SymbolicTensor {
    if (x.shape.length !== 2) {
      call.fail('SHAPE_MISMATCH', 'Linear needs a 2-D input [N, features]', 'Put flatten() before it.');
    }
    if (x.shape[1] !== this.inFeatures) {
      call.fail(
        'SHAPE_MISMATCH',
        `expected ${this.inFeatures} input features, got ${String(x.shape[1])}`,
        `Declare linear(${String(x.shape[1])}, ${this.outFeatures}) or fix the layer before it.`,
        { expected: this.inFeatures, actual: x.shape[1] },
      );
    }
    // PyTorch: kaiming_uniform(a=√5) gives U(±1/√fan_in) for the weight, and the bias uses the same bound.
    const bound = 1 / Math.sqrt(this.inFeatures);
    const g = call.g;
    const w = call.param('weight', [this.outFeatures, this.inFeatures], bound);
    const b = this.bias ? call.param('bias', [this.outFeatures], bound) : undefined;
    const y = g.op1('Gemm', b === undefined ? [x.name, w.name] : [x.name, w.name, b.name], { transB: 1 });
    call.backward((dy) => {
      call.paramGrad('weight', g.op1('Gemm', [dy, x.name], { transA: 1 }));
      if (b !== undefined) call.paramGrad('bias', g.op1('ReduceSum', [dy, g.constI64([0])], { keepdims: 0 }));
      if (call.needsInputGrad) call.inputGrad(g.op1('MatMul', [dy, w.name]));
    });
    return call.output(y, [-1, this.outFeatures]);
  }
}

/**
 * A fully connected layer, like `nn.Linear(inFeatures, outFeatures)`.
 *
 * @example `sequential({ lin1: linear(128, 32), relu1: relu() })`
 */
export function linear(inFeatures: number, outFeatures: number, options: LinearOptions = {}): Linear {
  return new Linear(inFeatures, outFeatures, options);
}
