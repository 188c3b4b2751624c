import {
  reductionKey,
  reductionsFor,
  requestWants,
  type Reduction,
  type ReductionRequest,
  type ReductionResult,
  type Sampling,
  type TensorSource,
} from '../reduction.js';
import type { ModuleInfo } from '../module-info.js';
import type { Phase } from '../phase.js';
import { addPendingParameter, type ModuleEntry } from './module-registry.js';

/** Which reductions one tensor gets, computed once per (module, source, parameter, phase). */
export interface ReductionPlan {
  /** The reductions any lens wants for the tensor, deduplicated. */
  readonly reductions: readonly Reduction[];
  /** Their keys, in the same order. */
  readonly keys: readonly string[];
  /** True when the answers must wait until the module's parameter list is complete. */
  readonly hold: boolean;
  /**
   * Per reduction, the `sampling` of every request that wants it (`undefined`: watches all).
   * A reduction is computed for a report when one of them watches the report's step and epoch.
   */
  readonly watchers: readonly (readonly (Sampling | undefined)[])[];
  /** False when some request of every reduction watches everything: no per-report check. */
  readonly gated: boolean;
}

/** The parameter sources: tensors that belong to one named parameter of a module. */
export type ParameterSource = 'gradient' | 'update' | 'parameter';

/** A parameter tensor reduced before its module's parameters were all known. */
export interface HeldReport {
  readonly source: ParameterSource;
  readonly entry: ModuleEntry;
  readonly parameter: string;
  readonly shape: readonly number[];
  readonly phase: Phase;
  readonly answers: Map<string, ReductionResult>;
}

/** A tensor report ready to emit. */
export interface ReleasedReport {
  readonly source: ParameterSource;
  readonly module: ModuleInfo;
  readonly parameter: string;
  readonly shape: readonly number[];
  readonly phase: Phase;
  readonly answers: ReadonlyMap<string, ReductionResult>;
}

/** The plan of a tensor nobody asked for. */
export const NO_PLAN: ReductionPlan = { reductions: [], keys: [], hold: false, watchers: [], gated: false };

function planOf(
  requests: readonly ReductionRequest[],
  source: TensorSource,
  module: ModuleInfo,
  parameter: string | undefined,
  phase: Phase,
  hold: boolean,
): ReductionPlan {
  const reductions = reductionsFor(requests, source, module, parameter, phase);
  if (reductions.length === 0) return NO_PLAN;
  const keys = reductions.map(reductionKey);
  const watchers = keys.map((key) =>
    requests
      .filter((r) => reductionKey(r.reduction) === key && requestWants(r, source, module, parameter, phase))
      .map((r) => r.sampling),
  );
  const gated = watchers.some((w) => !w.includes(undefined));
  return { reductions, keys, hold, watchers, gated };
}

/**
 * Decides, for the loop adapter, which reductions each reported tensor needs (the union of
 * the lenses' requests), caches the decision per module, and holds back the answers of
 * parameters reported before their module's parameter list is complete — lenses select
 * modules by the parameters they own, which a loop without `declare()` reveals only over its
 * first step.
 */
export class ReportPlanner {
  private requests: readonly ReductionRequest[] = [];
  private held: HeldReport[] = [];

  /** A new run starts with these requests: nothing is held. */
  reset(requests: readonly ReductionRequest[]): void {
    this.requests = requests;
    this.held = [];
  }

  /** The plan of a module's output or output gradient. */
  moduleTensorPlan(entry: ModuleEntry, source: 'output' | 'outputGradient', phase: Phase): ReductionPlan {
    const cached = entry.plans.get(source, '', phase);
    if (cached !== undefined) return cached;
    const plan = planOf(this.requests, source, entry.info, undefined, phase, false);
    entry.plans.set(source, '', phase, plan);
    return plan;
  }

  /**
   * The plan of a parameter's gradient or update. A parameter the module did not list yet is
   * registered as pending and planned optimistically (held, not cached): once the parameter
   * list settles, the real plan replaces this one.
   *
   * @throws MonitorchError `UNKNOWN_MODULE` for a parameter the module's declaration lacks
   */
  parameterPlan(entry: ModuleEntry, source: ParameterSource, parameter: string, phase: Phase): ReductionPlan {
    const cached = entry.plans.get(source, parameter, phase);
    if (cached !== undefined) return cached;
    if (!entry.info.parameters.some((p) => p.name === parameter)) {
      addPendingParameter(entry, source, parameter);
      const owned = pendingOwnership(entry, parameter, this.requests);
      return planOf(this.requests, source, owned, parameter, phase, true);
    }
    const plan = planOf(this.requests, source, entry.info, parameter, phase, false);
    entry.plans.set(source, parameter, phase, plan);
    return plan;
  }

  /** Keeps a held report until {@link ReportPlanner.release}. */
  hold(report: HeldReport): void {
    this.held.push(report);
  }

  /**
   * The held reports, each keeping only the answers the lenses want now that every module's
   * parameter list is known; reports nobody wants are dropped.
   */
  release(): ReleasedReport[] {
    const held = this.held;
    this.held = [];
    const released: ReleasedReport[] = [];
    for (const h of held) {
      const wanted = reductionsFor(this.requests, h.source, h.entry.info, h.parameter, h.phase);
      if (wanted.length === 0) continue;
      const answers = new Map<string, ReductionResult>();
      for (const r of wanted) {
        const key = reductionKey(r);
        const a = h.answers.get(key);
        if (a !== undefined) answers.set(key, a);
      }
      released.push({ ...h, module: h.entry.info, answers });
    }
    return released;
  }

  /** Whether any report is held. */
  get holding(): boolean {
    return this.held.length > 0;
  }
}

/**
 * The module as it may turn out to be: it owns every parameter reported so far and every
 * parameter any request names. Ownership is not known yet, so compute what any request could
 * want and filter when the list settles.
 */
function pendingOwnership(entry: ModuleEntry, parameter: string, requests: readonly ReductionRequest[]): ModuleInfo {
  const names = new Set<string>([
    ...entry.info.parameters.map((p) => p.name),
    ...entry.pendingParameters.keys(),
    parameter,
  ]);
  for (const r of requests) {
    if (r.select.of === 'gradient' || r.select.of === 'update' || r.select.of === 'parameter') {
      for (const p of r.select.parameters) names.add(p);
    }
  }
  return { ...entry.info, parameters: [...names].map((name) => ({ name, shape: [] })) };
}
