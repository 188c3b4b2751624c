import { Subject, Subscription, type Observable } from 'rxjs';
import type { Table } from 'apache-arrow';
import type { Adapter } from './adapter.js';
import { rowsToRecordBatch } from './arrow/schema.js';
import { RunWriter } from './arrow/run-writer.js';
import { describeRun, type RunDescriptionOptions } from './arrow/run-description.js';
import { Bus } from './bus.js';
import { MonitorchError, isMonitorchErrorCode } from './errors.js';
import type { Lens, LensClass, LensHost } from './lens.js';
import type { Phase } from './phase.js';
import type { AdapterReport, TensorEvent } from './events.js';
import type { ReductionRequest, Sampling, TensorSource } from './reduction.js';
import { LensRoutes, TENSOR_FOLDS, withSampling } from './routing/lens-routes.js';
import { MissingSources, SOURCE_CALLS, type MissingSource } from './routing/missing-sources.js';
import { epochSnapshotDue, wantsParameters } from './routing/parameter-snapshots.js';
import { samplingProblem } from './request-check.js';
import { checkBatchSize, checkMetricName, checkPhase, checkReportedNumber } from './report-checks.js';
import { requestProblem } from './request-check.js';
import { LensTable } from './tables/lens-table.js';
import type { TableRow } from './tables/table-spec.js';

/** Options of an {@link Inspector}. */
export interface InspectorOptions {
  /** The lenses to run. Each lens's `id` must be unique. */
  readonly lenses: readonly Lens[];
  /**
   * Where run files go. The first run writes to `runDir`; each later `attach` starts a new run
   * in `runDir-2`, `runDir-3`, … unless `attach` is given its own directory. Omit to keep
   * tables in memory only. A directory another live writer has open is refused
   * (`RUN_DIR_LOCKED`), and so is one holding an earlier run (`RUN_DIR_EXISTS`) unless
   * `overwrite` is set.
   */
  readonly runDir?: string;
  /**
   * Replace an earlier run found in a run directory (default false: `attach` fails with
   * `RUN_DIR_EXISTS`, so re-running a script never replaces a run without asking). Scripts
   * that rewrite the same directory on purpose (demos, `npm start`) set it.
   */
  readonly overwrite?: boolean;
  /**
   * Where warnings are logged (default `console`). Each kind of problem is logged once per run
   * (per lens and method, or per module); every occurrence still reaches `errors$`. Pass `null`
   * to stay silent.
   */
  readonly logger?: Pick<Console, 'warn'> | null;
  /**
   * How much of each table to keep in memory. Default: every row. With `maxRows`, only the
   * newest rows per table stay in memory (for `table()` and live pages) while the run files
   * keep everything — this keeps memory flat over very long runs.
   */
  readonly keepInMemory?: { readonly maxRows: number };
  /**
   * `fsync` the run files every epoch (default true): finished epochs survive a power cut.
   * `false` still hands every epoch to the OS before `tickEpoch` resolves (a killed process
   * keeps it) and is faster on slow disks.
   */
  readonly durable?: boolean;
  /**
   * Which steps and epochs the lenses watch, for every request that sets no `sampling` of its
   * own (default: all). Unwatched steps cost nothing: adapters skip their statistics.
   */
  readonly sampling?: Sampling;
  /**
   * The run's name in comparisons and run lists, stored in run.json (default: the run
   * directory's name). Each run of this Inspector gets it.
   */
  readonly label?: string;
  /**
   * What produced the run — hyper-parameters, data, seed — as plain JSON data, stored in
   * run.json so run lists show it and `readRunsInfo` gives it columns to join on.
   */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Versions to record in run.json besides `@monitorch/core` and `node`. */
  readonly versions?: Readonly<Record<string, string>>;
}

