import { MonitorchError } from './errors.js';
import type { Phase } from './phase.js';

/**
 * Checks of the plain values a training loop reports (losses, metrics, phases). They run at
 * the call, so a bad value is a typed error there and never reaches a lens, where it would
 * spoil the epoch's valid values too.
 */

/**
 * A phase, if one was given.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` unless it is a non-empty string
 */
export function checkPhase(call: string, phase: unknown): Phase | undefined {
  if (phase === undefined) return undefined;
  if (typeof phase !== 'string' || phase === '') {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${call}: phase must be a non-empty string such as 'train' or 'val', got ${describeValue(phase)}.`,
      { phase },
    );
  }
  return phase;
}

/**
 * A reported number: a loss or a metric. NaN and ±Infinity are numbers (lenses count them
 * apart); anything else — `null`, a string, a boolean — is an error, never read as 0.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` unless `value` is of type number
 */
export function checkReportedNumber(call: string, what: string, value: unknown): number {
  if (typeof value !== 'number') {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${call}: the ${what} must be a number, got ${describeValue(value)}. ` +
        "Pass the batch's value as a plain number (e.g. tensor.item()); nothing was recorded.",
      { value },
    );
  }
  return value;
}

/**
 * A batch size: how many samples the loss was averaged over (default 1).
 *
 * @throws MonitorchError `INVALID_ARGUMENT` unless it is a positive finite number
 */
export function checkBatchSize(call: string, batchSize: unknown): number {
  if (batchSize === undefined) return 1;
  if (typeof batchSize !== 'number' || !(batchSize > 0) || !Number.isFinite(batchSize)) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${call}: batchSize is ${describeValue(batchSize)}; it must be a positive number of samples.`,
      { batchSize },
    );
  }
  return batchSize;
}

/**
 * A metric name.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` unless it is a non-empty string
 */
export function checkMetricName(call: string, name: unknown): string {
  if (typeof name !== 'string' || name === '') {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${call}: the metric name must be a non-empty string such as 'val_accuracy', got ${describeValue(name)}.`,
      { name },
    );
  }
  return name;
}

/** A value as a message shows it: strings quoted, objects by constructor. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return value.constructor?.name ?? 'an object';
}
