import { badOption } from '../layers/layer.js';
import type { Optimizer, ParameterUpdate, UpdateContext } from './optimizer.js';
import { nonNegative } from './sgd.js';

/** Options of {@link adam} and {@link adamW}. */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  readonly lr?: number;
  /** Moment decay rates (default [0.9, 0.999]). */
  readonly betas?: readonly [number, number];
  /** Denominator term (default 1e-8). */
  readonly eps?: number;
  /** Weight decay: L2 added to the gradient for Adam (default 0), decoupled for AdamW (default 1e-2). */
  readonly weightDecay?: number;
}

function adamLike(name: 'Adam' | 'AdamW', options: AdamOptions, defaultDecay: number): Optimizer {
  const lr = nonNegative(name, 'lr', options.lr ?? 1e-3);
  const [b1, b2] = options.betas ?? [0.9, 0.999];
  for (const b of [b1, b2]) {
    if (typeof b !== 'number' || !(b >= 0 && b < 1))
      badOption(name, `betas must be in [0, 1), got ${JSON.stringify(options.betas)}`, 'Pass e.g. betas: [0.9, 0.999]');
  }
  const eps = nonNegative(name, 'eps', options.eps ?? 1e-8);
  const weightDecay = nonNegative(name, 'weightDecay', options.weightDecay ?? defaultDecay);
  return {
    name,
    learningRate: lr,
    stateSlots: ['m', 'v'],
    update(ctx: UpdateContext, p: string, grad: string, state): ParameterUpdate {
      const g = ctx.g;
      let param = p;
      let d = grad;
      if (weightDecay > 0 && name === 'AdamW') {
        // Decoupled: shrink the parameter before the Adam step (p ← p·(1 − lr·wd)).
        param = g.op1('Mul', [p, g.op1('Sub', [g.scalar(1), g.op1('Mul', [ctx.lr, g.scalar(weightDecay)])])]);
      } else if (weightDecay > 0) {
        d = g.op1('Add', [grad, g.op1('Mul', [p, g.scalar(weightDecay)])]);
      }
      const m = g.op1('Add', [g.op1('Mul', [state.m as string, g.scalar(b1)]), g.op1('Mul', [d, g.scalar(1 - b1)])]);
      const v = g.op1('Add', [
        g.op1('Mul', [state.v as string, g.scalar(b2)]),
        g.op1('Mul', [g.op1('Mul', [d, d]), g.scalar(1 - b2)]),
      ]);
      const bc1 = g.op1('Sub', [g.scalar(1), g.op1('Pow', [g.scalar(b1), ctx.t])]);
      const bc2 = g.op1('Sub', [g.scalar(1), g.op1('Pow', [g.scalar(b2), ctx.t])]);
      const stepSize = g.op1('Div', [ctx.lr, bc1]);
      const denom = g.op1('Add', [g.op1('Div', [g.op1('Sqrt', [v]), g.op1('Sqrt', [bc2])]), g.scalar(eps)]);
      const next = g.op1('Sub', [param, g.op1('Mul', [stepSize, g.op1('Div', [m, denom])])]);
      return { param: next, state: { m, v } };
    },
  };
}

/**
 * Adam exactly as `torch.optim.Adam` (no amsgrad): m ← β1·m + (1−β1)·g,
 * v ← β2·v + (1−β2)·g², p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + eps); weight decay adds wd·p
 * to g first.
 */
export function adam(options: AdamOptions = {}): Optimizer {
  return adamLike('Adam', options, 0);
}

/** AdamW exactly as `torch.optim.AdamW`: p ← p·(1 − lr·wd), then the Adam step (default wd 1e-2). */
export function adamW(options: AdamOptions = {}): Optimizer {
  return adamLike('AdamW', options, 1e-2);
}
