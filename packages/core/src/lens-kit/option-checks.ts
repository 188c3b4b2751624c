import { MonitorchError } from '../errors.js';
import type { Phase } from '../phase.js';
import { AGGREGATIONS, type Aggregation } from './aggregation.js';

/**
 * Throws `INVALID_ARGUMENT` unless `eps` is a finite number ≥ 0. The one check of an activity
 * threshold, used by the kernels and by every lens option.
 *
 * @param eps - the threshold
 * @param what - who is asking, for the message (a kernel or `LensName`)
 */
export function checkEps(eps: number, what: string): void {
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${what}: eps is ${String(eps)}; it must be a finite number >= 0 (monitorch uses 1e-8).`,
      { eps },
    );
  }
}

/**
 * The `eps` option of a lens: `1e-8` (monitorch's threshold) when omitted, checked otherwise.
 *
 * @param eps - the option as given
 * @param lens - the lens's class name, for the message
 */
export function epsOption(eps: number | undefined, lens: string): number {
  const value = eps ?? 1e-8;
  checkEps(value, lens);
  return value;
}

/**
 * The `aggregation` option of a lens: `mean` when omitted.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` for anything but mean, median, min or max
 */
export function aggregationOption(aggregation: Aggregation | undefined, lens: string): Aggregation {
  const value = aggregation ?? 'mean';
  if (!AGGREGATIONS.includes(value)) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${lens}: aggregation must be one of ${AGGREGATIONS.join(', ')}, got ${JSON.stringify(value)}. ` +
        '(The std of a rate is in the std column of every row.)',
      { aggregation: value },
    );
  }
  return value;
}

/**
 * A list-of-strings option (module kinds or names, parameters). A bare string is the usual
 * slip, so the message shows the array to write instead.
 *
 * @returns the list, or undefined when the option was omitted
 * @throws MonitorchError `INVALID_ARGUMENT` when `value` is not an array of strings
 */
export function stringListOption(value: unknown, option: string, lens: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${lens}: ${option} must be an array of strings, got ${JSON.stringify(value)}. Write ${option}: [${JSON.stringify(value)}].`,
      { [option]: value },
    );
  }
  return value as string[];
}

/**
 * The `phases` option of a lens: `['train']` when omitted, duplicates dropped.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` for a non-list or an empty list
 */
export function phasesOption(value: unknown, lens: string): Phase[] {
  const phases = stringListOption(value, 'phases', lens) ?? ['train'];
  if (phases.length === 0) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${lens}: phases is empty, so nothing would be recorded. Use e.g. ['train'] or ['train', 'val'].`,
      { phases },
    );
  }
  return [...new Set(phases)];
}
