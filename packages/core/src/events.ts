import type { MonitorchErrorCode } from './errors.js';
import type { ModuleInfo } from './module-info.js';
import type { Phase } from './phase.js';
import type { ReductionResult, TensorSource } from './reduction.js';

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
export interface OutputEvent extends EventStamp {
  readonly type: 'output';
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

/**
 * A parameter's value was reduced: a snapshot taken when an epoch closes (just before its
 * tick) or when a snapshot was asked for (`inspector.snapshotParameters()`), never per step.
 */
export interface ParameterEvent extends EventStamp {
  readonly type: 'parameter';
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
  /** What went wrong, as a stable code (the same codes as {@link MonitorchError}). */
  readonly code: MonitorchErrorCode;
  readonly message: string;
  readonly module?: string;
}

/** Every event that flows on the bus. */
export type MonitorEvent =
  | OutputEvent
  | GradientEvent
  | OutputGradientEvent
  | UpdateEvent
  | ParameterEvent
  | StepEvent
  | LossEvent
  | MetricEvent
  | EpochEvent
  | WarningEvent;

/**
 * @deprecated Renamed {@link OutputEvent} (events and requests now share one word, `output`);
 * this alias goes away in the next minor version.
 */
export type ForwardEvent = OutputEvent;

/**
 * The events that carry a reduced tensor. Their `type` is the {@link TensorSource} a request
 * selects with `select.of`: one word for the tensor and its event.
 */
export type TensorEvent = OutputEvent | OutputGradientEvent | GradientEvent | UpdateEvent | ParameterEvent;

/** Distributive omit that keeps the union. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * What an adapter reports: an event without the epoch and step stamps (the bus adds them) and
 * with an optional phase (default `train`).
 */
export type AdapterReport = DistributiveOmit<Exclude<MonitorEvent, EpochEvent>, 'epoch' | 'step' | 'phase'> & {
  readonly phase?: EventStamp['phase'];
};

/** What an adapter reports about one reduced tensor (see {@link tensorReport}). */
export type TensorReport = Extract<AdapterReport, { readonly type: TensorSource }>;

/**
 * Builds the report of one reduced tensor. Every adapter reports tensors through this one
 * function, so a tensor source (`output`, `outputGradient`, `gradient`, `update`) and its
 * event never drift apart.
 *
 * @param source - which tensor: a module output, an output gradient, a parameter gradient, update or value
 * @param module - the module it belongs to
 * @param parameter - the parameter's name (for `gradient`, `update` and `parameter`; ignored otherwise)
 * @param shape - the tensor's shape
 * @param reductions - its answered reductions, keyed by `reductionKey`
 * @param phase - the phase of the pass
 */
export function tensorReport(
  source: TensorSource,
  module: ModuleInfo,
  parameter: string | undefined,
  shape: readonly number[],
  reductions: ReductionAnswers,
  phase: Phase,
): TensorReport {
  if (source === 'gradient' || source === 'update' || source === 'parameter') {
    return { type: source, module, parameter: parameter ?? '', shape, reductions, phase };
  }
  return { type: source, module, shape, reductions, phase };
}
