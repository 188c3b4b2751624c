import {
  MonitorchError,
  reductionKey,
  type ModuleInfo,
  type Phase,
  type Reduction,
  type TensorSource,
} from '@monitorch/core';
import { concatAll } from '../onnx/concat-all.js';
import type { GraphBuilder } from '../onnx/graph-builder.js';
import { assertNever } from './assert-never.js';
import type { GraphInput, GraphOutput, PackedParts, StatOutput } from './compiled-graph.js';
import { aboveThreshold, countPerUnit, countTrue, magnitude, unitLayout } from './count-ops.js';
import { FiniteGate, finiteMask } from './finite-gate.js';
import { sampleL2, updateRatio } from './geometry-ops.js';
import { histogram } from './histogram-op.js';
import { previousDot } from './previous-dot.js';
import { partLength, sizePerSample } from './reduction-sizes.js';

/** Per-tensor shared sub-expressions (|x|, the finite mask), built once. */
interface TensorCache {
  magnitude?: string;
  finite?: string;
  nonFinite?: string;
  /** Per-unit finite counts, by unit layout. */
  finitePerUnit?: Map<string, string>;
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
  /**
   * Whether `previousDot` statistics may carry state from run to run (train graphs). Without it
   * (eval graphs, which serve several phases at once) `previousDot` requests are left out.
   */
  readonly geometryState?: boolean;
}

/** What some reductions need besides the tensor itself. */
export interface StatContext {
  /** For `update` tensors: the parameter the step started from (for `updateRatio`). */
  readonly parameterValue?: string;
}

/** Where a statistic is built: its tensor's identity (for state names) and context. */
interface BuildSite extends StatContext {
  /** `<source>.<module>[.<parameter>]`, unique per tensor of a graph. */
  readonly tensorId: string;
}

/** The name of the graph output that holds every packed statistic part. */
export const PACKED_STATS_OUTPUT = 'stat.packed';

/** A declared statistic and the graph values of its parts, until {@link StatBuilder.finish}. */
interface PendingStat {
  readonly stat: StatOutput;
  readonly values: readonly string[];
  /** Each part's element count, or `undefined` when it depends on the batch size. */
  readonly lengths: readonly (number | undefined)[];
}

/**
 * Turns lens reductions of graph tensors into graph outputs that equal the core CPU kernels:
 * counts are exact; NaN/Infinity entries never count as active and are counted apart, and
 * each unit's finite entries are counted (the rates' denominators when some entry is not finite).
 * Parts of a size known at compile time travel packed in one output
 * ({@link PACKED_STATS_OUTPUT}); the rest get outputs of their own.
 * Call {@link finish} once every statistic is added.
 */
export class StatBuilder {
  private readonly pending: PendingStat[] = [];
  private declared: StatOutput[] | undefined;
  private readonly seen = new Set<string>();
  private readonly caches = new Map<string, TensorCache>();
  private readonly built = new Map<string, string[]>();
  private readonly gate: FiniteGate | undefined;
  private readonly geometryState: boolean;
  private readonly stateInputs: GraphInput[] = [];
  private readonly stateOutputs: GraphOutput[] = [];

  /**
   * @param g - the graph to add ops to
   * @param options - see {@link StatBuilderOptions}
   */
  constructor(
    private readonly g: GraphBuilder,
    options: StatBuilderOptions = {},
  ) {
    this.gate = options.finiteGate === true ? new FiniteGate(g) : undefined;
    this.geometryState = options.geometryState === true;
  }

  /** The state inputs `previousDot` statistics added (see {@link previousDot}). */
  get geometryInputs(): readonly GraphInput[] {
    return this.stateInputs;
  }

  /** The state outputs `previousDot` statistics added, each feeding one of {@link geometryInputs}. */
  get geometryOutputs(): readonly GraphOutput[] {
    return this.stateOutputs;
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
   * @param context - what some reductions need besides the tensor (see {@link StatContext})
   */
  add(
    source: TensorSource,
    module: ModuleInfo,
    parameter: string | undefined,
    phases: readonly Phase[],
    tensor: string,
    shape: readonly number[],
    reductions: readonly Reduction[],
    context: StatContext = {},
  ): void {
    if (this.declared !== undefined) throw new Error('internal: StatBuilder.add after finish');
    const tensorId = `${source}.${module.name}${parameter === undefined ? '' : `.${parameter}`}`;
    for (const reduction of reductions) {
      if (!this.canBuild(source, reduction, context)) continue;
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
        values = this.build(origin, shape, reduction, { ...context, tensorId });
        this.built.set(builtKey, values);
      }
      const outputs = values.map((_, k) => (values.length === 1 ? base : `${base}#${k}`));
      const perSample = sizePerSample(reduction, shape);
      const stat: StatOutput = {
        source,
        module,
        phase: phases[0] ?? 'train',
        phases: [...phases],
        reduction,
        outputs,
        shape: [...shape],
        ...(parameter === undefined ? {} : { parameter }),
        ...(perSample === undefined ? {} : { sizePerSample: perSample }),
      };
      const lengths = values.map((_, k) => partLength(reduction, shape, k));
      this.pending.push({ stat, values, lengths });
    }
  }