/** Options of {@link Inspector.attach}. */
export interface AttachOptions {
  /** Run directory for this run, overriding the numbering from `InspectorOptions.runDir`. */
  readonly runDir?: string;
  /**
   * This run's label, overriding `InspectorOptions.label`: one Inspector re-attached for
   * several runs (a with/without-dropout study) names each run apart.
   */
  readonly label?: string;
  /** This run's config, replacing `InspectorOptions.config` for this run. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** What the Inspector tells listeners after every tick. */
export interface EpochClosed {
  /** The epoch just closed. */
  readonly epoch: number;
  /** The run number (1 for the first attach). */
  readonly run: number;
  /** Rows each lens produced for this epoch, by table name. */
  readonly rows: ReadonlyMap<string, readonly TableRow[]>;
}

/**
 * Which Inspector each adapter reports to. An adapter has one connection; attaching it to a
 * second Inspector would move it silently, so `attach` refuses while another holds it.
 */
const attachedTo = new WeakMap<Adapter, Inspector>();

/** Fold methods that every lens having them receives (tensor folds are routed by request). */
type EventFoldMethod = 'foldStep' | 'foldLoss' | 'foldMetric';

/**
 * The user's entry point: runs lenses over the events of one attached adapter and keeps their
 * tables (in memory, and on disk when `runDir` is set).
 *
 * @example
 * ```ts
 * const inspector = new Inspector({ lenses: [new LossMetrics()], runDir: 'runs/mlp' });
 * const loop = new LoopAdapter();
 * inspector.attach(loop);
 * // … train, reporting through `loop` …
 * await inspector.tickEpoch();
 * await inspector.close();
 * ```
 */
export class Inspector {
  /** The lenses, in the order given. */
  readonly lenses: readonly Lens[];
  private readonly options: InspectorOptions;
  private readonly logger: Pick<Console, 'warn'> | null;
  private readonly errorSubject = new Subject<MonitorchError>();
  private readonly epochSubject = new Subject<EpochClosed>();
  private bus = new Bus();
  private adapter: Adapter | undefined;
  private subscriptions: Subscription[] = [];
  private tables = new Map<string, LensTable>();
  private writer: RunWriter | undefined;
  private runNumber = 0;
  private currentRunDir: string | undefined;
  private closed = false;
  private readonly warnedOnce = new Set<string>();
  private missingSources = new MissingSources([], undefined);
  private snapshotAsked = false;
  /** What lenses may ask of this Inspector (see {@link Lens.bind}). */
  private readonly host: LensHost = { snapshotParameters: () => this.snapshotParameters() };
  /** The lenses of the current run: those whose requests were valid at attach. */
  private activeLenses: readonly Lens[];

  /** Errors from lenses and bad input that did not stop the loop. */
  readonly errors$: Observable<MonitorchError> = this.errorSubject.asObservable();
  /** One notification per closed epoch (for live pages and progress output). */
  readonly epochs$: Observable<EpochClosed> = this.epochSubject.asObservable();

  /** @param options - lenses, run directory, logger */
  constructor(options: InspectorOptions) {
    const ids = new Set<string>();
    for (const lens of options.lenses) {
      if (ids.has(lens.id)) {
        throw new MonitorchError(
          'INVALID_ARGUMENT',
          `Two lenses share the id "${lens.id}". Each lens writes its own table; give one of them another id.`,
          { id: lens.id },
        );
      }
      ids.add(lens.id);
      if ('foldForward' in lens && !('foldOutput' in lens)) {
        throw new MonitorchError(
          'INVALID_ARGUMENT',
          `Lens "${lens.id}" has foldForward(), which was renamed foldOutput() (events and requests now both say "output"). Rename the method.`,
          { id: lens.id },
        );
      }
    }
    const samplingWrong = samplingProblem(options.sampling);
    if (samplingWrong !== undefined) {
      throw new MonitorchError('INVALID_ARGUMENT', `Inspector: ${samplingWrong}.`, { sampling: options.sampling });
    }
    describeRun(options, options.runDir ?? 'run'); // a bad label or config fails here, before any training
    this.options = options;
    this.lenses = [...options.lenses];
    this.activeLenses = this.lenses;
    this.logger = options.logger === undefined ? console : options.logger;
    this.resetTables();
  }

  /** The event bus of the current run (observables per event kind). */
  get events(): Bus {
    return this.bus;
  }

  /** The union of the reduction requests of the lenses running in this run. */
  get requests(): readonly ReductionRequest[] {
    return this.activeLenses.flatMap((l) => l.requests.map((r) => withSampling(r, this.options.sampling)));
  }

  /** The epoch the next tick closes (1-based). */
  get epoch(): number {
    return this.bus.epoch;
  }

  /** The run number: 1 after the first attach, 2 after the second, … (0 before any). */
  get run(): number {
    return this.runNumber;
  }

  /** The current run's directory, if files are written. */
  get runDir(): string | undefined {
    return this.currentRunDir;
  }

