import { badOption } from '../layers/layer.js';
import type { Optimizer, ParameterUpdate, UpdateContext } from './optimizer.js';

/** Options of {@link sgd} (PyTorch's `torch.optim.SGD`). */
export interface SgdOptions {
  /** The learning rate. */
  readonly lr: number;
  /** Momentum factor (default 0: plain SGD). */
  readonly momentum?: number;
  /** Dampening of the momentum (default 0). */
  readonly dampening?: number;
  /** L2 penalty added to the gradient (default 0). */
  readonly weightDecay?: number;
  /** Nesterov momentum (default false). */
  readonly nesterov?: boolean;
}

/** Checks an optimizer hyper-parameter is a finite number ≥ 0. */
export function nonNegative(opt: string, what: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    badOption(opt, `${what} must be a finite number ≥ 0, got ${String(v)}`, `Pass a valid ${what}`, { [what]: v });
  }
  return v;
}

/**
 * Stochastic gradient descent exactly as `torch.optim.SGD`: g ← g + wd·p; with momentum,
 * buf ← g on the first step, else momentum·buf + (1 − dampening)·g; nesterov uses
 * g + momentum·buf; p ← p − lr·(that).
 */
export function sgd(options: SgdOptions): Optimizer {
  const lr = nonNegative('SGD', 'lr', options.lr);
  const momentum = nonNegative('SGD', 'momentum', options.momentum ?? 0);
  const dampening = nonNegative('SGD', 'dampening', options.dampening ?? 0);
  const weightDecay = nonNegative('SGD', 'weightDecay', options.weightDecay ?? 0);
  const nesterov = options.nesterov ?? false;
  if (nesterov && (momentum <= 0 || dampening !== 0)) {
    badOption('SGD', 'nesterov needs momentum > 0 and dampening 0', 'Set momentum (e.g. 0.9) and leave dampening at 0');
  }
  return {
    name: 'SGD',
    learningRate: lr,
    stateSlots: momentum > 0 ? ['momentum'] : [],
    update(ctx: UpdateContext, p: string, grad: string, state): ParameterUpdate {
      const g = ctx.g;
      let d = weightDecay > 0 ? g.op1('Add', [grad, g.op1('Mul', [p, g.scalar(weightDecay)])]) : grad;
      const newState: Record<string, string> = {};
      if (momentum > 0) {
        const buf = state.momentum as string;
        const mixed = g.op1('Add', [
          g.op1('Mul', [buf, g.scalar(momentum)]),
          dampening === 0 ? d : g.op1('Mul', [d, g.scalar(1 - dampening)]),
        ]);
        const first = g.op1('Equal', [ctx.step, g.scalar(0)]);
        const bufNew = g.op1('Where', [first, d, mixed]);
        newState.momentum = bufNew;
        d = nesterov ? g.op1('Add', [d, g.op1('Mul', [bufNew, g.scalar(momentum)])]) : bufNew;
      }
      return { param: g.op1('Sub', [p, g.op1('Mul', [d, ctx.lr])]), state: newState };
    },
  };
}
