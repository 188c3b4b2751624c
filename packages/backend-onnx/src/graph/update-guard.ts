import { addAll } from '../onnx/add-all.js';
import type { GraphBuilder } from '../onnx/graph-builder.js';

/** The graph output that says whether a train step applied its update (1) or skipped it (0). */
export const UPDATE_APPLIED_OUTPUT = 'update.applied';

/**
 * Skips the optimizer update of a step whose loss or gradients hold NaN or ±Infinity, the way
 * mixed-precision loss scalers do: every new parameter and optimizer-state value is
 * `Where(finite, new, old)`. Without it one batch with a NaN input turns every parameter into
 * NaN, and no later clean batch can recover (the loss stays NaN whatever the learning rate).
 *
 * The test is one float32 sum of the loss and of every gradient's sum: it is finite exactly when
 * every entry is (NaN and ±Infinity propagate through a sum; +Inf + −Inf is NaN), or — a false
 * alarm that only skips a step — when finite gradients overflow float32 (sums beyond 3.4e38).
 * No `If`, so GPU providers run it without a host round trip; on the seed CNN it costs one
 * `ReduceSum` per gradient and one `Where` per updated tensor.
 */
export class UpdateGuard {
  /** The bool scalar: true when the update is applied. */
  readonly applied: string;
  private readonly byRank = new Map<number, string>();

  /**
   * @param g - the train graph
   * @param loss - the scalar loss
   * @param gradients - every parameter's gradient
   */
  constructor(
    private readonly g: GraphBuilder,
    loss: string,
    gradients: readonly string[],
  ) {
    const sums = gradients.map((grad) => g.op1('ReduceSum', [grad], { keepdims: 0 }));
    const total = addAll(g, [loss, ...sums]);
    // total − total is 0 for a finite total and NaN for NaN or ±Infinity.
    this.applied = g.op1('Equal', [g.op1('Sub', [total, total]), g.scalar(0)]);
  }

  /**
   * The value a state tensor takes after this step: `next` when the update is applied, else
   * `old`.
   *
   * @param next - the optimizer's new value
   * @param old - the value before the step (the graph input)
   * @param rank - their rank (the flag is reshaped to it: ORT's CPU broadcast of a rank-0
   *   operand against a tensor with a trailing 1 runs one element at a time)
   */
  keep(next: string, old: string, rank: number): string {
    let flag = this.byRank.get(rank);
    if (flag === undefined) {
      flag =
        rank === 0
          ? this.applied
          : this.g.op1('Reshape', [this.applied, this.g.constI64(Array.from({ length: rank }, () => 1))]);
      this.byRank.set(rank, flag);
    }
    return this.g.op1('Where', [flag, next, old]);
  }

  /** Adds the float32 output {@link UPDATE_APPLIED_OUTPUT} (1 applied, 0 skipped). */
  output(): void {
    this.g.output(this.g.rename(this.g.op1('Cast', [this.applied], { to: 1 }), UPDATE_APPLIED_OUTPUT));
  }
}
