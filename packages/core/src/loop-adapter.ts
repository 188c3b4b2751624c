import type { Adapter, AdapterConnection } from './adapter.js';
import { tensorReport, type AdapterReport, type ReductionAnswers } from './events.js';
import { MonitorchError } from './errors.js';
import { reduce } from './kernels/reduce.js';
import type { TensorData } from './kernels/tensor-data.js';
import { ModuleRegistry, type ModuleDeclaration, type ModuleEntry } from './loop/module-registry.js';
import { NonFiniteWarnings } from './loop/non-finite-warnings.js';
import { ReportPlanner, type ReductionPlan } from './loop/report-planner.js';
import { callName, checkParameterName, checkTensor, isTensorData } from './loop/tensor-checks.js';
import type { ModuleInfo, ModuleKind } from './module-info.js';
import { checkBatchSize, checkPhase, checkReportedNumber } from './report-checks.js';
import { DEFAULT_PHASE, type Phase } from './phase.js';
import type { Reduction, ReductionResult, TensorSource } from './reduction.js';

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
  readonly before: TensorData;
  readonly after: TensorData;
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
  private readonly onFlush = (): void => this.flush(true);

  /** @param modules - optional module declarations, as for {@link LoopAdapter.declare} */
  constructor(modules?: readonly ModuleDeclaration[]) {
    if (modules !== undefined) this.registry.declare(modules);
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
    connection.emitter.on('flush', this.onFlush);
  }

  /** Called by `inspector.detach`: reports anything held, then stops reporting. */
  disconnect(): void {
    const connection = this.connection;
    if (connection === undefined) return;
    this.flush(false);
    connection.emitter.off('flush', this.onFlush);
    this.connection = undefined;
    this.planner.reset([]);
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
    this.answer(planned.plan, planned.entry, 'update', parameter, diff, shape, planned.phase);
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
    const entry = this.registry.get(module, options.kind, options.type, source);
    const phase = checkPhase(callName(source, module), options.phase) ?? DEFAULT_PHASE;
    const plan = this.planner.moduleTensorPlan(entry, source, phase);
    if (plan.reductions.length === 0) return;
    this.answer(plan, entry, source, undefined, data, shape, phase);
  }

  private reportParameterTensor(
    source: 'gradient' | 'update',
    module: string,
    parameter: string,
    data: TensorData,
    shape: readonly number[],
    options: ParameterOptions,
  ): void {
    checkParameterName(source, module, parameter);
    checkTensor(source, module, parameter, data, shape);
    const planned = this.planParameterTensor(source, module, parameter, shape, options);
    if (planned === undefined) return;
    this.answer(planned.plan, planned.entry, source, parameter, data, shape, planned.phase);
  }

  /**
   * The module, phase and plan of a checked parameter tensor (every gradient and update goes
   * through here); undefined when no lens wants it.
   */
  private planParameterTensor(
    source: 'gradient' | 'update',
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

  /** Computes the plan's reductions and reports them (or holds them, see the class docs). */
  private answer(
    plan: ReductionPlan,
    entry: ModuleEntry,
    source: TensorSource,
    parameter: string | undefined,
    data: TensorData,
    shape: readonly number[],
    phase: Phase,
  ): void {
    const answers = new Map<string, ReductionResult>();
    for (let i = 0; i < plan.reductions.length; i++) {
      answers.set(plan.keys[i] as string, reduce(data, shape, plan.reductions[i] as Reduction));
    }
    const ownShape = [...shape];
    this.warnings.checkAnswers(this.sink, answers, entry.info.name, source, parameter, phase, data.length);
    if (plan.hold && parameter !== undefined && (source === 'gradient' || source === 'update')) {
      this.planner.hold({ source, entry, parameter, shape: ownShape, phase, answers });
      return;
    }
    this.emit(source, entry.info, parameter, ownShape, phase, answers);
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
    if (epochEnds) this.warnings.clear();
  }
}
