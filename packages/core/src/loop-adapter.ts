import type { Adapter, AdapterConnection } from './adapter.js';
import { tensorReport, type AdapterReport, type ReductionAnswers } from './events.js';
import { MonitorchError } from './errors.js';
import { reduce, type ReduceContext } from './kernels/reduce.js';
import type { TensorData } from './kernels/tensor-data.js';
import { ModuleRegistry, type ModuleDeclaration, type ModuleEntry } from './loop/module-registry.js';
import { NonFiniteWarnings } from './loop/non-finite-warnings.js';
import { PreviousTensors, tensorKey } from './loop/previous-tensors.js';
import { ReportPlanner, type ParameterSource, type ReductionPlan } from './loop/report-planner.js';
import { callName, checkParameterName, checkTensor, isTensorData } from './loop/tensor-checks.js';
import type { ModuleInfo, ModuleKind } from './module-info.js';
import { checkBatchSize, checkPhase, checkReportedNumber } from './report-checks.js';
import { DEFAULT_PHASE, type Phase } from './phase.js';
import { watchesSource, type Reduction, type ReductionResult, type TensorSource } from './reduction.js';

/** Options of {@link LoopAdapter.output} and {@link LoopAdapter.outputGradient}. */
export interface OutputOptions {
  /** What the module is; fixed by the first report that names it (default `other`). */
  readonly kind?: ModuleKind;
  /** Layer class, informative (e.g. `ReLU`). */
  readonly type?: string;
  /** Phase of the pass (default `train`). */
  readonly phase?: Phase;
}

/** Options of {@link LoopAdapter.gradient} and {@link LoopAdapter.update}. */
export interface ParameterOptions {
  /** What the module is, when this is its first report (default `other`). */
  readonly kind?: ModuleKind;
  /** Layer class, informative (e.g. `Linear`). */
  readonly type?: string;
  /** Phase of the pass (default `train`). */
  readonly phase?: Phase;
}

/** Options of {@link LoopAdapter.loss}. */
export interface LossOptions {
  /** Samples in the batch (default 1). */
  readonly batchSize?: number;
  /** Phase (default `train`). */
  readonly phase?: Phase;
}

/** The parameter before and after an optimizer step; the adapter reduces `after − before`. */
export interface BeforeAfter {
  /** The parameter's value before the step (also the P of the update-to-parameter ratio). */
  readonly before: TensorData;
  /** Its value after the step. */
  readonly after: TensorData;
}

/** One parameter's current value, as {@link LoopAdapterOptions.parameters} yields it. */
export interface ParameterSnapshot {
  /** The module owning it, e.g. `fc1`. */
  readonly module: string;
  /** The parameter's name, e.g. `weight`. */
  readonly parameter: string;
  /** Its elements, row-major (read during the call, not kept). */
  readonly data: TensorData;
  /** Its shape. */
  readonly shape: readonly number[];
}

/** Options of the {@link LoopAdapter} constructor. */
export interface LoopAdapterOptions {
  /** Module declarations, as for {@link LoopAdapter.declare}. */
  readonly modules?: readonly ModuleDeclaration[];
  /**
   * Lists the model's parameters now. The adapter calls it when the Inspector asks for a
   * parameter snapshot (just before an epoch closes, when some lens watches parameter values —
   * `ParameterNorm`, `ParameterCond` — and on `inspector.snapshotParameters()`), and reports
   * each yielded parameter as {@link LoopAdapter.parameter} would. Without it, call
   * `loop.parameter(...)` yourself before `tickEpoch()`.
   */
  readonly parameters?: () => Iterable<ParameterSnapshot>;
}