  /** Whether an adapter is attached. */
  get attached(): boolean {
    return this.adapter !== undefined;
  }

  /**
   * Attaches to an adapter and starts a new run: fresh tables, epoch 1, its own run
   * directory. Attaching while attached detaches first (the previous run's files are finished).
   *
   * @throws MonitorchError `RUN_DIR_UNWRITABLE` when the run directory cannot be created,
   *   `RUN_DIR_LOCKED` when another writer has it open, `RUN_DIR_EXISTS` when it holds an
   *   earlier run (see `overwrite`), `ADAPTER_IN_USE` when another Inspector is attached to `adapter`.
   */
  attach(adapter: Adapter, options: AttachOptions = {}): this {
    this.assertOpen();
    const holder = attachedTo.get(adapter);
    if (holder !== undefined && holder !== this) {
      throw new MonitorchError(
        'ADAPTER_IN_USE',
        'This adapter is attached to another Inspector, which would silently stop receiving its reports. ' +
          'Call detach() (or close()) on the other Inspector first, or give each Inspector its own adapter.',
        { runDir: holder.runDir },
      );
    }
    // A bad label or config fails here, before anything changes.
    const label = options.label ?? this.options.label;
    const config = options.config ?? this.options.config;
    const description: RunDescriptionOptions = {
      ...(label === undefined ? {} : { label }),
      ...(config === undefined ? {} : { config }),
      ...(this.options.versions === undefined ? {} : { versions: this.options.versions }),
    };
    if (options.label !== undefined || options.config !== undefined) describeRun(description, 'run');
    if (this.adapter !== undefined) this.detach();
    const run = this.runNumber + 1;
    const dir = options.runDir ?? this.numberedRunDir(run);
    // Open the files first: when the directory is unwritable nothing else changes.
    const writer =
      dir === undefined
        ? undefined
        : RunWriter.open(
            dir,
            this.lenses.map((l) => l.table),
            {
              durable: this.options.durable ?? true,
              overwrite: this.options.overwrite ?? false,
              describe: describeRun(description, dir),
            },
          );
    this.runNumber = run;
    this.writer = writer;
    this.currentRunDir = dir;
    this.bus = new Bus();
    this.warnedOnce.clear();
    this.resetTables();
    this.activeLenses = this.lenses.filter((lens) => this.requestsValid(lens));
    for (const lens of this.activeLenses) this.guard(lens, 'reset', () => lens.reset());
    for (const lens of this.activeLenses) this.guard(lens, 'bind', () => lens.bind?.(this.host));
    this.subscribe();
    this.adapter = adapter;
    attachedTo.set(adapter, this);
    try {
      adapter.connect({ emitter: this.bus.emitter, requests: this.requests, clock: this.bus });
    } catch (e) {
      this.adapter = undefined;
      attachedTo.delete(adapter);
      this.unsubscribe();
      this.finishWriter();
      throw e;
    }
    return this;
  }

  /**
   * Detaches from the adapter and finishes the run's files. An epoch that received reports
   * but was not ticked yet is closed first, so its numbers are not lost.
   */
  detach(): this {
    const adapter = this.adapter;
    if (adapter === undefined) return this;
    if (this.bus.reportsInEpoch > 0) this.askEpochSnapshot();
    try {
      adapter.disconnect(); // reports anything the adapter held back
    } catch (e) {
      this.report(
        new MonitorchError('BACKEND_FAILED', `The adapter failed to disconnect: ${String(e)}`, {}, { cause: e }),
      );
    }
    if (this.bus.reportsInEpoch > 0) this.closeEpoch();
    this.adapter = undefined;
    attachedTo.delete(adapter);
    this.unsubscribe();
    this.finishWriter();
    return this;
  }

  /**
   * Closes the current epoch: every lens turns its epoch state into rows, the rows are added
   * to the tables and appended to the run files (flushed before this resolves).
   * A tick with no reported data in the epoch is recorded as a warning, not an error.
   */
  async tickEpoch(): Promise<EpochClosed> {
    this.assertOpen();
    this.assertAttached('tickEpoch()');
    this.askEpochSnapshot();
    this.bus.flush();
    return this.closeEpoch();
  }

