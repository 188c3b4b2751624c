import * as tf from '@tensorflow/tfjs-core';
import {
  MonitorchError,
  reductionKey,
  reductionsFor,
  watches,
  type Adapter,
  type AdapterConnection,
  type AdapterReport,
  type ModuleInfo,
  type ModuleKind,
  type Phase,
  type Reduction,
  type TensorSource,
} from '@monitorch/core';
import { backendAnswer, type ReductionContext, type TensorLayout } from './backend-reductions.js';
import { MethodPatches } from './method-patch.js';
import { modelModules, type ModelModules, type OutputSite, type ParameterSite } from './model-modules.js';
import { PendingReports } from './pending-reports.js';
import { checkRequestsSupported } from './request-support.js';
import type { LayersModelLike, OptimizerLike } from './tfjs-shapes.js';

/** Options of a {@link TfjsAdapter}. */
export interface TfjsAdapterOptions {
  /** Kinds of your own layer classes, by `getClassName()` (unknown classes are `other`). */
  readonly kinds?: Readonly<Record<string, ModuleKind>>;
  /**
   * The optimizer whose `applyGradients` reveals gradients and updates. Default: the model's,
   * once `model.compile` has set it (what `fit()` uses). Custom loops pass theirs here or call
   * {@link TfjsAdapter.watchOptimizer}.
   */
  readonly optimizer?: OptimizerLike;
}

/** What {@link TfjsAdapter.step} reports besides the step's tensors. */
export interface StepReport {
  /** The batch's mean loss: a number or a scalar tensor (read asynchronously, not disposed). */
  readonly loss?: number | tf.Tensor;
  /** Samples in the batch. */
  readonly batchSize?: number;
  /** Per-batch metrics of the train phase, by name (as in fit's batch logs, e.g. `acc`). */
  readonly metrics?: Readonly<Record<string, number>>;
}

/** A layer output seen while a gradient tape was recording, reduced once the tape is done. */
interface DeferredOutput {
  readonly site: OutputSite;
  readonly tensor: tf.Tensor;
  readonly phase: Phase;
  readonly reductions: readonly Reduction[];
}

/**
 * Watches a TensorFlow.js `LayersModel` train, with no change to the model: while an Inspector
 * is attached, each layer's `call` and the optimizer's `applyGradients` are intercepted on the
 * instances (restored on detach), so the adapter sees layer outputs, parameter gradients and
 * updates inside `fit()`, `optimizer.minimize()` or any custom loop. Reductions run on the
 * model's tfjs backend inside `tf.tidy`; only the small answers are downloaded, once per step,
 * asynchronously ({@link TfjsAdapter.step}).
 *
 * `fit()` users need none of this class's methods: pass `watch(model, inspector)` as a callback.
 * Custom loops call `await adapter.step({ loss })` after each optimizer step and, after each
 * epoch, `await adapter.prepareSnapshot()` then `await inspector.tickEpoch()`.
 *
 * **Phases.** A layer output computed under a gradient tape (inside `minimize` or
 * `variableGrads`) or with `training: true` is `train`; any other (fit's validation,
 * `predict`, `evaluate`) is `val`.
 *
 * **Never stops training.** A failure inside an interception is reported as a `BACKEND_FAILED`
 * warning on `inspector.errors$` and the layer's output is returned unchanged.
 *
 * @example
 * ```ts
 * const adapter = new TfjsAdapter(model, { optimizer });
 * inspector.attach(adapter);
 * for (const [x, y] of batches) {
 *   const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor), true);
 *   await adapter.step({ loss: loss ?? undefined, batchSize: x.shape[0] });
 *   loss?.dispose();
 * }
 * await adapter.prepareSnapshot();
 * await inspector.tickEpoch();
 * ```
 */