/**
 * The adapter for hand-written training loops: report what your loop computes — module
 * outputs, parameter gradients, output gradients, parameter updates, losses, optimizer steps —
 * as typed arrays with their shapes. The adapter computes exactly the reductions the attached
 * lenses asked for, with the core CPU kernels, and reports them to the Inspector. Tensors are
 * read during the call and never kept.
 *
 * While no Inspector is attached every method returns at once, so the calls can stay in the
 * loop at no cost.
 *
 * **Modules.** A module is registered the first time it is reported; its kind comes from the
 * first report that names one, and the forward order is the first-seen order. Call
 * {@link LoopAdapter.declare} to list the model up front instead: then the order and the
 * parameter lists are fixed, and a report naming any other module is an `UNKNOWN_MODULE`
 * error (a typo caught, instead of a silently missing row).
 *
 * **Parameters.** Lenses ask for gradients of modules that own *every* listed parameter (a
 * lens watching `weight` and `bias` skips modules without a bias). Without `declare`, a
 * module's parameters are learned from the reports: a gradient or update of a parameter the
 * adapter has not seen yet is reduced at once but its event is held until the next `step()`
 * (or the end of the epoch), when the module's parameter list is complete. From then on the
 * parameter's events go out immediately. So every lens sees the same modules from the first
 * step on.
 *
 * **Bad input.** A shape that does not match the data is a `SHAPE_MISMATCH` error naming the
 * module and both sizes; a module reported with two kinds is `INVALID_ARGUMENT`. NaN or
 * infinite entries are not errors: they are counted by the kernels (lenses show the counts)
 * and a `NON_FINITE_INPUT` warning reaches `inspector.errors$` (once per tensor per epoch).
 * A non-finite loss is reported as it is and warned about (`NON_FINITE_LOSS`).
 *
 * @example
 * ```ts
 * const loop = new LoopAdapter();
 * inspector.attach(loop);
 * for (const batch of batches) {
 *   const h = relu1.forward(batch.x);
 *   loop.output('relu1', h.data, h.shape, { kind: 'activation' });
 *   // … your backward pass …
 *   loop.gradient('lin1', 'weight', gW.data, gW.shape);
 *   loop.loss(lossValue, { batchSize: batch.size });
 *   loop.step();
 * }
 * await inspector.tickEpoch();
 * ```
 */
export class LoopAdapter implements Adapter {
  private connection: AdapterConnection | undefined;
  private readonly registry = new ModuleRegistry();
  private readonly planner = new ReportPlanner();
  private readonly warnings = new NonFiniteWarnings();
  private readonly sink = (report: AdapterReport): void => {
    this.connection?.emitter.emit('report', report);
  };
  private scratch = new Float64Array(0);
  private readonly previous = new PreviousTensors();
  private readonly seen = new Set<TensorSource>();
  private warnedNoBefore = false;
  private readonly parameterSource: (() => Iterable<ParameterSnapshot>) | undefined;
  private readonly onFlush = (): void => this.flush(true);
  private readonly onSnapshot = (): void => this.snapshot();

