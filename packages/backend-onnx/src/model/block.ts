import type { SymbolicTensor } from './symbolic-tensor.js';
import type { Trace } from './trace.js';

/**
 * Where a block is being built: the trace and the block's full dotted name. Containers give
 * each child `scope.child(key)`, which is how `conv.conv1` gets its name.
 */
export class Scope {
  /**
   * @param trace - the graph trace
   * @param name - full dotted name of the block (`''` at the root)
   */
  constructor(
    readonly trace: Trace,
    readonly name: string,
  ) {}

  /** The scope of child `key`. */
  child(key: string): Scope {
    return new Scope(this.trace, this.name === '' ? key : `${this.name}.${key}`);
  }
}

/**
 * Anything that maps a tensor to a tensor inside a network: a layer, `sequential(...)`,
 * `residual(...)`, `custom(...)`. Networks are trees of blocks.
 */
export interface Block {
  /** Adds this block's forward (and its backward rules) to the trace. */
  build(scope: Scope, x: SymbolicTensor): SymbolicTensor;
}
