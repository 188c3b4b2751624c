import {
  MonitorchError,
  SeriesStats,
  type BandKind,
  type Lens,
  type LossEvent,
  type MetricEvent,
  type Phase,
  type ReductionRequest,
  type SeriesSummary,
  type TableRow,
  type TableSpec,
  orderPhases,
  summaryCells,
} from '@monitorch/core';
import { lossTable, type LineKind } from './loss-table.js';

/** Options of {@link LossMetrics}. */
export interface LossMetricsOptions {
  /**
   * Names of the metrics to record, e.g. `['val_accuracy']`. The Inspector refuses a pushed
   * metric that no lens lists (`UNKNOWN_METRIC`). Must be an array: a bare string is an error.
   */
  readonly metrics?: readonly string[];
  /** One `Loss` panel and one `Metrics` panel (default `true`), or one `Loss & Metrics` panel. */
  readonly separateLossAndMetrics?: boolean;
  /** The loss line: `mean` (default), `median`, `min` or `max`. Also the default of {@link LossMetrics.loss}. */
  readonly line?: LineKind;
  /** Bands around the loss line (default `['std']`; `[]` for none). */
  readonly bands?: readonly BandKind[];
  /** The metrics line (default: same as `line`). */
  readonly metricsLine?: LineKind;
  /** Bands around metric lines (default none). Ignored when loss and metrics share one panel. */
  readonly metricsBands?: readonly BandKind[];
  /** Lens id and table name (default `loss-metrics`); change it to run two of these lenses. */
  readonly id?: string;
}

/** A statistic of an epoch's losses that {@link LossMetrics.loss} can return. */
export type LossStatistic = 'mean' | 'median' | 'min' | 'max' | 'std' | 'q1' | 'q3';

/** Which loss {@link LossMetrics.loss} returns. */
export interface LossQuery {
  /** Phase of the loss (default `train`). */
  readonly phase?: Phase;
  /** Statistic of the epoch's batch losses (default: the lens's `line`). */
  readonly method?: LossStatistic;
}

/** A closed epoch's loss statistic. */
export interface EpochLoss {
  /** The epoch it summarises. */
  readonly epoch: number;
  /** The statistic; NaN when every loss of the epoch in that phase was NaN or infinite. */
  readonly value: number;
}

const LINES: readonly LineKind[] = ['mean', 'median', 'min', 'max'];
const BANDS: readonly BandKind[] = ['std', 'min-max', 'q1-q3'];
const STATISTICS: readonly LossStatistic[] = ['mean', 'median', 'min', 'max', 'std', 'q1', 'q3'];

/**
 * Loss and metrics per epoch (semantics §2.1). Batch losses are summarised per phase — `train`,
 * `val` and any user phase each form their own series — and the listed metrics per (name,
 * phase). Each epoch gives one row per phase with quantity `loss` and one row per metric and
 * phase with quantity = the metric name; columns: the summary (mean, population std, min,
 * max, count), closest-observation median / q1 / q3, and `non_finite` — NaN or infinite
 * losses, counted and never averaged in. A phase or metric without values in an epoch has no
 * row that epoch (no stale value).
 *
 * @example
 * ```ts
 * const inspector = new Inspector({ lenses: [new LossMetrics({ metrics: ['val_accuracy'] })] });
 * // … inspector.pushLoss(0.7); inspector.pushLoss(0.9, { phase: 'val' }) …
 * await inspector.tickEpoch();
 * inspector.lens(LossMetrics).loss({ phase: 'val' }); // 0.9
 * ```
 */
export class LossMetrics implements Lens {
  /** Lens id and table name. */
  readonly id: string;
  /** No tensor reductions: losses and metrics arrive as numbers. */
  readonly requests: readonly ReductionRequest[] = [];
  /** Table schema and plot (see {@link lossTable}). */
  readonly table: TableSpec;
  /** The metric names this lens records. */
  readonly metrics: readonly string[];
  private readonly line: LineKind;
  private losses = new Map<Phase, SeriesStats>();
  private metricValues = new Map<string, Map<Phase, SeriesStats>>();
  private lastEpoch: number | undefined;
  private lastLosses = new Map<Phase, SeriesSummary>();
  private latestByPhase = new Map<Phase, { epoch: number; summary: SeriesSummary }>();

  /**
   * @param options - metrics to record and how to draw them
   * @throws MonitorchError `INVALID_ARGUMENT` for a bare string as `metrics`, an unknown
   *   line or band, or a metric named `loss`
   */
  constructor(options: LossMetricsOptions = {}) {
    this.metrics = checkMetrics(options.metrics);
    this.line = checkLine(options.line ?? 'mean', 'line');
    this.id = options.id ?? 'loss-metrics';
    this.table = lossTable({
      name: this.id,
      metrics: this.metrics,
      separate: options.separateLossAndMetrics ?? true,
      line: this.line,
      bands: checkBands(options.bands ?? ['std'], 'bands'),
      metricsLine: checkLine(options.metricsLine ?? this.line, 'metricsLine'),
      metricsBands: checkBands(options.metricsBands ?? [], 'metricsBands'),
    });
  }

  /** Forgets everything, including the last epoch's loss. */
  reset(): void {
    this.losses = new Map();
    this.metricValues = new Map();
    this.lastEpoch = undefined;
    this.lastLosses = new Map();
    this.latestByPhase = new Map();
  }

  /** Adds a batch loss to its phase's series (non-finite values are only counted). */
  foldLoss(event: LossEvent): void {
    seriesOf(this.losses, event.phase).add(event.value);
  }

