import type { AdapterConnection, AdapterReport, Phase, ReductionRequest, TensorSource } from '@monitorch/core';
import type { StatOutput } from '../graph/compiled-graph.js';
import type { RunResult } from '../runtime/step-engine.js';
import { statReports, type StatDecoder } from './stat-reports.js';

/** A finished graph run, and the Inspector connection it ran for (none: nothing to report). */
export interface ReportedRun {
  readonly result: RunResult;
  readonly connection: AdapterConnection | undefined;
  /**
   * The statistic declarations of the graph that ran (captured when the run started: with
   * sampling, the next step may already run another graph while this one is reported).
   */
  readonly stats: readonly StatOutput[];
}

/**
 * Reports a trainer's runs to the attached Inspector: each run's statistic outputs decoded into
 * core reports ({@link statReports}), its loss, the step end and warnings, in the order a hooked
 * PyTorch loop would produce them. A run captures {@link connection} when it starts, so a step
 * that overlaps a detach still reports to the Inspector it ran for.
 */
export class LensReporter {
  private attached: AdapterConnection | undefined;
  private held: AdapterReport[] = [];
  /** Train steps started for the attached Inspector and not reported yet (at most one, pipelined). */
  private unreported = 0;

  /** @param decode - reads a statistic's outputs (the network compiler's decoder) */
  constructor(private readonly decode: StatDecoder) {}

  /** The Inspector's connection, while one is attached. */
  get connection(): AdapterConnection | undefined {
    return this.attached;
  }

  /** The attached lenses' reduction requests (none while detached). */
  get requests(): readonly ReductionRequest[] {
    return this.attached?.requests ?? [];
  }

  /** Starts reporting to `connection`. */
  connect(connection: AdapterConnection): void {
    this.attached = connection;
    this.unreported = 0;
  }

  /**
   * Notes that a train step starts for the attached Inspector and returns the step stamp its
   * reports will carry: the Inspector's clock counts reported steps, and the step before this
   * one may still be waiting to be reported (see `runPipelined`).
   */
  startStep(): number {
    const clock = this.attached?.clock;
    if (clock === undefined) return 0;
    return clock.step + this.unreported++;
  }

  /** Forgets steps that were started but will never be reported (an epoch that stopped early). */
  clearStarted(): void {
    this.unreported = 0;
  }

  /** Stops reporting. */
  disconnect(): void {
    this.attached = undefined;
  }

  /**
   * Tells the attached Inspector which tensor sources this run provides, whatever the lenses
   * watch: statistics are computed only for watched modules, so a lens whose modules are absent
   * would otherwise be warned that its source is not reported.
   */
  seen(sources: readonly TensorSource[]): void {
    if (this.attached === undefined) return;
    for (const source of sources) this.attached.emitter.emit('seen', source);
  }

  /** Keeps a warning (a device fallback) until an Inspector can receive it. */
  hold(warning: AdapterReport): void {
    this.held.push(warning);
  }

  /** Emits the held warnings when an Inspector is attached: with the first reports, in the epoch they concern. */
  releaseHeld(): void {
    if (this.attached === undefined) return;
    for (const w of this.held) this.attached.emitter.emit('report', w);
    this.held = [];
  }

  /**
   * Reports one train step: outputs, the loss, the backward statistics, a warning when the loss
   * is not finite, and the step end.
   *
   * @param run - the step's result, connection and the statistic declarations of its graph
   * @param batchSize - samples in the batch
   * @param nonFiniteWarning - the warning text for a NaN or infinite loss
   * @param skippedWarning - the warning text for a finite loss whose step skipped its update
   *   (a gradient was NaN or infinite)
   */
  trainStep(
    { result, connection, stats }: ReportedRun,
    batchSize: number,
    nonFiniteWarning: (loss: number) => string,
    skippedWarning: () => string = () => 'This step skipped its update: a gradient was NaN or infinite.',
  ): void {
    if (connection === undefined) return;
    if (connection === this.attached && this.unreported > 0) this.unreported--;
    const emit = (r: AdapterReport): void => {
      connection.emitter.emit('report', r);
    };
    const reports = statReports(stats, result.stats, 'train', batchSize, this.decode);
    for (const r of reports) if (r.type === 'output') emit(r);
    emit({ type: 'loss', value: result.loss, batchSize, phase: 'train' });
    for (const r of reports) if (r.type !== 'output') emit(r);
    if (!Number.isFinite(result.loss)) {
      emit({ type: 'warning', code: 'NON_FINITE_LOSS', message: nonFiniteWarning(result.loss) });
    } else if (result.updateSkipped === true) {
      emit({ type: 'warning', code: 'NON_FINITE_INPUT', message: skippedWarning() });
    }
    emit({ type: 'step' });
  }

  /**
   * Reports one evaluation batch: the output statistics asked for in `phase`, then the loss.
   *
   * @param run - the batch's result, connection and the statistic declarations of its graph
   * @param phase - the evaluation's phase (`val`, `test`, …)
   * @param batchSize - samples in the batch
   */
  evalBatch({ result, connection, stats }: ReportedRun, phase: Phase, batchSize: number): void {
    if (connection === undefined) return;
    for (const r of statReports(stats, result.stats, phase, batchSize, this.decode)) {
      connection.emitter.emit('report', r);
    }
    connection.emitter.emit('report', { type: 'loss', value: result.loss, batchSize, phase });
  }
}