  /**
   * @param options - module declarations (an array, as for {@link LoopAdapter.declare}) or
   *   {@link LoopAdapterOptions} with declarations and a parameter source for snapshots
   */
  constructor(options?: readonly ModuleDeclaration[] | LoopAdapterOptions) {
    const o: LoopAdapterOptions = Array.isArray(options)
      ? { modules: options }
      : ((options ?? {}) as LoopAdapterOptions);
    if (o.parameters !== undefined && typeof o.parameters !== 'function') {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        'new LoopAdapter({ parameters }): parameters must be a function returning { module, parameter, data, shape } items.',
        { parameters: typeof o.parameters },
      );
    }
    this.parameterSource = o.parameters;
    if (o.modules !== undefined) this.registry.declare(o.modules);
  }

  /** Whether an Inspector is attached (reports are computed and sent). */
  get attached(): boolean {
    return this.connection !== undefined;
  }

  /** The modules known so far, in forward order. */
  get modules(): readonly ModuleInfo[] {
    return this.registry.modules();
  }

  /**
   * Declares modules up front, in forward order: their kinds, types and parameters. After
   * this, a report naming an undeclared module throws `UNKNOWN_MODULE`. May be called again
   * to add modules.
   *
   * @example
   * ```ts
   * loop.declare([
   *   { name: 'lin1', kind: 'linear', type: 'Linear', parameters: ['weight', 'bias'] },
   *   { name: 'relu1', kind: 'activation', type: 'ReLU' },
   * ]);
   * ```
   */
  declare(modules: readonly ModuleDeclaration[]): this {
    this.registry.declare(modules);
    return this;
  }

  /** Called by `inspector.attach`: a new run starts. */
  connect(connection: AdapterConnection): void {
    this.disconnect();
    this.connection = connection;
    this.registry.forgetLearned();
    this.registry.clearPlans();
    this.planner.reset(connection.requests);
    this.warnings.clear();
    this.previous.clear();
    this.seen.clear();
    this.warnedNoBefore = false;
    connection.emitter.on('flush', this.onFlush);
    connection.emitter.on('snapshot', this.onSnapshot);
  }

  /** Called by `inspector.detach`: reports anything held, then stops reporting. */
  disconnect(): void {
    const connection = this.connection;
    if (connection === undefined) return;
    this.flush(false);
    connection.emitter.off('flush', this.onFlush);
    connection.emitter.off('snapshot', this.onSnapshot);
    this.connection = undefined;
    this.planner.reset([]);
    this.previous.clear();
  }

  /**
   * Reports a module's forward output (batch dimension first).
   *
   * @param module - full module name, e.g. `relu1`
   * @param data - the output's elements, row-major
   * @param shape - its shape, e.g. `[batch, features]` or `[batch, channels, h, w]`
   * @throws MonitorchError `SHAPE_MISMATCH`, `UNKNOWN_MODULE`, `INVALID_ARGUMENT`
   */
  output(module: string, data: TensorData, shape: readonly number[], options: OutputOptions = {}): void {
    if (this.connection === undefined) return;
    this.reportModuleTensor('output', module, data, shape, options);
  }

  /**
   * Reports the gradient of the loss with respect to a module's output.
   *
   * @throws MonitorchError `SHAPE_MISMATCH`, `UNKNOWN_MODULE`, `INVALID_ARGUMENT`
   */
  outputGradient(module: string, data: TensorData, shape: readonly number[], options: OutputOptions = {}): void {
    if (this.connection === undefined) return;
    this.reportModuleTensor('outputGradient', module, data, shape, options);
  }

  /**
   * Reports a parameter's gradient after a backward pass.
   *
   * @param module - the module owning the parameter, e.g. `lin1`
   * @param parameter - the parameter name, e.g. `weight`
   * @param data - the gradient's elements, row-major
   * @param shape - the parameter's shape (dim 0 = output neuron)
   * @throws MonitorchError `SHAPE_MISMATCH`, `UNKNOWN_MODULE`, `INVALID_ARGUMENT`
   */
  gradient(
    module: string,
    parameter: string,
    data: TensorData,
    shape: readonly number[],
    options: ParameterOptions = {},
  ): void {
    if (this.connection === undefined) return;
    this.reportParameterTensor('gradient', module, parameter, data, shape, options);
  }

  /**
   * Reports how one optimizer step changed a parameter: either the change itself
   * (`new − old`) or `{ before, after }` copies of the parameter.
   *
   * @throws MonitorchError `SHAPE_MISMATCH`, `UNKNOWN_MODULE`, `INVALID_ARGUMENT`
   */
  update(
    module: string,
    parameter: string,
    delta: TensorData | BeforeAfter,
    shape: readonly number[],
    options: ParameterOptions = {},
  ): void {
    if (this.connection === undefined) return;
    if (isTensorData(delta)) {
      this.reportParameterTensor('update', module, parameter, delta, shape, options);
      return;
    }
    this.noteSeen('update');
    checkParameterName('update', module, parameter);
    if (delta === null || typeof delta !== 'object' || !isTensorData(delta.before) || !isTensorData(delta.after)) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `${callName('update', module, parameter)}: pass the change as a Float32Array/Float64Array, or { before, after } with two such arrays.`,
        { module, parameter },
      );
    }
    const n = checkTensor('update', module, parameter, delta.after, shape);
    if (delta.before.length !== n) {
      throw new MonitorchError(
        'SHAPE_MISMATCH',
        `${callName('update', module, parameter)}: 'before' has ${delta.before.length} elements but 'after' and shape [${shape.join(', ')}] have ${n}. ` +
          'Pass copies of the same parameter taken before and after the step.',
        { module, parameter, expected: n, actual: delta.before.length },
      );
    }
    // Only compute the difference when some lens wants it.
    const planned = this.planParameterTensor('update', module, parameter, shape, options);
    if (planned === undefined) return;
    if (this.scratch.length < n) this.scratch = new Float64Array(Math.max(n, this.scratch.length * 2));
    const diff = this.scratch.subarray(0, n);
    const { before, after } = delta;
    for (let i = 0; i < n; i++) diff[i] = (after[i] as number) - (before[i] as number);
    this.answer(planned.plan, planned.entry, 'update', parameter, diff, shape, planned.phase, before);
  }

  /**
   * Reports a parameter's current value — a snapshot, for lenses that watch parameter values
   * (`ParameterNorm`, `ParameterCond`). Call it for each parameter just before
   * `inspector.tickEpoch()` (or give the constructor a `parameters` function and the adapter
   * takes the snapshot itself when the Inspector asks). A parameter reported several times in an
   * epoch gives several samples.
   *
   * @param module - the module owning the parameter, e.g. `fc1`
   * @param parameter - the parameter name, e.g. `weight`
   * @param data - its elements, row-major (read during the call, not kept)
   * @param shape - its shape
   * @throws MonitorchError `SHAPE_MISMATCH`, `UNKNOWN_MODULE`, `INVALID_ARGUMENT`
   */
  parameter(
    module: string,
    parameter: string,
    data: TensorData,
    shape: readonly number[],
    options: ParameterOptions = {},
  ): void {
    if (this.connection === undefined) return;
    this.reportParameterTensor('parameter', module, parameter, data, shape, options);
  }

  /**
   * Reports the mean loss of one batch. A NaN or infinite loss is reported as it is (the loss
   * lens counts such values apart) and warned about.
   *
   * @throws MonitorchError `INVALID_ARGUMENT` when `value` is not a number or `batchSize` is
   *   not a positive number
   */
  loss(value: number, options: LossOptions = {}): void {
    const connection = this.connection;
    if (connection === undefined) return;
    checkReportedNumber('loop.loss()', 'loss', value);
    const batchSize = checkBatchSize('loop.loss()', options.batchSize);
    const phase = checkPhase('loop.loss()', options.phase) ?? DEFAULT_PHASE;
    connection.emitter.emit('report', { type: 'loss', value, batchSize, phase });
    this.warnings.checkLoss(this.sink, value, phase);
  }

  /** Reports that one optimizer step finished (after its gradients and updates). */
  step(): void {
    const connection = this.connection;
    if (connection === undefined) return;
    this.flush(false);
    connection.emitter.emit('report', { type: 'step' });
  }

  private reportModuleTensor(
    source: 'output' | 'outputGradient',
    module: string,
    data: TensorData,
    shape: readonly number[],
    options: OutputOptions,
  ): void {
    checkTensor(source, module, undefined, data, shape);
    this.noteSeen(source);
    const entry = this.registry.get(module, options.kind, options.type, source);
    const phase = checkPhase(callName(source, module), options.phase) ?? DEFAULT_PHASE;
    const plan = this.planner.moduleTensorPlan(entry, source, phase);
    if (plan.reductions.length === 0) return;
    this.answer(plan, entry, source, undefined, data, shape, phase);
  }

  private reportParameterTensor(
    source: ParameterSource,
    module: string,
    parameter: string,
    data: TensorData,
    shape: readonly number[],
    options: ParameterOptions,
  ): void {
    checkParameterName(source, module, parameter);
    checkTensor(source, module, parameter, data, shape);
    this.noteSeen(source);
    const planned = this.planParameterTensor(source, module, parameter, shape, options);
    if (planned === undefined) return;
    this.answer(planned.plan, planned.entry, source, parameter, data, shape, planned.phase);
  }

  /**
   * The module, phase and plan of a checked parameter tensor (every gradient and update goes
   * through here); undefined when no lens wants it.
   */
  private planParameterTensor(
    source: ParameterSource,
    module: string,
    parameter: string,
    shape: readonly number[],
    options: ParameterOptions,
  ): { entry: ModuleEntry; phase: Phase; plan: ReductionPlan } | undefined {
    const entry = this.registry.get(module, options.kind, options.type, source);
    this.registry.checkParameterShape(entry, parameter, shape, source);
    const phase = checkPhase(callName(source, module, parameter), options.phase) ?? DEFAULT_PHASE;
    const plan = this.planner.parameterPlan(entry, source, parameter, phase);
    return plan.reductions.length === 0 ? undefined : { entry, phase, plan };
  }

  /**
   * Computes the reductions of the plan that watch this report (its `sampling`) and reports
   * them (or holds them, see the class docs). An unwatched report costs only this check.
   */
  private answer(
    plan: ReductionPlan,
    entry: ModuleEntry,
    source: TensorSource,
    parameter: string | undefined,
    data: TensorData,
    shape: readonly number[],
    phase: Phase,
    before?: TensorData,
  ): void {
    const clock = this.connection?.clock;
    const answers = new Map<string, ReductionResult>();
    const key = tensorKey(source, entry.info.name, parameter, phase);
    let keepPrevious = false;
    for (let i = 0; i < plan.reductions.length; i++) {
      const reduction = plan.reductions[i] as Reduction;
      if (plan.gated && clock !== undefined) {
        const watchers = plan.watchers[i] ?? [];
        if (!watchers.some((s) => watchesSource(s, source, clock.step, clock.epoch, phase))) continue;
      }
      const context: { -readonly [K in keyof ReduceContext]: ReduceContext[K] } = {};
      if (reduction.op === 'previousDot') {
        const previous = this.previous.previous(key, shape);
        if (previous !== undefined) context.previous = previous;
        keepPrevious = true;
      } else if (reduction.op === 'updateRatio') {
        if (before === undefined) {
          this.warnNoBefore(entry.info.name, parameter);
          continue;
        }
        context.parameter = before;
      }
      answers.set(plan.keys[i] as string, reduce(data, shape, reduction, context));
    }
    if (answers.size === 0) return;
    if (keepPrevious) this.previous.keep(key, data, shape);
    const ownShape = [...shape];
    this.warnings.checkAnswers(this.sink, answers, entry.info.name, source, parameter, phase, data.length);
    if (plan.hold && parameter !== undefined && source !== 'output' && source !== 'outputGradient') {
      this.planner.hold({ source, entry, parameter, shape: ownShape, phase, answers });
      return;
    }
    this.emit(source, entry.info, parameter, ownShape, phase, answers);
  }

  /** Tells the Inspector (once per epoch) that the loop reports this source. */
  private noteSeen(source: TensorSource): void {
    if (this.seen.has(source)) return;
    this.seen.add(source);
    this.connection?.emitter.emit('seen', source);
  }

  /** An update given as a delta alone cannot answer updateRatio: say so once per run. */
  private warnNoBefore(module: string, parameter: string | undefined): void {
    if (this.warnedNoBefore) return;
    this.warnedNoBefore = true;
    this.sink({
      type: 'warning',
      code: 'SOURCE_NOT_REPORTED',
      message:
        `A lens asks for the update-to-parameter ratio, but loop.update('${module}', '${parameter ?? ''}', delta, shape) ` +
        'gave only the change, not the parameter before the step. Report { before, after } instead: ' +
        "loop.update(module, parameter, { before, after }, shape). The lens's other quantities are still recorded.",
      module,
    });
  }

  /** The Inspector asks for a parameter snapshot: report the parameters the source lists. */
  private snapshot(): void {
    const source = this.parameterSource;
    if (source === undefined) return;
    try {
      for (const p of source()) this.parameter(p.module, p.parameter, p.data, p.shape);
    } catch (e) {
      // Monitoring never stops the loop: a failing snapshot is a warning, the epoch still closes.
      this.sink({
        type: 'warning',
        code: e instanceof MonitorchError ? e.code : 'BACKEND_FAILED',
        message: `The parameter snapshot failed: ${e instanceof Error ? e.message : String(e)}`,
      });
    }
  }

  private emit(
    source: TensorSource,
    module: ModuleInfo,
    parameter: string | undefined,
    shape: readonly number[],
    phase: Phase,
    reductions: ReductionAnswers,
  ): void {
    this.connection?.emitter.emit('report', tensorReport(source, module, parameter, shape, reductions, phase));
  }

  /**
   * Settles pending parameters and reports held answers, keeping only what the lenses want
   * now that every module's parameter list is known.
   */
  private flush(epochEnds: boolean): void {
    if (this.registry.settle() || this.planner.holding) {
      for (const r of this.planner.release()) this.emit(r.source, r.module, r.parameter, r.shape, r.phase, r.answers);
    }
    if (epochEnds) {
      this.warnings.clear();
      this.seen.clear();
    }
  }
}
