import type { GraphBuilder } from '../onnx/graph-builder.js';
import { addAll } from '../onnx/add-all.js';
import { aboveThreshold, countPerUnit, countTrue, unitLayout, type ActiveCount } from './count-ops.js';

/** One `activeCount` to compute: the outer-graph names the gate's `If` will output. */
interface GatedCount {
  readonly magnitude: string;
  readonly shape: readonly number[];
  readonly reduction: ActiveCount;
  readonly counts: string;
  readonly nonFinite: string;
  readonly finite: string;
}

/**
 * Exact `activeCount` statistics at the cost of the common case. Counting exactly needs a
 * finite mask (`|x| < ∞`) and its own count per tensor: 4 more ops each, ~40 % of the
 * statistics' time, spent for NaN/±Infinity that almost never occur. The gate sums every
 * watched |x| first (one op per tensor; the sum is finite exactly when no entry is NaN or
 * infinite, or — harmlessly — when finite entries overflow it) and an ONNX `If` then runs
 * either the short branch (`|x| > eps` counted, non-finite counts 0) or the full exact one.
 * Both branches give the same numbers whenever the short one is taken.
 *
 * For the CPU provider. On a GPU an `If` copies its condition to the host every run, so GPU
 * graphs compute the exact form inline instead (`StatBuilder` without a gate).
 */
export class FiniteGate {
  private readonly counts: GatedCount[] = [];
  private readonly nonFiniteOf = new Map<string, string>();
  /** Per-unit finite counts, by tensor and layout: one output per distinct pair. */
  private readonly finiteOf = new Map<string, string>();

  /** @param g - the graph the `If` goes into */
  constructor(private readonly g: GraphBuilder) {}

  /**
   * Reserves the outputs of one count; they exist once {@link build} has run.
   *
   * @param magnitude - |x| (see `magnitude`)
   * @param shape - x's shape (`-1` batch)
   * @param reduction - the count to take
   * @returns the names of the per-unit counts, of the tensor's non-finite count and of the
   *   per-unit finite counts (zeros when the short branch ran: every entry was finite)
   */
  add(
    magnitude: string,
    shape: readonly number[],
    reduction: ActiveCount,
  ): [counts: string, nonFinite: string, finite: string] {
    let nonFinite = this.nonFiniteOf.get(magnitude);
    if (nonFinite === undefined) {
      nonFinite = this.g.reserve(`${magnitude}_nonfinite`);
      this.nonFiniteOf.set(magnitude, nonFinite);
    }
    const layout = `${magnitude}\u0000${unitLayout(reduction)}`;
    let finite = this.finiteOf.get(layout);
    const first = finite === undefined;
    if (finite === undefined) {
      finite = this.g.reserve(`${magnitude}_finite`);
      this.finiteOf.set(layout, finite);
    }
    const counts = this.g.reserve(`${magnitude}_active`);
    this.counts.push({ magnitude, shape, reduction, counts, nonFinite, finite: first ? finite : '' });
    return [counts, nonFinite, finite];
  }

  /** Adds the finiteness test and the `If` that computes every reserved output. */
  build(): void {
    if (this.counts.length === 0) return;
    const g = this.g;
    const tensors = [...this.nonFiniteOf.keys()];
    const sums = tensors.map((a) => g.op1('ReduceSum', [a], { keepdims: 0 }));
    const total = addAll(g, sums);
    const allFinite = g.op1('Less', [total, g.scalar(Number.POSITIVE_INFINITY)]);

    const short = g.branch('stats_all_finite');
    const exact = g.branch('stats_exact');
    const zero = g.scalar(0);
    const finiteMasks = new Map<string, string>();
    const rankOf = new Map(this.counts.map((c) => [c.magnitude, c.shape.length]));
    for (const c of this.counts) {
      const rank = c.shape.length;
      const shortCounts = countPerUnit(
        short,
        aboveThreshold(short, c.magnitude, rank, c.reduction),
        c.shape,
        c.reduction,
      );
      short.output(shortCounts);
      let finite = finiteMasks.get(c.magnitude);
      if (finite === undefined) {
        finite = finiteMask(exact, c.magnitude, rank);
        finiteMasks.set(c.magnitude, finite);
      }
      exact.output(
        countPerUnit(
          exact,
          exact.op1('And', [aboveThreshold(exact, c.magnitude, rank, c.reduction), finite]),
          c.shape,
          c.reduction,
        ),
      );
      if (c.finite === '') continue;
      // Per-unit finite counts matter only when some entry is not finite (decodeStat ignores
      // them otherwise): the short branch gives zeros of the counts' shape, one tiny Mul.
      short.output(short.op1('Mul', [shortCounts, zero]));
      exact.output(countPerUnit(exact, finite, c.shape, c.reduction));
    }
    for (const a of tensors) {
      short.output(short.op1('Identity', [zero]));
      const finite = finiteMasks.get(a) ?? finiteMask(exact, a, rankOf.get(a) ?? 0);
      exact.output(countTrue(exact, exact.op1('Not', [finite])));
    }
    const outputs = [
      ...this.counts.flatMap((c) => (c.finite === '' ? [c.counts] : [c.counts, c.finite])),
      ...tensors.map((a) => this.nonFiniteOf.get(a) as string),
    ];
    g.op('If', [allFinite], { then_branch: short.asAttribute(), else_branch: exact.asAttribute() }, outputs);
  }
}

/** `|x| < +∞`: false for NaN and ±Infinity. */
export function finiteMask(b: GraphBuilder, magnitude: string, rank: number): string {
  return b.op1('Less', [magnitude, b.scalar(Number.POSITIVE_INFINITY, rank)]);
}