  /**
   * Builds what was deferred (the finiteness gate) and declares every statistic's outputs as
   * graph outputs.
   *
   * @returns the statistics, in the order they were added
   */
  finish(): StatOutput[] {
    if (this.declared !== undefined) return this.declared;
    this.gate?.build();
    // Outputs are declared after the gate's If, so the graph's nodes stay in topological order.
    const g = this.g;
    const packedAt = new Map<string, readonly [number, number]>(); // a value shared by stats is packed once
    const pieces: string[] = [];
    let total = 0;
    const slicesOf = ({ values, lengths }: PendingStat): (readonly [number, number])[] | undefined => {
      if (lengths.some((n) => n === undefined)) return undefined;
      return values.map((v, k) => {
        let at = packedAt.get(v);
        if (at === undefined) {
          at = [total, lengths[k] as number];
          packedAt.set(v, at);
          pieces.push(g.op1('Reshape', [v, g.constI64([-1])])); // constants are deduplicated
          total += at[1];
        }
        return at;
      });
    };
    this.declared = this.pending.map((p) => {
      const slices = slicesOf(p);
      if (slices !== undefined) {
        const packed: PackedParts = { output: PACKED_STATS_OUTPUT, slices };
        return { ...p.stat, packed };
      }
      p.values.forEach((v, k) => g.output(g.rename(v, p.stat.outputs[k] as string)));
      return p.stat;
    });
    if (pieces.length > 0) g.output(g.rename(concatAll(g, pieces, 0), PACKED_STATS_OUTPUT));
    return this.declared;
  }

  /**
   * Whether this graph computes `reduction` of the tensor: `updateRatio` needs the parameter
   * (update tensors of a train graph), `previousDot` needs state (train graphs), and
   * `singularRatio` is a parameter-snapshot reduction that no step graph computes (the trainer
   * takes snapshots on the host). Requests the graph cannot answer get no statistic, never an
   * error: monitoring must not stop training.
   */
  private canBuild(source: TensorSource, r: Reduction, context: StatContext): boolean {
    switch (r.op) {
      case 'updateRatio':
        return source === 'update' && context.parameterValue !== undefined;
      case 'previousDot':
        return this.geometryState;
      case 'singularRatio':
        return false;
      default:
        return source !== 'parameter';
    }
  }

  private build(x: string, shape: readonly number[], r: Reduction, site: BuildSite): string[] {
    const g = this.g;
    const c = this.cache(x);
    const rank = shape.length; // rank-matched scalars keep ORT on its fast broadcast path
    switch (r.op) {
      case 'activeCount': {
        const a = this.magnitude(x, c);
        if (this.gate !== undefined) return this.gate.add(a, shape, r);
        const finite = (c.finite ??= finiteMask(g, a, rank));
        const counts = countPerUnit(g, g.op1('And', [aboveThreshold(g, a, rank, r), finite]), shape, r);
        const nonFinite = (c.nonFinite ??= countTrue(g, g.op1('Not', [finite])));
        // Without a gate the per-unit finite counts are always computed: one Cast and one
        // ReduceSum more per tensor and layout, shared by every eps.
        const perUnit = (c.finitePerUnit ??= new Map<string, string>());
        let finiteCounts = perUnit.get(unitLayout(r));
        if (finiteCounts === undefined) {
          finiteCounts = countPerUnit(g, finite, shape, r);
          perUnit.set(unitLayout(r), finiteCounts);
        }
        return [counts, nonFinite, finiteCounts];
      }
      case 'sum':
        return [g.op1('ReduceSum', [x], { keepdims: 0 })];
      case 'sumSquares':
        return [g.op1('ReduceSumSquare', [x], { keepdims: 0 })];
      case 'l2':
        return [g.op1('ReduceL2', [x], { keepdims: 0 })];
      case 'min':
        return [g.op1('ReduceMin', [x], { keepdims: 0 }), this.nan(x, c)];
      case 'max':
        return [g.op1('ReduceMax', [x], { keepdims: 0 }), this.nan(x, c)];
      case 'nonFinite':
        return [this.nan(x, c), this.inf(x, c, rank)];
      case 'sampleL2':
        return [sampleL2(g, x, rank)];
      case 'updateRatio': {
        const parameter = site.parameterValue;
        if (parameter === undefined) throw new Error('internal: updateRatio without the parameter');
        return [updateRatio(g, this.shared(x, shape, { op: 'l2' }, site), parameter)];
      }
      case 'previousDot': {
        const parts = previousDot(g, `geom.${site.tensorId}`, x, shape, this.shared(x, shape, { op: 'l2' }, site));
        this.stateInputs.push(...parts.state.inputs);
        this.stateOutputs.push(...parts.state.outputs);
        return [parts.dot, parts.norm, parts.previousNorm];
      }
      case 'histogram':
        return [histogram(g, x, r)];
      case 'singularRatio':
        throw new MonitorchError(
          'UNSUPPORTED',
          'singularRatio is computed from parameter snapshots on the host, not in a step graph.',
          { op: r.op },
        );
      default:
        return assertNever(r);
    }
  }

  /** A single-part reduction of `x` built once and shared (e.g. `‖x‖₂` for `l2`, `previousDot`, `updateRatio`). */
  private shared(x: string, shape: readonly number[], r: Reduction, site: BuildSite): string {
    const key = `${x}\u0000${reductionKey(r)}\u0000${shape.join(',')}`;
    let values = this.built.get(key);
    if (values === undefined) {
      values = this.build(x, shape, r, site);
      this.built.set(key, values);
    }
    return values[0] as string;
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
    return (c.inf ??= countTrue(
      this.g,
      this.g.op1('Equal', [this.magnitude(x, c), this.g.scalar(Number.POSITIVE_INFINITY, rank)]),
    ));
  }
}