export class TfjsAdapter implements Adapter {
  /** The model's modules, in forward order (see the README for the naming rules). */
  readonly modules: readonly ModuleInfo[];
  private readonly model: LayersModelLike;
  private readonly map: ModelModules;
  private readonly byVariable: ReadonlyMap<string, ParameterSite>;
  private optimizer: OptimizerLike | undefined;
  private connection: AdapterConnection | undefined;
  private readonly patches = new MethodPatches();
  private optimizerPatched: OptimizerLike | undefined;
  private readonly pending = new PendingReports();
  private deferred: DeferredOutput[] = [];
  private readonly previous = new Map<string, tf.Tensor>();
  /** Parameter answers read ahead by {@link prepareSnapshot}, and the clock they were read at. */
  private prepared: { readonly reports: AdapterReport[]; readonly epoch: number; readonly step: number } | undefined;
  private readonly warned = new Set<string>();
  private readonly onFlush = (): void => this.flushSync();
  private readonly onSnapshot = (): void => this.snapshot();

  /**
   * @param model - a tfjs `LayersModel` (`tf.sequential()`, `tf.model()`), built
   * @throws MonitorchError `INVALID_ARGUMENT` when `model` is not a tfjs LayersModel or not built
   */
  constructor(model: unknown, options: TfjsAdapterOptions = {}) {
    this.map = modelModules(model, options.kinds === undefined ? {} : { kinds: options.kinds });
    this.model = model as LayersModelLike;
    this.modules = this.map.modules;
    this.byVariable = new Map(this.map.parameters.map((p) => [p.variable.read().name, p]));
    this.optimizer = options.optimizer;
  }

  /** Whether an Inspector is attached. */
  get attached(): boolean {
    return this.connection !== undefined;
  }

  /**
   * Called by `inspector.attach`: checks that every request can be answered, then intercepts
   * the layers (and the optimizer, when known).
   *
   * @throws MonitorchError `UNSUPPORTED` when a lens needs what tfjs cannot give (see the README)
   */
  connect(connection: AdapterConnection): void {
    this.disconnect();
    checkRequestsSupported(connection.requests, this.map);
    this.connection = connection;
    connection.emitter.on('flush', this.onFlush);
    connection.emitter.on('snapshot', this.onSnapshot);
    const wantsOutputs = connection.requests.some((r) => r.select.of === 'output');
    for (const site of wantsOutputs ? this.map.outputs : []) {
      this.patches.patch(site.layer, 'call', (original) => (inputs, kwargs) => {
        const out = original(inputs, kwargs);
        this.guard(`output of ${site.module.name}`, () => this.onOutput(site, out, kwargs));
        return out;
      });
    }
    this.watchOptimizer(this.optimizer ?? this.modelOptimizer());
  }

  /** Called by `inspector.detach`: reports what is held, restores every intercepted method. */
  disconnect(): void {
    const connection = this.connection;
    if (connection === undefined) return;
    this.guard('the last step', () => this.flushSync());
    connection.emitter.off('flush', this.onFlush);
    connection.emitter.off('snapshot', this.onSnapshot);
    this.patches.restore();
    this.optimizerPatched = undefined;
    this.pending.dispose();
    for (const d of this.deferred) d.tensor.dispose();
    this.deferred = [];
    for (const t of this.previous.values()) t.dispose();
    this.previous.clear();
    this.prepared = undefined;
    this.warned.clear();
    this.connection = undefined;
  }

