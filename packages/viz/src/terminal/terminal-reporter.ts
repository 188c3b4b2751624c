import { SingleBar } from 'cli-progress';
import type { EpochClosed, Inspector, PlotSpec } from '@monitorch/core';
import { formatValue } from '../figure/format.js';
import { ProgressTracker, formatDuration, type ProgressSnapshot } from '../progress.js';
import { epochSummary, type SummaryThresholds } from './epoch-summary.js';

/** What the reporter needs from an Inspector (an Inspector always fits). */
export type ReportedInspector = Pick<Inspector, 'epochs$' | 'epoch' | 'lenses'>;

/** Options of a {@link TerminalReporter}. */
export interface TerminalReporterOptions extends SummaryThresholds {
  /** Where to write (default `process.stderr`, so stdout stays the program's own). */
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Draw a redrawn bar (default: whether the stream is a TTY); otherwise print plain lines. */
  readonly tty?: boolean;
}

/**
 * Batch progress and one summary line per epoch in the terminal.
 *
 * On a TTY: a progress bar per epoch (batches, rate, ETA, running loss). Elsewhere (CI logs,
 * files): plain lines at every quarter of the epoch. After each closed epoch: the loss and
 * metrics, one line per lens with per-layer panels (norm ranges, the largest update ratio, the
 * smallest cond, outputs outside their bins), and warnings a user should not miss
 * (`net.relu2: 81 % dead`, a non-finite loss).
 *
 * @example
 * ```ts
 * const reporter = new TerminalReporter().attach(inspector);
 * for (const [i, batch] of batches.entries()) {
 *   const loss = step(batch);
 *   reporter.batch(i + 1, batches.length, loss);
 * }
 * await inspector.tickEpoch(); // prints the epoch's summary line
 * ```
 */
export class TerminalReporter {
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  private readonly tty: boolean;
  private readonly thresholds: SummaryThresholds;
  private readonly tracker = new ProgressTracker();
  private bar: SingleBar | undefined;
  private barTotal = 0;
  private lastQuarter = -1;
  private inspector: ReportedInspector | undefined;
  private subscription: ReturnType<ReportedInspector['epochs$']['subscribe']> | undefined;
  private lastBatch = 0;
  private epoch = 1;

  /** @param options - stream, TTY mode, warning thresholds */
  constructor(options: TerminalReporterOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? this.stream.isTTY === true;
    const { stream: _stream, tty: _tty, ...thresholds } = options;
    this.thresholds = thresholds;
  }

  /** Prints a summary line after every epoch the inspector closes. Returns `this`. */
  attach(inspector: ReportedInspector): this {
    this.detach();
    this.inspector = inspector;
    this.epoch = inspector.epoch;
    this.subscription = inspector.epochs$.subscribe({
      next: (closed) => this.epochClosed(closed),
      complete: () => this.stopBar(),
    });
    return this;
  }

  /** Stops listening to the inspector and removes the bar. */
  detach(): this {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.inspector = undefined;
    this.stopBar();
    return this;
  }

  /**
   * Reports that batch `batch` (1-based) of `batches` finished, with its loss. Cheap enough to
   * call every batch: the bar redraws at most 10 times a second; plain mode prints 4 lines an epoch.
   */
  batch(batch: number, batches: number, loss?: number): void {
    const epoch = this.inspector?.epoch ?? this.epoch;
    if (batch < this.lastBatch) this.lastQuarter = -1; // a new epoch started without a summary
    this.lastBatch = batch;
    const p = this.tracker.update({ epoch, batch, batches, ...(loss === undefined ? {} : { loss }) });
    if (this.tty) this.drawBar(p, batches);
    else this.printPlain(p, batches);
  }

  /**
   * Prints the summary of a closed epoch (called for you when attached).
   *
   * @param closed - the inspector's epoch notification
   * @param plots - plot specs by table (default: from the attached inspector's lenses)
   */
  epochClosed(closed: EpochClosed, plots: ReadonlyMap<string, PlotSpec> = this.plots()): void {
    this.stopBar();
    const summary = epochSummary(closed.rows, plots, this.thresholds);
    const head = `epoch ${closed.epoch}${summary.values.length > 0 ? ` · ${summary.values.join(' · ')}` : ''}`;
    const details = summary.details.map((d) => `  ${d}`);
    const warn = summary.warnings.map((w) => `  ⚠ ${w}`);
    this.stream.write([head, ...details, ...warn].join('\n') + '\n');
    this.epoch = closed.epoch + 1;
    this.lastQuarter = -1;
    this.lastBatch = 0;
  }

  private plots(): Map<string, PlotSpec> {
    return new Map((this.inspector?.lenses ?? []).map((l) => [l.table.name, l.table.plot]));
  }

  private drawBar(p: ProgressSnapshot, batches: number): void {
    // Payload names must not clash with cli-progress's own tokens ({eta} is its own).
    const payload = {
      epoch: p.epoch,
      rate: p.rate === undefined ? '–' : formatValue(p.rate),
      left: p.etaSeconds === undefined ? '?' : formatDuration(p.etaSeconds),
      loss: formatValue(p.runningLoss),
    };
    if (this.bar === undefined || this.barTotal !== batches || p.batch < this.bar.getProgress() * batches) {
      this.stopBar();
      this.bar = new SingleBar({
        stream: this.stream,
        format: 'epoch {epoch} |{bar}| {value}/{total} · {rate} batch/s · ETA {left} · loss {loss}',
        barsize: 24,
        barCompleteChar: '█',
        barIncompleteChar: '░',
        hideCursor: false,
        clearOnComplete: true,
        fps: 10,
        noTTYOutput: true,
      });
      this.barTotal = batches;
      this.bar.start(batches, p.batch, payload);
    } else {
      this.bar.update(p.batch, payload);
    }
  }

  private printPlain(p: ProgressSnapshot, batches: number): void {
    const quarter = batches > 0 ? Math.floor((4 * p.batch) / batches) : 0;
    if (quarter <= this.lastQuarter || quarter === 0) return;
    this.lastQuarter = quarter;
    const parts = [`epoch ${p.epoch}`, `batch ${p.batch}/${batches}`];
    if (p.rate !== undefined) parts.push(`${formatValue(p.rate)} batch/s`);
    if (p.etaSeconds !== undefined && p.batch < batches) parts.push(`ETA ${formatDuration(p.etaSeconds)}`);
    if (p.runningLoss !== undefined) parts.push(`loss ${formatValue(p.runningLoss)}`);
    this.stream.write(parts.join(' · ') + '\n');
  }

  private stopBar(): void {
    if (this.bar === undefined) return;
    this.bar.stop();
    this.bar = undefined;
  }
}
