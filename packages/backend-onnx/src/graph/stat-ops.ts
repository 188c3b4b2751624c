import { reductionKey, type ModuleInfo, type Phase, type Reduction, type TensorSource } from '@monitorch/core';
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { StatOutput } from './compiled-graph.js';

/** The largest float32 ≤ eps: comparing float32 |x| > it is exactly |x| > eps in float64. */
export function float32Threshold(eps: number): number {
  const f = Math.fround(eps);
  if (f <= eps) return f;
  const buf = new Float32Array([f]);
  const bits = new Uint32Array(buf.buffer);
  bits[0] = (bits[0] as number) - 1; // eps ≥ 0, so the previous float is one ulp down
  return buf[0] as number;
}

/** Per-tensor shared sub-expressions (|x|, the finite mask), built once. */
interface TensorCache {
  abs?: string;
  finite?: string;
  nonFinite?: string;
  nan?: string;
  inf?: string;
}

/**
 * Turns lens reductions of graph tensors into graph outputs that equal the core CPU kernels:
 * counts are exact; NaN/Infinity entries never count as active and are counted apart.
 */
export class StatBuilder {
  /** The statistics declared so far. */
  readonly stats: StatOutput[] = [];
  private readonly seen = new Set<string>();
  private readonly caches = new Map<string, TensorCache>();
  private readonly built = new Map<string, string[]>();

  /** @param g - the graph to add ops to */
  constructor(private readonly g: GraphBuilder) {}

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
        this.g.output(this.g.rename(v, name));
        return name;
      });
      const batched = shape[0] !== undefined && shape[0] < 0;
      const stat: StatOutput = {
        source, module, phase: phases[0] ?? 'train', phases: [...phases], reduction, outputs, shape: [...shape],
        ...(parameter === undefined ? {} : { parameter }),
        ...(reduction.op === 'activeCount' && batched ? { sizePerSample: activeSize(reduction, shape.map((d) => (d < 0 ? 1 : d))) } : {}),
      };
      this.stats.push(stat);
    }
  }

  private build(x: string, shape: readonly number[], r: Reduction): string[] {
    const g = this.g;
    const c = this.cache(x);
    const rank = shape.length; // rank-matched scalars keep ORT on its fast broadcast path
    switch (r.op) {
      case 'activeCount': {
        const active = g.op1('Cast', [g.op1('And', [g.op1('Greater', [this.abs(x, c), g.scalar(float32Threshold(r.eps), rank)]), this.finite(x, c, rank)])], { to: 1 });
        return [this.countAxes(active, shape, r), this.nonFinite(x, c, rank)];
      }
      case 'sum': return [g.op1('ReduceSum', [x], { keepdims: 0 })];
      case 'sumSquares': return [g.op1('ReduceSumSquare', [x], { keepdims: 0 })];
      case 'l2': return [g.op1('ReduceL2', [x], { keepdims: 0 })];
      case 'min': return [g.op1('ReduceMin', [x], { keepdims: 0 }), this.nan(x, c)];
      case 'max': return [g.op1('ReduceMax', [x], { keepdims: 0 }), this.nan(x, c)];
      case 'nonFinite': return [this.nan(x, c), this.inf(x, c, rank)];
    }
  }

  /** Sums the 0/1 activity tensor into one count per channel or neuron, like core's kernels. */
  private countAxes(active: string, shape: readonly number[], r: Extract<Reduction, { op: 'activeCount' }>): string {
    const g = this.g;
    const rank = shape.length;
    const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
    if (r.per === 'neuron') {
      return rank === 1 ? active : g.op1('ReduceSum', [active, g.constI64(range(1, rank))], { keepdims: 0 });
    }
    if (rank === 1) return g.op1('ReduceSum', [active, g.constI64([0])], { keepdims: 1 });
    const axes = r.channelsLast === true ? range(0, rank - 1) : [0, ...range(2, rank)];
    return g.op1('ReduceSum', [active, g.constI64(axes)], { keepdims: 0 });
  }

  private cache(x: string): TensorCache {
    let c = this.caches.get(x);
    if (c === undefined) {
      c = {};
      this.caches.set(x, c);
    }
    return c;
  }

  private abs(x: string, c: TensorCache): string {
    return (c.abs ??= this.g.op1('Abs', [x]));
  }

  /** |x| < +Inf: false for NaN and ±Infinity. */
  private finite(x: string, c: TensorCache, rank: number): string {
    return (c.finite ??= this.g.op1('Less', [this.abs(x, c), this.g.scalar(Number.POSITIVE_INFINITY, rank)]));
  }

  private nonFinite(x: string, c: TensorCache, rank: number): string {
    return (c.nonFinite ??= this.countTrue(this.g.op1('Not', [this.finite(x, c, rank)])));
  }

  /** NaN is the only value not equal to itself. */
  private nan(x: string, c: TensorCache): string {
    return (c.nan ??= this.countTrue(this.g.op1('Not', [this.g.op1('Equal', [x, x])])));
  }

  private inf(x: string, c: TensorCache, rank: number): string {
    return (c.inf ??= this.countTrue(this.g.op1('Equal', [this.abs(x, c), this.g.scalar(Number.POSITIVE_INFINITY, rank)])));
  }

  private countTrue(mask: string): string {
    return this.g.op1('ReduceSum', [this.g.op1('Cast', [mask], { to: 1 })], { keepdims: 0 });
  }
}

/** Entries each `activeCount` is taken over, for a concrete shape (core kernels' `size`). */
export function activeSize(r: Extract<Reduction, { op: 'activeCount' }>, shape: readonly number[]): number {
  const prod = (from: number, to: number): number => shape.slice(from, to).reduce((a, b) => a * b, 1);
  const rank = shape.length;
  if (r.per === 'neuron') return prod(1, rank);
  if (rank === 1) return shape[0] as number;
  if (r.channelsLast === true) return prod(0, rank - 1);
  return (shape[0] as number) * prod(2, rank);
}
