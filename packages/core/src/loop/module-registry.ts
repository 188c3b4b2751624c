import { MonitorchError } from '../errors.js';
import { MODULE_KINDS, type ModuleInfo, type ModuleKind, type ParameterInfo } from '../module-info.js';
import { TensorKeyCache } from '../routing/tensor-key-cache.js';
import type { ReductionPlan } from './report-planner.js';

/**
 * A module as a hand-written loop declares it to the {@link LoopAdapter} up front.
 *
 * @example
 * ```ts
 * loop.declare([
 *   { name: 'lin1', kind: 'linear', parameters: ['weight', 'bias'] },
 *   { name: 'relu1', kind: 'activation' },
 * ]);
 * ```
 */
export interface ModuleDeclaration {
  /** Full module name, unique in the model. */
  readonly name: string;
  /** What the module is (lenses select on it). Default `other`. */
  readonly kind?: ModuleKind;
  /** Layer class, informative (default: the kind). */
  readonly type?: string;
  /**
   * The parameters the module owns, by name or with their shapes. Omit to let the adapter
   * learn them from the first step's reports; `[]` says the module has none.
   */
  readonly parameters?: readonly (string | ParameterInfo)[];
}

/** One registered module and what the adapter has learned about it. */
export interface ModuleEntry {
  /** The current description (replaced, never mutated, when it changes). */
  info: ModuleInfo;
  /** Whether `kind` was given explicitly (a default `other` may still be upgraded once). */
  kindGiven: boolean;
  /** Whether the parameter list is fixed (declared); otherwise it grows on the fly. */
  parametersFixed: boolean;
  /** Parameters reported but not yet in `info.parameters` (held until the next step). */
  readonly pendingParameters: Map<string, readonly number[]>;
  /** Parameter shapes seen or declared; `undefined` while only the name is known. */
  readonly shapes: Map<string, readonly number[] | undefined>;
  /** Cached reduction plans; cleared whenever `info` changes. */
  readonly plans: TensorKeyCache<ReductionPlan>;
}

/**
 * The modules a {@link LoopAdapter} knows, in first-seen (forward) order. Declared modules are
 * kept across runs; modules learned on the fly are forgotten when a new run starts, so each
 * run learns its own model.
 */
export class ModuleRegistry {
  private readonly entries = new Map<string, ModuleEntry>();
  private declaredNames = new Set<string>();

  /** True once `declare` was called: from then on unknown module names are errors. */
  get strict(): boolean {
    return this.declaredNames.size > 0;
  }

  /** All known modules in forward order. */
  modules(): ModuleInfo[] {
    return [...this.entries.values()].map((e) => e.info);
  }

  /** Adds declared modules (in the given order, after any already known). */
  declare(modules: readonly ModuleDeclaration[]): void {
    for (const d of modules) {
      if (typeof d.name !== 'string' || d.name === '') {
        throw new MonitorchError(
          'INVALID_ARGUMENT',
          'declare(): every module needs a non-empty `name` (its full dotted name, e.g. "lin1").',
          { module: d.name },
        );
      }
      if (d.kind !== undefined) checkKind(d.name, d.kind);
      const parameters = (d.parameters ?? []).map((p) => (typeof p === 'string' ? { name: p, shape: [] } : p));
      const shapes = new Map(
        (d.parameters ?? []).map((p) => (typeof p === 'string' ? [p, undefined] : [p.name, p.shape])),
      );
      const existing = this.entries.get(d.name);
      if (existing !== undefined) {
        if (d.kind !== undefined) this.applyKind(existing, d.kind);
        if (d.parameters !== undefined) {
          existing.info = { ...existing.info, parameters };
          existing.parametersFixed = true;
          existing.shapes.clear();
          for (const [k, v] of shapes) existing.shapes.set(k, v);
          existing.pendingParameters.clear();
          existing.plans.clear();
        }
      } else {
        this.entries.set(d.name, {
          info: {
            name: d.name,
            kind: d.kind ?? 'other',
            type: d.type ?? d.kind ?? 'other',
            parameters,
            order: this.entries.size,
          },
          kindGiven: d.kind !== undefined,
          parametersFixed: d.parameters !== undefined,
          pendingParameters: new Map(),
          shapes,
          plans: new TensorKeyCache<ReductionPlan>(),
        });
      }
      this.declaredNames.add(d.name);
    }
  }

  /**
   * The entry of `name`, registering it on the fly when allowed.
   *
   * @throws MonitorchError `UNKNOWN_MODULE` when modules were declared and `name` is not one,
   *   `INVALID_ARGUMENT` when `kind` contradicts the module's known kind
   */
  get(name: string, kind: ModuleKind | undefined, type: string | undefined, source: string): ModuleEntry {
    let entry = this.entries.get(name);
    if (entry === undefined) {
      if (this.strict) {
        throw new MonitorchError(
          'UNKNOWN_MODULE',
          `loop.${source}('${name}'): no module named "${name}" was declared. Known modules: ${[...this.entries.keys()].join(', ')}. ` +
            'Fix the name, or add the module to loop.declare([...]).',
          { module: name },
        );
      }
      if (typeof name !== 'string' || name === '') {
        throw new MonitorchError('INVALID_ARGUMENT', `loop.${source}(): the module name must be a non-empty string.`, {
          module: name,
        });
      }
      if (kind !== undefined) checkKind(name, kind);
      entry = {
        info: { name, kind: kind ?? 'other', type: type ?? kind ?? 'other', parameters: [], order: this.entries.size },
        kindGiven: kind !== undefined,
        parametersFixed: false,
        pendingParameters: new Map(),
        shapes: new Map(),
        plans: new TensorKeyCache<ReductionPlan>(),
      };
      this.entries.set(name, entry);
      return entry;
    }
    if (kind !== undefined && (kind !== entry.info.kind || !entry.kindGiven)) this.applyKind(entry, kind);
    return entry;
  }