  /**
   * Records a metric value (e.g. validation accuracy) for the current epoch.
   *
   * Without an explicit `phase`, a name that starts with `train_`, `val_` or `test_` belongs to
   * that phase (`val_accuracy` is a validation metric); any other name to `train`.
   *
   * @throws MonitorchError `UNKNOWN_METRIC` when no lens records `name`.
   */
  pushMetric(name: string, value: number, options: { phase?: Phase } = {}): void {
    this.assertOpen();
    const call = `inspector.pushMetric(${typeof name === 'string' ? `'${name}'` : ''})`;
    this.assertAttached(call);
    checkMetricName(call, name);
    checkReportedNumber(call, 'metric value', value);
    const phase = checkPhase(call, options.phase) ?? metricPhase(name);
    if (!this.activeLenses.some((l) => this.guard(l, 'acceptsMetric', () => l.acceptsMetric?.(name)) === true)) {
      throw new MonitorchError(
        'UNKNOWN_METRIC',
        `No lens records the metric "${name}". Add it to a lens, e.g. new LossMetrics({ metrics: ['${name}'] }).`,
        { name },
      );
    }
    this.bus.publish({ type: 'metric', name, value, phase });
  }

  /**
   * Records one batch loss (mean over the batch) in the given phase (default `train`). A NaN
   * or infinite loss is recorded and counted apart by the loss lens.
   *
   * @throws MonitorchError `INVALID_ARGUMENT` when `value` is not a number, `batchSize` not a
   *   positive number or `phase` not a non-empty string (nothing is recorded then)
   */
  pushLoss(value: number, options: { phase?: Phase; batchSize?: number } = {}): void {
    this.assertOpen();
    this.assertAttached('inspector.pushLoss()');
    checkReportedNumber('inspector.pushLoss()', 'loss', value);
    const batchSize = checkBatchSize('inspector.pushLoss()', options.batchSize);
    const phase = checkPhase('inspector.pushLoss()', options.phase);
    this.bus.publish({ type: 'loss', value, batchSize, ...(phase === undefined ? {} : { phase }) });
  }

  /**
   * Asks the attached adapter for a snapshot of the watched parameters now (an extra sample
   * for `ParameterNorm`/`ParameterCond` besides the one taken as each epoch closes, like
   * monitorch's `collect_data()`). Does nothing when no lens watches parameter values; a
   * typed `NOT_ATTACHED` warning on `errors$` (not a throw) when no adapter is attached.
   */
  snapshotParameters(): void {
    if (this.closed || this.adapter === undefined) {
      this.report(
        new MonitorchError(
          'NOT_ATTACHED',
          'snapshotParameters() needs an attached adapter: call inspector.attach(adapter) first. No snapshot was taken.',
        ),
      );
      return;
    }
    if (!wantsParameters(this.requests)) return;
    this.emitSnapshot('request');
  }

