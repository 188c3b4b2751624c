import type { ModuleInfo } from './module-info.js';
import type { Phase } from './phase.js';
import type { ReductionResult } from './reduction.js';

/** Fields every event carries. Epochs count from 1; `step` counts optimizer steps from 0. */
export interface EventStamp {
  /** The epoch this event belongs to (1-based; the epoch that the next tick closes). */
  readonly epoch: number;
  /** Global optimizer step count when the event happened (0 before the first step). */
  readonly step: number;
  /** Phase of the pass: `train`, `val` or a user label. */
  readonly phase: Phase;
}

/** Answered reductions of one tensor, keyed by {@link reductionKey}. */
export type ReductionAnswers = ReadonlyMap<string, ReductionResult>;

/** A module's forward output was reduced. */
export interface ForwardEvent extends EventStamp {
  readonly type: 'forward';
  readonly module: ModuleInfo;
  /** Output shape, batch dimension first. */
  readonly shape: readonly number[];
  readonly reductions: ReductionAnswers;
}

/** A parameter's gradient (after one backward pass) was reduced. */
export interface GradientEvent extends EventStamp {
  readonly type: 'gradient';
  readonly module: ModuleInfo;
  /** Parameter name inside the module (e.g. `weight`). */
  readonly parameter: string;
  readonly shape: readonly number[];
  readonly reductions: ReductionAnswers;
}

/** The gradient of the loss w.r.t. a module's output was reduced. */
export interface OutputGradientEvent extends EventStamp {
  readonly type: 'outputGradient';
  readonly module: ModuleInfo;
  readonly shape: readonly number[];
  readonly reductions: ReductionAnswers;
}

/** One optimizer step changed a parameter; the change (new − old) was reduced. */
export interface UpdateEvent extends EventStamp {
  readonly type: 'update';
  readonly module: ModuleInfo;
  readonly parameter: string;
  readonly shape: readonly number[];
  readonly reductions: ReductionAnswers;
}

/** An optimizer step finished (emitted once per step, after its update events). */
export interface StepEvent extends EventStamp {
  readonly type: 'step';
}

/** The mean loss of one batch. `value` may be non-finite; lenses count such values apart. */
export interface LossEvent extends EventStamp {
  readonly type: 'loss';
  readonly value: number;
  /** Samples in the batch (weights nothing by default; kept for users). */
  readonly batchSize: number;
}

/** A user metric value, e.g. `val_accuracy`. */
export interface MetricEvent extends EventStamp {
  readonly type: 'metric';
  readonly name: string;
  readonly value: number;
}

/** The epoch `epoch` was closed by a tick. */
export interface EpochEvent extends EventStamp {
  readonly type: 'epoch';
}

/** Something a user should see but that did not stop anything (a lens error, NaN input…). */
export interface WarningEvent extends EventStamp {
  readonly type: 'warning';
  readonly code: string;
  readonly message: string;
  readonly module?: string;
}

/** Every event that flows on the bus. */
export type MonitorEvent =
  | ForwardEvent
  | GradientEvent
  | OutputGradientEvent
  | UpdateEvent
  | StepEvent
  | LossEvent
  | MetricEvent
  | EpochEvent
  | WarningEvent;

/** Distributive omit that keeps the union. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * What an adapter reports: an event without the epoch and step stamps (the bus adds them) and
 * with an optional phase (default `train`).
 */
export type AdapterReport = DistributiveOmit<
  Exclude<MonitorEvent, EpochEvent>,
  'epoch' | 'step' | 'phase'
> & { readonly phase?: EventStamp['phase'] };