  /** Adds a metric value, if this lens lists the metric. */
  foldMetric(event: MetricEvent): void {
    if (!this.acceptsMetric(event.name)) return;
    let byPhase = this.metricValues.get(event.name);
    if (byPhase === undefined) {
      byPhase = new Map();
      this.metricValues.set(event.name, byPhase);
    }
    seriesOf(byPhase, event.phase).add(event.value);
  }

  /** True only for the metric names given in the options. */
  acceptsMetric(name: string): boolean {
    return this.metrics.includes(name);
  }

  /** Rows of epoch `epoch`: losses by phase (train, val, others), then metrics in listed order. */
  tick(epoch: number): TableRow[] {
    const rows: TableRow[] = [];
    const closed = new Map<Phase, SeriesSummary>();
    for (const phase of orderPhases(this.losses.keys())) {
      const series = this.losses.get(phase) as SeriesStats;
      rows.push(row(epoch, phase, 'loss', series));
      const summary = series.summary();
      closed.set(phase, summary);
      this.latestByPhase.set(phase, { epoch, summary });
    }
    for (const name of this.metrics) {
      const byPhase = this.metricValues.get(name);
      if (byPhase === undefined) continue;
      for (const phase of orderPhases(byPhase.keys()))
        rows.push(row(epoch, phase, name, byPhase.get(phase) as SeriesStats));
    }
    this.lastEpoch = epoch;
    this.lastLosses = closed;
    this.losses = new Map();
    this.metricValues = new Map();
    return rows;
  }

  /**
   * The loss of the LAST CLOSED epoch in a phase — what an early stopper reads after each
   * tick. Strict on purpose: if the last epoch had no loss in that phase this throws instead
   * of returning an older epoch's number (a repeated stale value would look like "no
   * improvement" to an early stopper). Use {@link LossMetrics.lastLoss} to get the latest
   * available value together with its epoch.
   *
   * @param query - phase (default `train`) and statistic (default: the lens's `line`)
   * @returns the statistic; NaN when every loss of that epoch and phase was NaN or infinite
   * @throws MonitorchError `INVALID_ARGUMENT` when no epoch was closed yet, or the last closed
   *   epoch had no loss in `phase`
   */
  loss(query: LossQuery = {}): number {
    const phase = query.phase ?? 'train';
    const method = checkStatistic(query.method ?? this.line);
    if (this.lastEpoch === undefined) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `No epoch has been closed yet, so there is no ${phase} loss. Call loss() after inspector.tickEpoch().`,
        { phase },
      );
    }
    const summary = this.lastLosses.get(phase);
    if (summary === undefined) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `Epoch ${this.lastEpoch} had no ${phase} loss. Report it before tickEpoch() (loop.loss(v, { phase: '${phase}' }) or inspector.pushLoss(v, { phase: '${phase}' })), or use lastLoss() for the latest epoch that had one.`,
        { phase, epoch: this.lastEpoch, phases: [...this.lastLosses.keys()] },
      );
    }
    return pick(summary, method);
  }

  /**
   * The latest closed epoch that had a loss in `phase`, with that epoch's statistic, or
   * `undefined` when no closed epoch had one.
   *
   * @param query - phase (default `train`) and statistic (default: the lens's `line`)
   */
  lastLoss(query: LossQuery = {}): EpochLoss | undefined {
    const method = checkStatistic(query.method ?? this.line);
    const latest = this.latestByPhase.get(query.phase ?? 'train');
    return latest === undefined ? undefined : { epoch: latest.epoch, value: pick(latest.summary, method) };
  }
}

function seriesOf(map: Map<Phase, SeriesStats>, phase: Phase): SeriesStats {
  let s = map.get(phase);
  if (s === undefined) {
    s = new SeriesStats();
    map.set(phase, s);
  }
  return s;
}

function row(epoch: number, phase: Phase, quantity: string, series: SeriesStats): TableRow {
  return { epoch, phase, module: '', quantity, ...summaryCells(series), non_finite: series.nonFinite };
}

function pick(summary: SeriesSummary, method: LossStatistic): number {
  return summary[method] ?? Number.NaN;
}

function checkMetrics(metrics: unknown): readonly string[] {
  if (metrics === undefined) return [];
  if (!Array.isArray(metrics)) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `LossMetrics: metrics must be an array of names, got ${JSON.stringify(metrics)}. Write metrics: [${JSON.stringify(metrics)}].`,
      { metrics },
    );
  }
  for (const m of metrics) {
    if (typeof m !== 'string' || m === '') {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `LossMetrics: metric names must be non-empty strings, got ${JSON.stringify(m)}.`,
        { metrics },
      );
    }
    if (m === 'loss') {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        "LossMetrics: 'loss' is the quantity of the loss rows; report losses with loop.loss()/inspector.pushLoss() and give metrics other names.",
        { metrics },
      );
    }
  }
  return [...new Set(metrics as string[])];
}

function checkLine(line: LineKind, option: string): LineKind {
  if (!LINES.includes(line)) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `LossMetrics: ${option} must be one of ${LINES.join(', ')}, got ${JSON.stringify(line)}.`,
      { [option]: line },
    );
  }
  return line;
}

function checkBands(bands: readonly BandKind[], option: string): readonly BandKind[] {
  // Options may come from untyped code: check what was really given.
  const given: unknown = bands;
  if (!Array.isArray(given) || given.some((b) => !BANDS.includes(b as BandKind))) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `LossMetrics: ${option} must be an array of ${BANDS.join(', ')}, got ${JSON.stringify(bands)}.`,
      { [option]: bands },
    );
  }
  return [...(given as readonly BandKind[])];
}

function checkStatistic(method: LossStatistic): LossStatistic {
  if (!STATISTICS.includes(method)) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `LossMetrics.loss: method must be one of ${STATISTICS.join(', ')}, got ${JSON.stringify(method)}.`,
      { method },
    );
  }
  return method;
}
