import { Subject, type Observable, type Subscription } from 'rxjs';
import type { Table } from 'apache-arrow';
import type { Adapter } from './adapter.js';
import { rowsToRecordBatch } from './arrow/schema.js';
import { RunWriter } from './arrow/run-writer.js';
import { Bus } from './bus.js';
import { MonitorchError } from './errors.js';
import type { Lens, LensClass } from './lens.js';
import type { Phase } from './phase.js';
import type { ReductionRequest } from './reduction.js';
import { LensTable } from './tables/lens-table.js';
import type { TableRow } from './tables/table-spec.js';

/** Options of an {@link Inspector}. */
export interface InspectorOptions {
  /** The lenses to run. Each lens's `id` must be unique. */
  readonly lenses: readonly Lens[];
  /**
   * Where run files go. The first run writes to `runDir`; each later `attach` starts a new run
   * in `runDir-2`, `runDir-3`, … unless `attach` is given its own directory. Omit to keep
   * tables in memory only.
   */
  readonly runDir?: string;
  /** Where warnings are logged (default `console`). Pass `null` to stay silent. */
  readonly logger?: Pick<Console, 'warn'> | null;
}

/** Options of {@link Inspector.attach}. */
export interface AttachOptions {
  /** Run directory for this run, overriding the numbering from `InspectorOptions.runDir`. */
  readonly runDir?: string;
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

type FoldMethod = 'foldForward' | 'foldGradient' | 'foldOutputGradient' | 'foldUpdate' | 'foldStep' | 'foldLoss' | 'foldMetric';

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

  /** Errors from lenses and bad input that did not stop the loop. */
  readonly errors$: Observable<MonitorchError> = this.errorSubject.asObservable();
  /** One notification per closed epoch (for live pages and progress output). */
  readonly epochs$: Observable<EpochClosed> = this.epochSubject.asObservable();

  /** @param options - lenses, run directory, logger */
  constructor(options: InspectorOptions) {
    const ids = new Set<string>();
    for (const lens of options.lenses) {
      if (ids.has(lens.id)) {
        throw new MonitorchError('INVALID_ARGUMENT',
          `Two lenses share the id "${lens.id}". Each lens writes its own table; give one of them another id.`,
          { id: lens.id });
      }
      ids.add(lens.id);
    }
    this.options = options;
    this.lenses = [...options.lenses];
    this.logger = options.logger === undefined ? console : options.logger;
    this.resetTables();
  }

  /** The event bus of the current run (observables per event kind). */
  get events(): Bus {
    return this.bus;
  }