  /** The current run's table of a lens (by lens instance or table name), as an Arrow table. */
  table(lens: Lens | string): Table {
    const name = typeof lens === 'string' ? lens : lens.table.name;
    const t = this.tables.get(name);
    if (t === undefined) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `No table named "${name}". Known tables: ${[...this.tables.keys()].join(', ')}.`,
        { name },
      );
    }
    return t.toTable();
  }

  /** All of the current run's tables, by name. */
  allTables(): Map<string, Table> {
    return new Map([...this.tables].map(([k, v]) => [k, v.toTable()]));
  }

  /** The first lens of the given class (typed), e.g. `inspector.lens(LossMetrics)`. */
  lens<L extends Lens>(cls: LensClass<L>): L {
    const found = this.lenses.find((l) => l instanceof cls);
    if (found === undefined) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `This inspector has no lens of class ${cls.name}. Pass one in the lenses option.`,
        { class: cls.name },
      );
    }
    return found as L;
  }

  /** Detaches, finishes all files and completes the streams. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.detach();
    this.finishWriter();
    this.closed = true;
    this.bus.complete();
    this.errorSubject.complete();
    this.epochSubject.complete();
  }

  /** Closes the bus's current epoch: lens rows into the tables and files (synchronous). */
  private closeEpoch(): EpochClosed {
    const epoch = this.bus.epoch;
    if (this.bus.reportsInEpoch === 0) {
      this.report(
        new MonitorchError(
          'TICK_WITHOUT_DATA',
          `Epoch ${epoch} was closed but nothing was reported in it. Check that the adapter is attached and that your loop reports outputs, gradients or losses before tickEpoch().`,
          { epoch },
        ),
      );
    }
    const produced = new Map<string, readonly TableRow[]>();
    for (const lens of this.activeLenses) {
      const rows = this.guard(lens, 'tick', () => lens.tick(epoch));
      if (rows === undefined || rows.length === 0) continue;
      produced.set(lens.table.name, rows);
      let batch;
      try {
        batch = rowsToRecordBatch(lens.table, rows);
        this.tables.get(lens.table.name)?.append(batch);
      } catch (e) {
        this.report(asLensError(lens, 'tick', e));
        continue;
      }
      try {
        this.writer?.append(lens.table.name, batch);
      } catch (e) {
        this.report(
          e instanceof MonitorchError
            ? e
            : new MonitorchError(
                'RUN_DIR_UNWRITABLE',
                `Writing epoch ${epoch} of "${lens.table.name}" failed: ${String(e)}`,
                {},
                { cause: e },
              ),
        );
      }
    }
    for (const m of this.missingSources.close(epoch, this.snapshotAsked)) this.report(missingSourceError(m, epoch));
    this.snapshotAsked = false;
    this.bus.tick();
    const closed: EpochClosed = { epoch, run: this.runNumber, rows: produced };
    this.epochSubject.next(closed);
    return closed;
  }

  /** Asks for the epoch-end parameter snapshot when a request watches this epoch's parameters. */
  private askEpochSnapshot(): void {
    if (!epochSnapshotDue(this.requests, this.bus.epoch)) return;
    this.snapshotAsked = true;
    this.emitSnapshot('epoch');
  }

  private emitSnapshot(reason: 'epoch' | 'request'): void {
    try {
      this.bus.emitter.emit('snapshot', reason);
    } catch (e) {
      this.report(
        new MonitorchError(
          'BACKEND_FAILED',
          `The adapter failed to take a parameter snapshot: ${String(e)}`,
          {},
          { cause: e },
        ),
      );
    }
  }

  private numberedRunDir(run: number): string | undefined {
    const base = this.options.runDir;
    if (base === undefined) return undefined;
    return run === 1 ? base : `${base}-${run}`;
  }

  private resetTables(): void {
    const maxRows = this.options.keepInMemory?.maxRows;
    this.tables = new Map(
      this.lenses.map((l) => [l.table.name, new LensTable(l.table, maxRows === undefined ? {} : { maxRows })]),
    );
  }

  private unsubscribe(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions = [];
  }

  private finishWriter(): void {
    if (this.writer === undefined) return;
    const writer = this.writer;
    this.writer = undefined;
    try {
      writer.close();
    } catch (e) {
      this.report(
        e instanceof MonitorchError
          ? e
          : new MonitorchError('RUN_DIR_UNWRITABLE', `Finishing the run files failed: ${String(e)}`, {}, { cause: e }),
      );
    }
  }

  private subscribe(): void {
    const bus = this.bus;
    const routes = new LensRoutes(this.activeLenses, this.options.sampling);
    const missing = (this.missingSources = new MissingSources(this.activeLenses, this.options.sampling));
    this.snapshotAsked = false;
    const onReport = (r: AdapterReport): void => missing.noteReport(r);
    const onSeen = (source: TensorSource): void => missing.noteSeen(source);
    bus.emitter.on('report', onReport);
    bus.emitter.on('seen', onSeen);
    this.subscriptions.push(
      new Subscription(() => {
        bus.emitter.off('report', onReport);
        bus.emitter.off('seen', onSeen);
      }),
    );
    const routeTensor = <E extends TensorEvent>(stream: Observable<E>): void => {
      this.subscriptions.push(
        stream.subscribe((event) => {
          const method = TENSOR_FOLDS[event.type];
          for (const lens of routes.takers(event)) {
            this.guard(lens, method, () => (lens[method] as (e: E) => void).call(lens, event));
          }
        }),
      );
    };
    const route = <E>(stream: Observable<E>, method: EventFoldMethod): void => {
      const takers = this.activeLenses.filter((l) => typeof l[method] === 'function');
      if (takers.length === 0) return;
      this.subscriptions.push(
        stream.subscribe((event) => {
          for (const lens of takers) {
            this.guard(lens, method, () => (lens[method] as (e: E) => void).call(lens, event));
          }
        }),
      );
    };
    routeTensor(bus.output$);
    routeTensor(bus.gradient$);
    routeTensor(bus.outputGradient$);
    routeTensor(bus.update$);
    routeTensor(bus.parameter$);
    route(bus.step$, 'foldStep');
    route(bus.loss$, 'foldLoss');
    route(bus.metric$, 'foldMetric');
    this.subscriptions.push(
      bus.warning$.subscribe((w) => {
        if (w.code === 'LENS_FAILED') return; // already reported by guard()
        // Codes are typed; an adapter written in plain JavaScript may still send an unknown one.
        const known = isMonitorchErrorCode(w.code);
        this.report(
          new MonitorchError(known ? w.code : 'BACKEND_FAILED', w.message, {
            epoch: w.epoch,
            step: w.step,
            phase: w.phase,
            module: w.module,
            ...(known ? {} : { code: w.code }),
          }),
        );
      }),
    );
  }

  /**
   * Whether every request of `lens` is well-formed. A lens with a bad request is reported and
   * sits this run out (no events, no rows); the other lenses still get well-formed requests
   * answered.
   */
  private requestsValid(lens: Lens): boolean {
    const requests: unknown = lens.requests;
    const problems = Array.isArray(requests)
      ? requests.flatMap((r: unknown, i) => {
          const problem = requestProblem(r);
          return problem === undefined ? [] : [`request ${i}: ${problem}`];
        })
      : ['requests must be an array of { select, reduction } objects'];
    if (problems.length === 0) return true;
    this.report(
      new MonitorchError(
        'INVALID_ARGUMENT',
        `Lens "${lens.id}" has an invalid request (${problems.join('; ')}). ` +
          'This lens is skipped for this run; the other lenses and the training loop go on.',
        { lens: lens.id, problems },
      ),
    );
    return false;
  }

  /** Runs `fn` for `lens`; a throw is reported and swallowed so the loop goes on. */
  private guard<T>(lens: Lens, method: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      this.report(asLensError(lens, method, e));
      return undefined;
    }
  }

  /** Publishes on `errors$` and logs the first of each kind of problem in this run. */
  private report(error: MonitorchError): void {
    // Keyed by what went wrong where, not by the message (which may carry changing numbers).
    const d = error.details;
    const key = [error.code, d['lens'], d['method'], d['module'], d['table'], d['source']].map(detailText).join(':');
    if (this.logger !== null && !this.warnedOnce.has(key)) {
      this.warnedOnce.add(key);
      this.logger.warn(`[monitorch] ${error.message}`);
    }
    this.errorSubject.next(error);
  }

  private assertAttached(what: string): void {
    if (this.adapter === undefined) {
      throw new MonitorchError(
        'NOT_ATTACHED',
        `${what} needs an attached adapter: call inspector.attach(adapter) first (a new LoopAdapter() if you only push losses and metrics).`,
      );
    }
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new MonitorchError(
        'ALREADY_CLOSED',
        'This inspector was closed. Create a new Inspector to record another run.',
      );
    }
  }
}

