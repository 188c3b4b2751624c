import { MonitorchError } from '../errors.js';
import { MODULE_KINDS, type ModuleKind } from '../module-info.js';
import type { ModuleSelector, Sampling } from '../reduction.js';
import { samplingProblem } from '../request-check.js';
import type { BandKind } from '../tables/table-spec.js';
import { stringListOption } from './option-checks.js';

/** Every {@link BandKind}, in the order messages list them. */
export const BAND_KINDS: readonly BandKind[] = ['std', 'min-max', 'q1-q3'];

/**
 * A true/false option: `fallback` when omitted.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` for anything but a boolean
 */
export function booleanOption(value: unknown, option: string, lens: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${lens}: ${option} must be true or false, got ${JSON.stringify(value)}.`,
      {
        [option]: value,
      },
    );
  }
  return value;
}

/**
 * The `bands` option of a numerical panel (drawn under the line): `fallback` when omitted,
 * duplicates dropped; `[]` draws none.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` for a non-list or an unknown band
 */
export function bandsOption(value: unknown, lens: string, fallback: readonly BandKind[]): BandKind[] {
  if (value === undefined) return [...fallback];
  if (!Array.isArray(value) || value.some((b) => !(BAND_KINDS as readonly unknown[]).includes(b))) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${lens}: bands must be an array of ${BAND_KINDS.join(', ')} (or [] for none), got ${JSON.stringify(value)}.`,
      { bands: value },
    );
  }
  return [...new Set(value as BandKind[])];
}

/**
 * The `sampling` option of a lens (which steps and epochs it watches): undefined when omitted
 * (the Inspector's sampling applies), checked otherwise.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` unless everySteps/everyEpochs are whole numbers ≥ 1
 */
export function samplingOption(value: unknown, lens: string): Sampling | undefined {
  if (value === undefined) return undefined;
  const problem = samplingProblem(value);
  if (problem !== undefined) {
    throw new MonitorchError('INVALID_ARGUMENT', `${lens}: ${problem}.`, { sampling: value });
  }
  const s = value as Sampling;
  return {
    ...(s.everySteps === undefined ? {} : { everySteps: s.everySteps }),
    ...(s.everyEpochs === undefined ? {} : { everyEpochs: s.everyEpochs }),
  };
}

/**
 * The `parameters` option of a parameter lens: `fallback` when omitted, duplicates dropped.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` for a bare string, an empty list or an empty name
 */
export function parametersOption(value: unknown, lens: string, fallback: readonly string[]): string[] {
  const parameters = value ?? fallback;
  if (
    !Array.isArray(parameters) ||
    parameters.length === 0 ||
    parameters.some((p) => typeof p !== 'string' || p === '')
  ) {
    const hint = typeof parameters === 'string' ? ` Write parameters: [${JSON.stringify(parameters)}].` : '';
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${lens}: parameters must be a non-empty array of parameter names, got ${JSON.stringify(parameters)}.${hint}`,
      { parameters },
    );
  }
  return [...new Set(parameters as string[])];
}

/**
 * A module selector from a lens's `include`/`exclude` options (module kinds or full names) and
 * the kinds it watches by default. With `defaults` undefined the lens watches every module
 * unless `include` lists some: then only those. Exclusion wins over everything.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` for non-lists, or when nothing can be watched
 */
export function moduleSelectorOption(
  include: unknown,
  exclude: unknown,
  lens: string,
  defaults: readonly ModuleKind[] | undefined,
): ModuleSelector {
  const inc = stringListOption(include, 'include', lens) ?? [];
  const exc = stringListOption(exclude, 'exclude', lens) ?? [];
  const excludeKinds = exc.filter(isKind);
  const excludeNames = exc.filter((x) => !isKind(x));
  const exclusions = {
    ...(excludeKinds.length > 0 ? { excludeKinds } : {}),
    ...(excludeNames.length > 0 ? { excludeNames } : {}),
  };
  const kinds = [...(defaults ?? [])];
  const names: string[] = [];
  for (const item of inc) {
    if (isKind(item)) {
      if (!kinds.includes(item)) kinds.push(item);
    } else names.push(item);
  }
  // No defaults and nothing included: every module (but the excluded ones).
  if (defaults === undefined && kinds.length === 0 && names.length === 0) return exclusions;
  if (kinds.length === 0 && names.length === 0) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${lens} watches no module: its default modules are off and include is empty. List module kinds or names in include.`,
      { include },
    );
  }
  return { kinds, names, ...exclusions };
}

function isKind(x: string): x is ModuleKind {
  return (MODULE_KINDS as readonly string[]).includes(x);
}
