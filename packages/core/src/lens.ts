import type {
  OutputEvent,
  GradientEvent,
  LossEvent,
  MetricEvent,
  OutputGradientEvent,
  ParameterEvent,
  StepEvent,
  UpdateEvent,
} from './events.js';
import type { ReductionRequest } from './reduction.js';
import type { TableRow, TableSpec } from './tables/table-spec.js';

/**
 * The lens contract. A lens
 * (a) declares the reductions it needs as plain data (`requests`),
 * (b) declares its table and how to draw it (`table`),
 * (c) folds answered reductions into per-epoch statistics (the `fold*` methods; each optional),
 * (d) turns them into rows when an epoch closes (`tick`).
 *
 * Lenses never see raw tensors and never talk to a backend. The Inspector calls them inside a
 * guard: a lens that throws is reported and skipped, the others and the loop go on.
 */
export interface Lens {
  /** Stable id; also the table name and run file name. */
  readonly id: string;
  /** The reductions this lens needs; compiled by backends, answered on events. */
  readonly requests: readonly ReductionRequest[];
  /** Table schema and plot metadata. */
  readonly table: TableSpec;
  /** A new run starts (attach): forget everything, including the previous run's state. */
  reset(): void;
  /** Fold a module's forward output answers. */
  foldOutput?(event: OutputEvent): void;
  /** Fold a parameter gradient's answers. */
  foldGradient?(event: GradientEvent): void;
  /** Fold an output gradient's answers. */
  foldOutputGradient?(event: OutputGradientEvent): void;
  /** Fold a parameter update's answers. */
  foldUpdate?(event: UpdateEvent): void;
  /** Fold a parameter snapshot's answers (see {@link ParameterEvent}). */
  foldParameter?(event: ParameterEvent): void;
  /**
   * Called by the Inspector at attach with what a lens may ask of it (e.g. a parameter
   * snapshot now, for `ParameterNorm.collect()`). Lenses that need nothing leave it out.
   */
  bind?(host: LensHost): void;
  /** Note that an optimizer step finished. */
  foldStep?(event: StepEvent): void;
  /** Fold a batch loss. */
  foldLoss?(event: LossEvent): void;
  /** Fold a pushed metric. */
  foldMetric?(event: MetricEvent): void;
  /**
   * Whether this lens records the metric `name`. The Inspector refuses a pushed metric that
   * no lens records (a clear error instead of a silent drop).
   */
  acceptsMetric?(name: string): boolean;
  /** Close epoch `epoch`: return its rows (possibly none) and forget the epoch's state. */
  tick(epoch: number): TableRow[];
}

/** What the Inspector offers a lens (see {@link Lens.bind}). */
export interface LensHost {
  /**
   * Asks the attached adapter to report a snapshot of the parameters that lenses watch, now.
   * Reports a typed warning (and does nothing else) when no adapter is attached or the adapter
   * cannot take snapshots.
   */
  snapshotParameters(): void;
}

/** A lens class, for typed lookup with `inspector.lens(OutputActivation)`. */
export type LensClass<L extends Lens> = abstract new (...args: never[]) => L;
