import type { ModuleInfo, ModuleKind } from './module-info.js';
import type { Phase } from './phase.js';

/**
 * Which modules a request applies to. A module matches when it is not excluded and either
 * its kind is in `kinds` or its name is in `names`. Exclusion wins over everything.
 * An empty selector (`{}`) matches every module.
 */
export interface ModuleSelector {
  /** Match modules of these kinds. */
  readonly kinds?: readonly ModuleKind[];
  /** Match modules with these full names (in addition to `kinds`). */
  readonly names?: readonly string[];
  /** Never match modules of these kinds. */
  readonly excludeKinds?: readonly ModuleKind[];
  /** Never match modules with these names. */
  readonly excludeNames?: readonly string[];
}

/**
 * Which tensors a request wants reduced.
 * - `output`: a module's forward output, in the listed phases (default `['train']`).
 * - `outputGradient`: the gradient of the loss w.r.t. a module's output.
 * - `gradient`: a parameter's gradient, for modules that own *every* listed parameter.
 * - `update`: a parameter's change made by one optimizer step, same module rule.
 * - `parameter`: a parameter's value, snapshotted when an epoch closes and whenever a lens or
 *   the user asks (`inspector.snapshotParameters()`); never every step. Same module rule.
 */
export type TensorSelector =
  | { readonly of: 'output'; readonly modules: ModuleSelector; readonly phases?: readonly Phase[] }
  | { readonly of: 'outputGradient'; readonly modules: ModuleSelector }
  | { readonly of: 'gradient'; readonly parameters: readonly string[]; readonly modules?: ModuleSelector }
  | { readonly of: 'update'; readonly parameters: readonly string[]; readonly modules?: ModuleSelector }
  | { readonly of: 'parameter'; readonly parameters: readonly string[]; readonly modules?: ModuleSelector };

/** The kinds of tensor a selector can name. */
export type TensorSource = TensorSelector['of'];

/**
 * A reduction of one tensor to a few numbers.
 * - `activeCount` per `channel`: for every channel c, how many entries have |x| > eps
 *   (channels at dim 1 of `[N, C, ...]`, or at the last dim with `channelsLast`);
 * - `activeCount` per `neuron`: the same along dim 0 of a parameter-shaped tensor;
 * - `sum`, `sumSquares`, `min`, `max`, `l2` (Euclidean norm over all entries);
 * - `nonFinite`: how many entries are NaN and how many are ±Infinity;
 * - `sampleL2`: the batch mean of the per-sample Euclidean norms, `mean_b ‖x[b]‖₂` of a
 *   batch-first tensor (semantics §2.4);
 * - `previousDot`: geometry against the same tensor's previous *watched* report (same source,
 *   module, parameter and phase): `⟨prev, x⟩`, `‖x‖₂` and `‖prev‖₂` (0 when there is no previous
 *   tensor of the same shape). The adapter keeps `prev` as state (memory = the watched tensors);
 * - `updateRatio` (only on `update` tensors): `‖ΔP‖₂ / ‖P‖₂`, P the parameter before the step;
 * - `singularRatio` (on `parameter` tensors of rank ≥ 2): σ_min/σ_max of the parameter reshaped
 *   to `[shape[0], rest]` (a conv weight `[out, in, kh, kw]` → `[out, in·kh·kw]`);
 * - `histogram`: counts of entries in `bins` equal-width bins over `[lo, hi)`, plus the entries
 *   below `lo`, at or above `hi`, and non-finite (not in any bin).
 */
export type Reduction =
  | { readonly op: 'activeCount'; readonly per: 'channel'; readonly eps: number; readonly channelsLast?: boolean }
  | { readonly op: 'activeCount'; readonly per: 'neuron'; readonly eps: number }
  | {
      readonly op: 'sum' | 'sumSquares' | 'min' | 'max' | 'l2' | 'nonFinite';
    }
  | { readonly op: 'sampleL2' | 'previousDot' | 'updateRatio' | 'singularRatio' }
  | { readonly op: 'histogram'; readonly lo: number; readonly hi: number; readonly bins: number };

/** The names of all reduction operations. */
export type ReductionOp = Reduction['op'];

/**
 * The answer to a reduction. `activeCount` answers carry one count per channel/neuron, the
 * number of entries each count was taken over (`size`), and how many entries were NaN or
 * infinite (`nonFinite`: those are left out of the counts and reported, not hidden). When
 * `nonFinite > 0` they also carry `finite`: per channel/neuron, how many of its `size` entries
 * were finite — the denominator of that unit's rate (see docs/semantics-decisions.md). Absent
 * (or ignored) when every entry is finite: then each unit has `size` finite entries.
 */
export type ReductionResult =
  | {
      readonly op: 'activeCount';
      readonly counts: Float64Array;
      readonly size: number;
      readonly nonFinite: number;
      readonly finite?: Float64Array;
    }
  | { readonly op: 'sum' | 'sumSquares' | 'min' | 'max' | 'l2'; readonly value: number }
  | { readonly op: 'nonFinite'; readonly nan: number; readonly inf: number }
  /** `value`: NaN when an entry is not finite (lenses leave such samples out). */
  | { readonly op: 'sampleL2' | 'updateRatio'; readonly value: number }
  /** `previousNorm` is 0 when there was no previous tensor of this shape (no correlation then). */
  | { readonly op: 'previousDot'; readonly dot: number; readonly norm: number; readonly previousNorm: number }
  /** `value` = `sigmaMin / sigmaMax`; NaN for a parameter that is all zero or not finite. */
  | {
      readonly op: 'singularRatio';
      readonly value: number;
      readonly sigmaMin: number;
      readonly sigmaMax: number;
    }
  | {
      readonly op: 'histogram';
      /** One count per bin, bin k covering `[lo + k·w, lo + (k+1)·w)`, `w = (hi − lo)/bins`. */
      readonly counts: Float64Array;
      readonly below: number;
      readonly above: number;
      readonly nonFinite: number;
    };