  /** The union of all lenses' reduction requests. */
  get requests(): readonly ReductionRequest[] {
    return this.lenses.flatMap((l) => l.requests);
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
   * @throws MonitorchError `RUN_DIR_UNWRITABLE` when the run directory cannot be created.
   */
  attach(adapter: Adapter, options: AttachOptions = {}): this {
    this.assertOpen();
    if (this.adapter !== undefined) this.detach();
    this.runNumber += 1;
    this.bus = new Bus();
    this.resetTables();
    for (const lens of this.lenses) this.guard(lens, 'reset', () => lens.reset());
    const dir = options.runDir ?? this.numberedRunDir();
    this.currentRunDir = dir;
    this.writer = dir === undefined ? undefined : RunWriter.open(dir, this.lenses.map((l) => l.table));
    this.subscribe();
    this.adapter = adapter;
    adapter.connect({ emitter: this.bus.emitter, requests: this.requests });
    return this;
  }

  /** Detaches from the adapter and finishes the run's files. Rows already written stay. */
  detach(): this {
    if (this.adapter === undefined) return this;
    this.adapter.disconnect();
    this.adapter = undefined;
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions = [];
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
    const epoch = this.bus.epoch;
    if (this.bus.reportsInEpoch === 0) {
      this.report(new MonitorchError('TICK_WITHOUT_DATA',
        `Epoch ${epoch} was closed but nothing was reported in it. Check that the adapter is attached and that your loop reports outputs, gradients or losses before tickEpoch().`,
        { epoch }));
    }
    const produced = new Map<string, readonly TableRow[]>();
    for (const lens of this.lenses) {
      const rows = this.guard(lens, 'tick', () => lens.tick(epoch));
      if (rows === undefined || rows.length === 0) continue;
      produced.set(lens.table.name, rows);
      try {
        const batch = rowsToRecordBatch(lens.table, rows);
        this.tables.get(lens.table.name)?.append(batch);
        this.writer?.append(lens.table.name, batch);
      } catch (e) {
        this.report(asLensError(lens, 'tick', e));
      }
    }
    this.bus.tick();
    const closed: EpochClosed = { epoch, run: this.runNumber, rows: produced };
    this.epochSubject.next(closed);
    return closed;
  }

  /**
   * Records a metric value (e.g. validation accuracy) for the current epoch.
   *
   * @throws MonitorchError `UNKNOWN_METRIC` when no lens records `name`.
   */
  pushMetric(name: string, value: number, options: { phase?: Phase } = {}): void {
    this.assertOpen();
    if (!this.lenses.some((l) => l.acceptsMetric?.(name) === true)) {
      throw new MonitorchError('UNKNOWN_METRIC',
        `No lens records the metric "${name}". Add it to a lens, e.g. new LossMetrics({ metrics: ['${name}'] }).`,
        { name });
    }
    this.bus.publish({ type: 'metric', name, value, ...(options.phase === undefined ? {} : { phase: options.phase }) });
  }

  /** Records one batch loss (mean over the batch) in the given phase (default `train`). */
  pushLoss(value: number, options: { phase?: Phase; batchSize?: number } = {}): void {
    this.assertOpen();
    this.bus.publish({ type: 'loss', value, batchSize: options.batchSize ?? 1,
      ...(options.phase === undefined ? {} : { phase: options.phase }) });
  }

  /** The current run's table of a lens (by lens instance or table name), as an Arrow table. */
  table(lens: Lens | string): Table {
    const name = typeof lens === 'string' ? lens : lens.table.name;
    const t = this.tables.get(name);
    if (t === undefined) {
      throw new MonitorchError('INVALID_ARGUMENT',
        `No table named "${name}". Known tables: ${[...this.tables.keys()].join(', ')}.`, { name });
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
      throw new MonitorchError('INVALID_ARGUMENT', `This inspector has no lens of class ${cls.name}. Pass one in the lenses option.`,
        { class: cls.name });
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

  private numberedRunDir(): string | undefined {
    const base = this.options.runDir;
    if (base === undefined) return undefined;
    return this.runNumber === 1 ? base : `${base}-${this.runNumber}`;
  }

  private resetTables(): void {
    this.tables = new Map(this.lenses.map((l) => [l.table.name, new LensTable(l.table)]));
  }

  private finishWriter(): void {
    if (this.writer === undefined) return;
    const writer = this.writer;
    this.writer = undefined;
    try {
      writer.close();
    } catch (e) {
      this.report(e instanceof MonitorchError ? e
        : new MonitorchError('RUN_DIR_UNWRITABLE', `Finishing the run files failed: ${String(e)}`, {}, { cause: e }));
    }
  }

  private subscribe(): void {
    const bus = this.bus;
    const route = <E>(stream: Observable<E>, method: FoldMethod): void => {
      const takers = this.lenses.filter((l) => typeof l[method] === 'function');
      if (takers.length === 0) return;
      this.subscriptions.push(stream.subscribe((event) => {
        for (const lens of takers) {
          this.guard(lens, method, () => (lens[method] as (e: E) => void).call(lens, event));
        }
      }));
    };
    route(bus.forward$, 'foldForward');
    route(bus.gradient$, 'foldGradient');
    route(bus.outputGradient$, 'foldOutputGradient');
    route(bus.update$, 'foldUpdate');
    route(bus.step$, 'foldStep');
    route(bus.loss$, 'foldLoss');
    route(bus.metric$, 'foldMetric');
    this.subscriptions.push(bus.warning$.subscribe((w) => {
      if (w.code === 'LENS_FAILED') return; // already reported by guard()
      this.report(new MonitorchError(w.code === 'NON_FINITE_INPUT' ? 'NON_FINITE_INPUT' : 'INVALID_ARGUMENT', w.message,
        { epoch: w.epoch, step: w.step, module: w.module }), false);
    }));
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

  private report(error: MonitorchError, _fromBus = false): void {
    void _fromBus;
    const key = `${error.code}:${String(error.details['lens'] ?? '')}:${String(error.details['method'] ?? '')}:${error.message}`;
    if (this.logger !== null && !this.warnedOnce.has(key)) {
      this.warnedOnce.add(key);
      this.logger.warn(`[monitorch] ${error.message}`);
    }
    this.errorSubject.next(error);
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new MonitorchError('ALREADY_CLOSED', 'This inspector was closed. Create a new Inspector to record another run.');
    }
  }
}

function asLensError(lens: Lens, method: string, e: unknown): MonitorchError {
  const why = e instanceof Error ? e.message : String(e);
  return new MonitorchError('LENS_FAILED',
    `Lens "${lens.id}" failed in ${method}: ${why}. The other lenses and the training loop go on; this lens's rows for the epoch may be missing.`,
    { lens: lens.id, method }, { cause: e });
}