/** The warning for a lens whose tensor source the loop does not report. */
function missingSourceError(m: MissingSource, epoch: number): MonitorchError {
  return new MonitorchError(
    'SOURCE_NOT_REPORTED',
    `Lens "${m.lens}" watches ${m.source} tensors, but none arrived in epoch ${epoch}, so its table stays empty. ` +
      `With a LoopAdapter, report them with ${SOURCE_CALLS[m.source]}; another adapter may not provide ${m.source} ` +
      'tensors (see its README). Warned once per run.',
    { lens: m.lens, source: m.source, epoch },
  );
}

function asLensError(lens: Lens, method: string, e: unknown): MonitorchError {
  const why = e instanceof Error ? e.message : String(e);
  return new MonitorchError(
    'LENS_FAILED',
    `Lens "${lens.id}" failed in ${method}: ${why}. The other lenses and the training loop go on; this lens's rows for the epoch may be missing.`,
    { lens: lens.id, method },
    { cause: e },
  );
}

/** The phase a metric name implies by its prefix (`val_accuracy` → `val`), else `train`. */
function metricPhase(name: string): Phase {
  const prefix = /^(train|val|test)_/.exec(name);
  return prefix?.[1] ?? 'train';
}

/** A detail value as key text (details are plain data: strings, numbers, arrays). */
function detailText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}