/**
 * Which steps and epochs a request watches (monitorch's activity gating, §1.6). A step of
 * the `train` phase is watched when `step % everySteps === 0` (`step` counts optimizer steps
 * from 0, so the first step is always watched); an epoch when `(epoch − 1) % everyEpochs === 0`
 * (the first epoch is always watched; monitorch skips it). Other phases and parameter
 * snapshots are gated by epoch only. Default: every step of every epoch.
 */
export interface Sampling {
  /** Watch one train step in this many (a whole number ≥ 1; default 1). */
  readonly everySteps?: number;
  /** Watch one epoch in this many (a whole number ≥ 1; default 1). */
  readonly everyEpochs?: number;
}

/** A lens's request: reduce the selected tensors with `reduction`. Plain data, no code. */
export interface ReductionRequest {
  /** The tensors to reduce. */
  readonly select: TensorSelector;
  /** How to reduce each of them. */
  readonly reduction: Reduction;
  /**
   * When to compute it (default: always). An unwatched step costs nothing: adapters compute
   * only the requests that watch it. The Inspector fills this from its own `sampling` option
   * for requests that do not set it.
   */
  readonly sampling?: Sampling;
}

/**
 * True when `sampling` watches a report made at `step` (optimizer steps done before it) in
 * `epoch` (1-based) and `phase`. See {@link Sampling}.
 */
export function watches(sampling: Sampling | undefined, step: number, epoch: number, phase: Phase): boolean {
  if (sampling === undefined) return true;
  const everyEpochs = sampling.everyEpochs ?? 1;
  if ((epoch - 1) % everyEpochs !== 0) return false;
  if (phase !== 'train') return true;
  return step % (sampling.everySteps ?? 1) === 0;
}

/**
 * True when `sampling` watches a tensor of `source` reported at `step` in `epoch` and `phase`:
 * {@link watches}, except that parameter snapshots are gated by epoch only (they are taken when
 * an epoch closes or on request, never per step).
 */
export function watchesSource(
  sampling: Sampling | undefined,
  source: TensorSource,
  step: number,
  epoch: number,
  phase: Phase,
): boolean {
  return watches(sampling, source === 'parameter' ? 0 : step, epoch, phase);
}

/**
 * A stable string key for a reduction. Events carry answers keyed by it, so a lens finds its
 * answer with `event.reductions.get(reductionKey(r))`. Equal reductions from different lenses
 * share one key and are computed once.
 */
export function reductionKey(r: Reduction): string {
  if (r.op === 'activeCount') {
    const last = r.per === 'channel' && r.channelsLast === true ? ':last' : '';
    return `activeCount:${r.per}:${r.eps}${last}`;
  }
  if (r.op === 'histogram') return `histogram:${r.lo}:${r.hi}:${r.bins}`;
  return r.op;
}

/** True when `module` is selected by `selector` (see {@link ModuleSelector}). */
export function matchesModule(selector: ModuleSelector, module: Pick<ModuleInfo, 'name' | 'kind'>): boolean {
  if (selector.excludeNames?.includes(module.name) === true) return false;
  if (selector.excludeKinds?.includes(module.kind) === true) return false;
  const byKind = selector.kinds?.includes(module.kind) === true;
  const byName = selector.names?.includes(module.name) === true;
  if (selector.kinds === undefined && selector.names === undefined) return true;
  return byKind || byName;
}

/**
 * True when a request wants the given tensor reduced.
 *
 * @param request - the lens request
 * @param source - which tensor kind this is
 * @param module - the module it belongs to
 * @param parameter - the parameter name for `gradient`/`update`/`parameter` tensors
 * @param phase - the phase of the pass that produced it
 */
export function requestWants(
  request: ReductionRequest,
  source: TensorSource,
  module: ModuleInfo,
  parameter: string | undefined,
  phase: Phase,
): boolean {
  const s = request.select;
  if (s.of !== source) return false;
  switch (s.of) {
    case 'output':
      return matchesModule(s.modules, module) && (s.phases ?? ['train']).includes(phase);
    case 'outputGradient':
      return matchesModule(s.modules, module);
    case 'gradient':
    case 'update':
    case 'parameter': {
      if (parameter === undefined || !s.parameters.includes(parameter)) return false;
      if (s.modules !== undefined && !matchesModule(s.modules, module)) return false;
      const owned = new Set(module.parameters.map((p) => p.name));
      return s.parameters.every((p) => owned.has(p));
    }
  }
}

/**
 * The distinct reductions (by key) that any of `requests` wants for one tensor. Adapters call
 * this to know what to compute; the result is deduplicated and in request order.
 */
export function reductionsFor(
  requests: readonly ReductionRequest[],
  source: TensorSource,
  module: ModuleInfo,
  parameter: string | undefined,
  phase: Phase,
): Reduction[] {
  const seen = new Map<string, Reduction>();
  for (const r of requests) {
    if (!requestWants(r, source, module, parameter, phase)) continue;
    const key = reductionKey(r.reduction);
    if (!seen.has(key)) seen.set(key, r.reduction);
  }
  return [...seen.values()];
}
