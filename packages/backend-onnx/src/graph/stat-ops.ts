import { reductionKey, type ModuleInfo, type Phase, type Reduction, type TensorSource } from '@monitorch/core';
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { StatOutput } from './compiled-graph.js';
import { aboveThreshold, activeSize, countPerUnit, countTrue, magnitude } from './count-ops.js';
import { FiniteGate, finiteMask } from './finite-gate.js';

/** Per-tensor shared sub-expressions (|x|, the finite mask), built once. */
interface TensorCache {
  magnitude?: string;
  finite?: string;
  nonFinite?: string;
  nan?: string;
  inf?: string;
}

/** Options of {@link StatBuilder}. */
export interface StatBuilderOptions {
  /**
   * Compute `activeCount`s behind a finiteness test (a {@link FiniteGate}): cheaper on the CPU
   * provider, where an `If` costs nothing extra. Default false (the exact form inline).
   */
  readonly finiteGate?: boolean;
}

/**
 * Turns lens reductions of graph tensors into graph outputs that equal the core CPU kernels:
 * counts are exact; NaN/Infinity entries never count as active and are counted apart.
 * Call {@link finish} once every statistic is added.
 */
export class StatBuilder {
  private readonly declared: StatOutput[] = [];
  private readonly seen = new Set<string>();
  private readonly caches = new Map<string, TensorCache>();
  private readonly built = new Map<string, string[]>();
  private readonly renames: [value: string, name: string][] = [];
  private readonly gate: FiniteGate | undefined;
  private finished = false;

  /**
   * @param g - the graph to add ops to
   * @param options - see {@link StatBuilderOptions}
   */
  constructor(private readonly g: GraphBuilder, options: StatBuilderOptions = {}) {
    this.gate = options.finiteGate === true ? new FiniteGate(g) : undefined;
  }

  /**
   * Adds outputs for `reductions` of one tensor.
   *
   * @param source - what the tensor is
   * @param module - its module
   * @param parameter - parameter name for gradient/update tensors
   * @param phases - phases the statistic serves (first one is `phase`)
   * @param tensor - graph tensor name
   * @param shape - its shape (`-1` for the batch)
   * @param reductions - what to compute
   */
  add(
    source: TensorSource, module: ModuleInfo, parameter: string | undefined, phases: readonly Phase[],
    tensor: string, shape: readonly number[], reductions: readonly Reduction[],
  ): void {
    if (this.finished) throw new Error('internal: StatBuilder.add after finish');
    for (const reduction of reductions) {
      const key = reductionKey(reduction);
      const base = `stat.${source}.${module.name}${parameter === undefined ? '' : `.${parameter}`}.${key}`;
      if (this.seen.has(base)) continue;
      this.seen.add(base);
      // An Identity output (e.g. Dropout(p = 0), or any dropout in the eval graph) carries its
      // input's values: reuse the input's statistic instead of computing it again.
      const origin = this.g.origin(tensor);
      const builtKey = `${origin}\u0000${key}\u0000${shape.join(',')}`;
      let values = this.built.get(builtKey);
      if (values === undefined) {
        values = this.build(origin, shape, reduction);
        this.built.set(builtKey, values);
      }
      const parts = values;
      const outputs = parts.map((v, k) => {
        const name = parts.length === 1 ? base : `${base}#${k}`;
        this.renames.push([v, name]);
        return name;
      });
      const batched = shape[0] !== undefined && shape[0] < 0;
      const stat: StatOutput = {
        source, module, phase: phases[0] ?? 'train', phases: [...phases], reduction, outputs, shape: [...shape],
        ...(parameter === undefined ? {} : { parameter }),
        ...(reduction.op === 'activeCount' && batched ? { sizePerSample: activeSize(reduction, shape.map((d) => (d < 0 ? 1 : d))) } : {}),
      };
      this.declared.push(stat);
    }
  }

  /**
   * Builds what was deferred (the finiteness gate) and declares every statistic's outputs as
   * graph outputs.
   *
   * @returns the statistics, in the order they were added
   */
  finish(): StatOutput[] {
    if (!this.finished) {
      this.finished = true;
      this.gate?.build();
      // Outputs are declared after the gate's If, so the graph's nodes stay in topological order.
      for (const [value, name] of this.renames) this.g.output(this.g.rename(value, name));
    }
    return this.declared;
  }

  private build(x: string, shape: readonly number[], r: Reduction): string[] {
    const g = this.g;
    const c = this.cache(x);
    const rank = shape.length; // rank-matched scalars keep ORT on its fast broadcast path
    switch (r.op) {
      case 'activeCount': {
        const a = this.magnitude(x, c);
        if (this.gate !== undefined) return this.gate.add(a, shape, r);
        const finite = (c.finite ??= finiteMask(g, a, rank));
        const counts = countPerUnit(g, g.op1('And', [aboveThreshold(g, a, rank, r), finite]), shape, r);
        return [counts, (c.nonFinite ??= countTrue(g, g.op1('Not', [finite])))];
      }
      case 'sum': return [g.op1('ReduceSum', [x], { keepdims: 0 })];
      case 'sumSquares': return [g.op1('ReduceSumSquare', [x], { keepdims: 0 })];
      case 'l2': return [g.op1('ReduceL2', [x], { keepdims: 0 })];
      case 'min': return [g.op1('ReduceMin', [x], { keepdims: 0 }), this.nan(x, c)];
      case 'max': return [g.op1('ReduceMax', [x], { keepdims: 0 }), this.nan(x, c)];
      case 'nonFinite': return [this.nan(x, c), this.inf(x, c, rank)];
    }
  }

  private cache(x: string): TensorCache {
    let c = this.caches.get(x);
    if (c === undefined) {
      c = {};
      this.caches.set(x, c);
    }
    return c;
  }

  private magnitude(x: string, c: TensorCache): string {
    return (c.magnitude ??= magnitude(this.g, x));
  }

  /** NaN is the only value not equal to itself. */
  private nan(x: string, c: TensorCache): string {
    return (c.nan ??= countTrue(this.g, this.g.op1('Not', [this.g.op1('Equal', [x, x])])));
  }

  private inf(x: string, c: TensorCache, rank: number): string {
    return (c.inf ??= countTrue(this.g, this.g.op1('Equal', [this.magnitude(x, c), this.g.scalar(Number.POSITIVE_INFINITY, rank)])));
  }
}
