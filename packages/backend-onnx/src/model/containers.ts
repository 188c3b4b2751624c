import { MonitorchError } from '@monitorch/core';
import type { Block, Scope } from './block.js';
import { formatShape, type SymbolicTensor } from './symbolic-tensor.js';
import type { Trace } from './trace.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkKeys(what: string, children: Readonly<Record<string, Block>>): void {
  const keys = Object.keys(children);
  if (keys.length === 0) {
    throw new MonitorchError('INVALID_ARGUMENT', `${what} needs at least one named layer.`, {});
  }
  for (const k of keys) {
    if (!NAME.test(k)) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `${what}: layer name "${k}" is not a plain identifier. Use letters, digits and _ (dots separate nesting levels).`,
        { name: k },
      );
    }
  }
}

/**
 * Layers applied one after another, each named by its key, like PyTorch's
 * `nn.Sequential(OrderedDict(...))`. Nesting gives dotted names (`conv.conv1`).
 */
export class Sequential implements Block {
  /** @param children - named blocks in order */
  constructor(readonly children: Readonly<Record<string, Block>>) {
    checkKeys('sequential', children);
  }

  /** {@inheritDoc Block.build} */
  build(scope: Scope, x: SymbolicTensor): SymbolicTensor {
    let h = x;
    for (const [key, child] of Object.entries(this.children)) h = child.build(scope.child(key), h);
    return h;
  }
}

/**
 * A named sequential container.
 *
 * @example
 * ```ts
 * const model = sequential({
 *   conv: sequential({ conv1: conv2d(1, 8, 3), relu1: relu() }),
 *   flatten: flatten(),
 *   dense: sequential({ lin1: linear(8 * 26 * 26, 10) }),
 * });
 * ```
 */
export function sequential(children: Readonly<Record<string, Block>>): Sequential {
  return new Sequential(children);
}

/**
 * Element-wise tensor arithmetic for {@link custom} forwards, with its backward rules.
 * Shapes must match exactly (no broadcasting).
 */
export class TensorOps {
  /** @param trace - the graph trace */
  constructor(private readonly trace: Trace) {}

  /** `a + b`. */
  add(a: SymbolicTensor, b: SymbolicTensor): SymbolicTensor {
    this.same('add', a, b);
    const g = this.trace.g;
    const y = this.result(g.op1('Add', [a.name, b.name]), a, b);
    this.trace.record(() => {
      const dy = this.trace.gradOf(y);
      if (dy === undefined) return;
      this.trace.addGrad(a, dy);
      this.trace.addGrad(b, dy);
    });
    return y;
  }

  /** `a − b`. */
  sub(a: SymbolicTensor, b: SymbolicTensor): SymbolicTensor {
    this.same('sub', a, b);
    const g = this.trace.g;
    const y = this.result(g.op1('Sub', [a.name, b.name]), a, b);
    this.trace.record(() => {
      const dy = this.trace.gradOf(y);
      if (dy === undefined) return;
      this.trace.addGrad(a, dy);
      if (b.requiresGrad) this.trace.addGrad(b, g.op1('Neg', [dy]));
    });
    return y;
  }

  /** `a ⊙ b` (element-wise product). */
  mul(a: SymbolicTensor, b: SymbolicTensor): SymbolicTensor {
    this.same('mul', a, b);
    const g = this.trace.g;
    const y = this.result(g.op1('Mul', [a.name, b.name]), a, b);
    this.trace.record(() => {
      const dy = this.trace.gradOf(y);
      if (dy === undefined) return;
      if (a.requiresGrad) this.trace.addGrad(a, g.op1('Mul', [dy, b.name]));
      if (b.requiresGrad) this.trace.addGrad(b, g.op1('Mul', [dy, a.name]));
    });
    return y;
  }

  /** `k·a` for a constant k. */
  scale(a: SymbolicTensor, k: number): SymbolicTensor {
    const g = this.trace.g;
    const rank = a.shape.length;
    const y = this.result(g.op1('Mul', [a.name, g.scalar(k, rank)]), a, a);
    this.trace.record(() => {
      const dy = this.trace.gradOf(y);
      if (dy !== undefined && a.requiresGrad) this.trace.addGrad(a, g.op1('Mul', [dy, g.scalar(k, rank)]));
    });
    return y;
  }

  private result(name: string, a: SymbolicTensor, b: SymbolicTensor): SymbolicTensor {
    return { name, shape: a.shape, requiresGrad: a.requiresGrad || b.requiresGrad };
  }

  private same(op: string, a: SymbolicTensor, b: SymbolicTensor): void {
    if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
      throw new MonitorchError(
        'SHAPE_MISMATCH',
        `${op}: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} differ. Element-wise ops need equal shapes; reshape or project one side first.`,
        { op, a: [...a.shape], b: [...b.shape] },
      );
    }
  }
}

/** Calls a named child block on a tensor (inside a {@link custom} forward). */
export type ChildCall = (x: SymbolicTensor) => SymbolicTensor;

/** A user forward: gets the input, callable children (by key), and element-wise ops. */
export type CustomForward<K extends string> = (
  x: SymbolicTensor,
  layers: Readonly<Record<K, ChildCall>>,
  ops: TensorOps,
) => SymbolicTensor;

/** A block with a user-written forward over named children (see {@link custom}). */
export class Custom<K extends string> implements Block {
  /** @param children - named blocks @param forwardFn - the forward */
  constructor(
    readonly children: Readonly<Record<K, Block>>,
    readonly forwardFn: CustomForward<K>,
  ) {
    checkKeys('custom', children);
  }

  /** {@inheritDoc Block.build} */
  build(scope: Scope, x: SymbolicTensor): SymbolicTensor {
    const calls = {} as Record<K, ChildCall>;
    for (const key of Object.keys(this.children) as K[]) {
      const child = this.children[key];
      calls[key] = (v) => child.build(scope.child(key), v);
    }
    return this.forwardFn(x, calls, new TensorOps(scope.trace));
  }
}

/**
 * A block with its own forward, for networks that are not a plain chain. Each child may be
 * called once (its name is its module name); the ops (`add`, `sub`, `mul`, `scale`) carry
 * their gradients, so the backward is derived automatically.
 *
 * @example
 * ```ts
 * const block = custom({ lin: linear(16, 16), act: tanh() }, (x, m, ops) => ops.add(x, m.act(m.lin(x))));
 * ```
 */
export function custom<K extends string>(children: Readonly<Record<K, Block>>, forward: CustomForward<K>): Custom<K> {
  return new Custom(children, forward);
}

/** `x + inner(x)` around a chain of named layers (see {@link residual}). */
export class Residual implements Block {
  /** The inner layers, as one sequential block. */
  readonly body: Sequential;
  /** @param inner - named blocks applied in order */
  constructor(inner: Readonly<Record<string, Block>>) {
    this.body = new Sequential(inner);
  }

  /** {@inheritDoc Block.build} */
  build(scope: Scope, x: SymbolicTensor): SymbolicTensor {
    return new TensorOps(scope.trace).add(x, this.body.build(scope, x));
  }
}

/**
 * A residual connection: `x + inner(x)`, the inner layers named under the residual's key
 * (`res: residual({ lin: linear(8, 8), act: relu() })` → `res.lin`, `res.act`).
 */
export function residual(inner: Readonly<Record<string, Block>>): Residual {
  return new Residual(inner);
}
