import { readFileSync } from 'node:fs';
import { MonitorchError } from '../errors.js';
import type { RunConfigValue, RunManifest } from './run-manifest.js';

/** What a user says about a run: stored in its run.json by the Inspector. */
export interface RunDescriptionOptions {
  /** The run's name in comparisons and run lists (default: the run directory's name). */
  readonly label?: string;
  /** Hyper-parameters and anything else that produced the run: plain JSON data. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Versions to record besides `@monitorch/core` and `node` (e.g. your model code's). */
  readonly versions?: Readonly<Record<string, string>>;
}

/** Deepest nesting a config may have: deeper is almost surely a cycle or a framework object. */
const MAX_DEPTH = 32;

/**
 * Checks that `value` is plain JSON data (strings, finite numbers, booleans, null, arrays,
 * plain objects) and returns it typed. Anything else would be lost or changed by run.json.
 *
 * @param value - what the user passed as `config`
 * @param path - where it sits, for the message
 * @param depth - nesting so far
 * @throws MonitorchError `INVALID_ARGUMENT` naming the first value that is not JSON data
 */
export function checkConfigValue(value: unknown, path: string, depth = 0): RunConfigValue {
  const refuse = (what: string): never => {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `config${path} is ${what}, which run.json cannot store as given. ` +
        'Pass plain data: strings, finite numbers, booleans, null, arrays and plain objects (e.g. { lr: 0.01, dropout: true }).',
      { path: `config${path}` },
    );
  };
  if (depth > MAX_DEPTH) return refuse(`nested more than ${MAX_DEPTH} levels deep (a cycle?)`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : refuse(String(value));
  if (Array.isArray(value)) return value.map((v: unknown, i) => checkConfigValue(v, `${path}[${i}]`, depth + 1));
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      return refuse(`an instance of ${value.constructor.name}`);
    }
    const out: Record<string, RunConfigValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = checkConfigValue(v, `${path}.${k}`, depth + 1);
    return out;
  }
  return refuse(`a ${typeof value}`);
}

/** `@monitorch/core`'s version, read from its package.json next to the build. */
function coreVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const version: unknown = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown'; // a bundled copy has no package.json beside it
  }
}

/**
 * The label, config and versions of a run, checked, for run.json.
 *
 * @param options - what the user passed
 * @param dir - the run directory (the default label is its name)
 * @throws MonitorchError `INVALID_ARGUMENT` for a label that is not a non-empty string, a
 *   config that is not plain JSON data, or versions that are not strings
 */
export function describeRun(
  options: RunDescriptionOptions,
  dir: string,
): Pick<RunManifest, 'label' | 'config' | 'versions'> {
  const label = options.label ?? lastPathSegment(dir);
  if (typeof label !== 'string' || label.trim() === '') {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `label must be a non-empty string naming the run (e.g. "dropout-0.25"), got ${JSON.stringify(label)}.`,
      { label },
    );
  }
  const config = options.config === undefined ? undefined : checkConfigValue(options.config, '');
  if (config !== undefined && (typeof config !== 'object' || config === null || Array.isArray(config))) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      'config must be an object of named values (e.g. { lr: 0.01, epochs: 3 }), not a single value or an array.',
      {},
    );
  }
  // No `process` in a browser (the Inspector runs in web pages too): the Node version only where there is one.
  const node = (globalThis as { process?: { version?: string } }).process?.version;
  const versions: Record<string, string> = {
    '@monitorch/core': coreVersion(),
    ...(node === undefined ? {} : { node }),
  };
  for (const [name, version] of Object.entries(options.versions ?? {})) {
    if (typeof version !== 'string') {
      throw new MonitorchError('INVALID_ARGUMENT', `versions["${name}"] must be a string such as "1.2.0".`, { name });
    }
    versions[name] = version;
  }
  return {
    label,
    ...(config === undefined ? {} : { config: config as Readonly<Record<string, RunConfigValue>> }),
    versions,
  };
}

/**
 * The last segment of a path (`runs/mnist/` → `mnist`), as `path.basename` gives it, without
 * `node:path`: the Inspector calls {@link describeRun} on construction, in browsers too.
 */
function lastPathSegment(dir: string): string {
  return (
    dir
      .split(/[\\/]/)
      .filter((part) => part !== '')
      .pop() ?? dir
  );
}