  /** Forgets the modules learned on the fly (a new run starts); keeps declared ones. */
  forgetLearned(): void {
    for (const [name, entry] of [...this.entries]) {
      if (!this.declaredNames.has(name)) this.entries.delete(name);
      else {
        entry.pendingParameters.clear();
        entry.plans.clear();
        if (!entry.parametersFixed) {
          entry.info = { ...entry.info, parameters: [] };
          entry.shapes.clear();
        }
      }
    }
    // Renumber so the order stays 0..n-1 in first-seen order.
    let order = 0;
    for (const entry of this.entries.values()) {
      if (entry.info.order !== order) entry.info = { ...entry.info, order };
      order += 1;
    }
  }

  /** Clears every cached plan (the lenses' requests changed). */
  clearPlans(): void {
    for (const entry of this.entries.values()) entry.plans.clear();
  }

  /**
   * Moves every pending parameter into its module's parameter list. Returns whether anything
   * changed.
   */
  settle(): boolean {
    let changed = false;
    for (const entry of this.entries.values()) {
      if (entry.pendingParameters.size === 0) continue;
      const added: ParameterInfo[] = [...entry.pendingParameters].map(([name, shape]) => ({ name, shape }));
      entry.info = { ...entry.info, parameters: [...entry.info.parameters, ...added] };
      entry.pendingParameters.clear();
      entry.plans.clear();
      changed = true;
    }
    return changed;
  }

  /**
   * Checks a reported parameter tensor's shape against what is known, and records it the
   * first time.
   *
   * @throws MonitorchError `SHAPE_MISMATCH` when the shape differs from an earlier report or
   *   the declaration
   */
  checkParameterShape(entry: ModuleEntry, parameter: string, shape: readonly number[], source: string): void {
    const known = entry.shapes.get(parameter);
    if (known === undefined) {
      entry.shapes.set(parameter, [...shape]);
      if (entry.info.parameters.some((p) => p.name === parameter)) {
        entry.info = {
          ...entry.info,
          parameters: entry.info.parameters.map((p) =>
            p.name === parameter ? { name: parameter, shape: [...shape] } : p,
          ),
        };
      }
      return;
    }
    if (known.length !== shape.length || known.some((d, i) => d !== shape[i])) {
      throw new MonitorchError(
        'SHAPE_MISMATCH',
        `loop.${source}('${entry.info.name}', '${parameter}'): parameter "${parameter}" of module "${entry.info.name}" has shape [${known.join(', ')}] but this report ` +
          `has shape [${shape.join(', ')}]. Pass the parameter's own shape (the gradient and update have the same shape as the parameter).`,
        { module: entry.info.name, parameter, expected: [...known], actual: [...shape] },
      );
    }
  }

  private applyKind(entry: ModuleEntry, kind: ModuleKind): void {
    checkKind(entry.info.name, kind);
    if (entry.kindGiven && entry.info.kind !== kind) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `Module "${entry.info.name}" was reported as kind "${entry.info.kind}" and now as "${kind}". ` +
          'A module has one kind; use another name for a different module.',
        { module: entry.info.name, kind: entry.info.kind, given: kind },
      );
    }
    if (!entry.kindGiven) {
      const type = entry.info.type === entry.info.kind ? kind : entry.info.type;
      entry.info = { ...entry.info, kind, type };
      entry.kindGiven = true;
      entry.plans.clear();
    }
  }
}

function checkKind(name: string, kind: ModuleKind): void {
  if (!MODULE_KINDS.includes(kind)) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `Module "${name}": kind "${String(kind)}" is not one of ${MODULE_KINDS.join(', ')}.`,
      { module: name, kind },
    );
  }
}

/**
 * Records that `parameter` was reported for a module whose parameter list is still being
 * learned; it joins the list when the registry settles (at the next step).
 *
 * @throws MonitorchError `UNKNOWN_MODULE` when the module was declared without that parameter
 */
export function addPendingParameter(entry: ModuleEntry, source: string, parameter: string): void {
  if (entry.parametersFixed) {
    throw new MonitorchError(
      'UNKNOWN_MODULE',
      `loop.${source}('${entry.info.name}', '${parameter}'): module "${entry.info.name}" was declared with the ` +
        `parameters [${entry.info.parameters.map((p) => p.name).join(', ')}], not "${parameter}". ` +
        'Fix the name or declare the parameter.',
      { module: entry.info.name, parameter },
    );
  }
  entry.pendingParameters.set(parameter, entry.shapes.get(parameter) ?? []);
}