  /**
   * Watches `optimizer`'s `applyGradients` for gradients and updates (fit's callback calls
   * this with the compiled model's optimizer at the start of training). No-op when detached.
   */
  watchOptimizer(optimizer: OptimizerLike | undefined): void {
    this.optimizer = optimizer ?? this.optimizer;
    const opt = this.optimizer;
    if (this.connection === undefined || opt === undefined || this.optimizerPatched === opt) return;
    if (typeof opt.applyGradients !== 'function') {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        'The optimizer given to the tfjs adapter has no applyGradients(); pass a tf.train optimizer (tf.train.sgd(0.1), …).',
        {},
      );
    }
    const needed = this.connection.requests.some((r) => r.select.of === 'gradient' || r.select.of === 'update');
    if (!needed) return;
    this.optimizerPatched = opt;
    this.patches.patch(opt, 'applyGradients', (original) => (grads) => {
      const updates = this.guard('gradients', () => this.beforeStep(grads)) ?? [];
      original(grads);
      this.guard('updates', () => this.afterStep(updates));
    });
  }

  /**
   * Reports parameter gradients by variable name (`tf.variableGrads(f).grads`), for loops that
   * update the weights without an optimizer. Gradients an intercepted optimizer applies are
   * seen already: do not report them twice.
   */
  gradients(grads: Readonly<Record<string, tf.Tensor>>): void {
    if (this.connection === undefined) return;
    this.guard('gradients', () => this.beforeStep(grads, false));
  }

  /**
   * Downloads the answers computed since the last download (one asynchronous read) and reports
   * them. `step()` does this; call it yourself after a validation pass of a custom loop.
   */
  async settle(): Promise<void> {
    if (this.connection === undefined) return;
    this.settleDeferred();
    let reports: AdapterReport[] = [];
    try {
      reports = await this.pending.download();
    } catch (e) {
      this.warn('download', `downloading the step's answers failed: ${String(e)}`);
    }
    for (const r of reports) this.emit(r);
  }

  /**
   * Reads, asynchronously, the parameter values the lenses watch at this epoch's end, so that
   * the Inspector's snapshot signal (sent by `tickEpoch()` when a lens such as ParameterNorm
   * watches parameter values) is answered from them instead of a synchronous read: on tfjs's
   * WebGPU backend a synchronous read stalls the GPU, and on a software adapter it loses the
   * device. `watch()` calls it before every `tickEpoch()`; custom loops call it after their
   * last step of the epoch (and `settle()`), before `tickEpoch()`. The values are used only if
   * no step comes in between; otherwise the signal reads synchronously, as without it.
   */
  async prepareSnapshot(): Promise<void> {
    const connection = this.connection;
    if (connection === undefined) return;
    const { epoch, step } = connection.clock;
    try {
      const snapshot = this.snapshotAnswers();
      if (snapshot === undefined) return;
      const reports = await snapshot.download();
      if (this.connection === connection) this.prepared = { reports, epoch, step };
    } catch (e) {
      this.warn('snapshot', `reading the parameter snapshot failed: ${String(e)}`);
    }
  }

  /**
   * Ends a training step: reports its tensors' answers (one asynchronous download), the loss,
   * the metrics and the step. Call it after each optimizer step of a custom loop.
   */
  async step(report: StepReport = {}): Promise<void> {
    if (this.connection === undefined) return;
    await this.settle();
    if (report.loss !== undefined) {
      const value = typeof report.loss === 'number' ? report.loss : ((await report.loss.data())[0] ?? Number.NaN);
      this.loss(value, report.batchSize === undefined ? {} : { batchSize: report.batchSize });
    }
    for (const [name, value] of Object.entries(report.metrics ?? {})) this.metric(name, value);
    this.emit({ type: 'step' });
  }

  /** Reports a loss value (default phase `train`). */
  loss(value: number, options: { readonly phase?: Phase; readonly batchSize?: number } = {}): void {
    if (typeof value !== 'number') return;
    this.emit({
      type: 'loss',
      value,
      batchSize: options.batchSize ?? 1,
      ...(options.phase ? { phase: options.phase } : {}),
    });
  }

  /** Reports a metric value; a name starting with `val_` is of phase `val`, else `train`. */
  metric(name: string, value: number, options: { readonly phase?: Phase } = {}): void {
    if (typeof value !== 'number' || name === '') return;
    const phase = options.phase ?? (name.startsWith('val_') ? 'val' : 'train');
    this.emit({ type: 'metric', name, value, phase });
  }

  private modelOptimizer(): OptimizerLike | undefined {
    const opt = this.model.optimizer;
    return typeof opt === 'object' && opt !== null ? opt : undefined;
  }

  private onOutput(site: OutputSite, out: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown> | undefined): void {
    // A layer may hand back its input in a list of one (tfjs's Dropout at rate 0 does).
    const single = Array.isArray(out) && out.length === 1 ? out[0] : out;
    if (Array.isArray(single) || single === undefined) {
      const message = `layer ${site.module.name} returns several tensors; its outputs are not watched.`;
      this.warn(`multi:${site.module.name}`, message);
      return;
    }
    const taped = tf.engine().isTapeOn();
    const phase: Phase = taped || kwargs?.['training'] === true ? 'train' : 'val';
    const reductions = this.plan('output', site.module, undefined, phase);
    if (reductions.length === 0) return;
    if (taped) {
      // Reducing now would record every reduction op on the gradient tape; hold a reference
      // (a clone shares the data) and reduce when the tape is done.
      this.deferred.push({ site, tensor: tf.keep(single.clone()), phase, reductions });
      return;
    }
    const layout = outputLayout(single.shape, site.channelsFirst);
    this.hold('output', site.module, undefined, single, layout, phase, reductions);
  }

  private settleDeferred(): void {
    const deferred = this.deferred;
    this.deferred = [];
    for (const d of deferred) {
      try {
        const layout = outputLayout(d.tensor.shape, d.site.channelsFirst);
        this.hold('output', d.site.module, undefined, d.tensor, layout, d.phase, d.reductions);
      } finally {
        d.tensor.dispose();
      }
    }
  }

  /** Reduces gradients; returns the parameters whose update is watched, with their value before the step. */
  private beforeStep(
    grads: Record<string, tf.Tensor> | readonly { name: string; tensor: tf.Tensor }[],
    withUpdates = true,
  ): { site: ParameterSite; before: tf.Tensor; reductions: readonly Reduction[] }[] {
    this.settleDeferred();
    const list = Array.isArray(grads)
      ? (grads as readonly { name: string; tensor: tf.Tensor }[])
      : Object.entries(grads as Record<string, tf.Tensor>).map(([name, tensor]) => ({ name, tensor }));
    const updates: { site: ParameterSite; before: tf.Tensor; reductions: readonly Reduction[] }[] = [];
    for (const { name, tensor } of list) {
      const site = this.byVariable.get(name);
      if (site === undefined || tensor === null || tensor === undefined) continue;
      const layout: TensorLayout = { shape: site.shape, perm: site.perm };
      const g = this.plan('gradient', site.module, site.parameter, 'train');
      if (g.length > 0) this.hold('gradient', site.module, site.parameter, tensor, layout, 'train', g);
      if (!withUpdates) continue;
      const u = this.plan('update', site.module, site.parameter, 'train');
      if (u.length > 0) updates.push({ site, before: tf.keep(site.variable.read().clone()), reductions: u });
    }
    return updates;
  }

  private afterStep(
    updates: readonly { site: ParameterSite; before: tf.Tensor; reductions: readonly Reduction[] }[],
  ): void {
    for (const { site, before, reductions } of updates) {
      const delta = tf.tidy(() => tf.sub(site.variable.read(), before));
      try {
        const layout: TensorLayout = { shape: site.shape, perm: site.perm };
        this.hold('update', site.module, site.parameter, delta, layout, 'train', reductions, before);
      } finally {
        delta.dispose();
        before.dispose();
      }
    }
  }

  /**
   * Answers the Inspector's snapshot signal: from the values {@link prepareSnapshot} read when
   * no step came since, else parameter values read synchronously (once per epoch).
   */
  private snapshot(): void {
    const connection = this.connection;
    if (connection === undefined) return;
    const prepared = this.prepared;
    this.prepared = undefined;
    const { epoch, step } = connection.clock;
    if (prepared !== undefined && prepared.epoch === epoch && prepared.step === step) {
      for (const r of prepared.reports) this.emit(r);
      return;
    }
    this.guard('parameter snapshot', () => {
      for (const r of this.snapshotAnswers()?.downloadSync() ?? []) this.emit(r);
    });
  }

  /** The answers of every watched parameter value, held for one download; none watched: undefined. */
  private snapshotAnswers(): PendingReports | undefined {
    const snapshot = new PendingReports();
    let any = false;
    for (const site of this.map.parameters) {
      const reductions = this.plan('parameter', site.module, site.parameter, 'train');
      if (reductions.length === 0) continue;
      const layout: TensorLayout = { shape: site.shape, perm: site.perm };
      this.answerInto(
        snapshot,
        'parameter',
        site.module,
        site.parameter,
        site.variable.read(),
        layout,
        'train',
        reductions,
      );
      any = true;
    }
    return any ? snapshot : undefined;
  }

  /** The reductions lenses want of this tensor now (their sampling watches this step). */
  private plan(source: TensorSource, module: ModuleInfo, parameter: string | undefined, phase: Phase): Reduction[] {
    const c = this.connection;
    if (c === undefined) return [];
    const { step, epoch } = c.clock;
    const now = source === 'parameter' ? 0 : step;
    const watching = c.requests.filter((r) => watches(r.sampling, now, epoch, phase));
    return reductionsFor(watching, source, module, parameter, phase);
  }

  private hold(
    source: TensorSource,
    module: ModuleInfo,
    parameter: string | undefined,
    x: tf.Tensor,
    layout: TensorLayout,
    phase: Phase,
    reductions: readonly Reduction[],
    before?: tf.Tensor,
  ): void {
    this.answerInto(this.pending, source, module, parameter, x, layout, phase, reductions, before);
  }

  private answerInto(
    target: PendingReports,
    source: TensorSource,
    module: ModuleInfo,
    parameter: string | undefined,
    x: tf.Tensor,
    layout: TensorLayout,
    phase: Phase,
    reductions: readonly Reduction[],
    before?: tf.Tensor,
  ): void {
    const key = `${source}|${module.name}|${parameter ?? ''}|${phase}`;
    const wantsPrevious = reductions.some((r) => r.op === 'previousDot');
    const previous = wantsPrevious ? this.previous.get(key) : undefined;
    const context: ReductionContext = {
      ...(before === undefined ? {} : { before }),
      ...(previous === undefined ? {} : { previous }),
    };
    const answers = reductions.map((r) => backendAnswer(x, layout, r, context));
    if (wantsPrevious) {
      this.previous.get(key)?.dispose();
      this.previous.set(key, tf.keep(x.clone()));
    }
    target.add({ source, module, parameter, shape: layout.shape, phase, keys: reductions.map(reductionKey), answers });
  }

  /** The Inspector closes an epoch or detaches: report what is held, synchronously. */
  private flushSync(): void {
    if (this.connection === undefined) return;
    this.settleDeferred();
    if (this.pending.size === 0) return;
    for (const r of this.pending.downloadSync()) this.emit(r);
  }

  private emit(report: AdapterReport): void {
    this.connection?.emitter.emit('report', report);
  }

  /** Runs `fn`; a throw becomes a warning (once per place) and training goes on. */
  private guard<T>(where: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      this.warn(where, `the tfjs adapter failed on ${where} and skipped it (training goes on): ${String(e)}`);
      return undefined;
    }
  }

  private warn(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.emit({ type: 'warning', code: 'BACKEND_FAILED', message });
  }
}

/**
 * An output's reported layout: tfjs tensors are channels-last (`[N, H, W, C]`); outputs of
 * rank ≥ 3 are reported channels-first (`[N, C, H, W]`, as PyTorch and the ONNX backend), so a
 * request's channel (dim 1) is tfjs's last axis. Layers set to `channelsFirst` are reported as they are.
 */
export function outputLayout(shape: readonly number[], channelsFirst: boolean): TensorLayout {
  const rank = shape.length;
  const perm =
    rank < 3 || channelsFirst
      ? shape.map((_, i) => i)
      : [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
  return { shape: perm.map((a) => shape[a] as number), perm };
}
