import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Table } from 'apache-arrow';
import { MonitorchError } from '../errors.js';
import { runDamagedError, type RunDamage } from './run-damage.js';
import { MANIFEST_FILE, parseManifest } from './run-manifest.js';
import { SUMS_SUFFIX } from './run-sums.js';
import { readRunTable, type RunTableSource, type TableFiles, type TableRead } from './run-table-reader.js';

export type { RunTableSource } from './run-table-reader.js';

/** Options of {@link readRun} and {@link readRunSync}. */
export interface ReadRunOptions {
  /**
   * What to do when a run file is damaged (a finished epoch missing or altered, a file
   * holding another table, a table's files gone): `'throw'` (default) fails with
   * `RUN_DAMAGED`; `'recover'` returns the intact rows and reports the damage in `sources`.
   */
  readonly damaged?: 'throw' | 'recover';
  /** Filled, when given, with which file each table came from and any damage found. */
  readonly sources?: Map<string, RunTableSource>;
}

/**
 * Table names of a run: from run.json when present, else every `.arrow`/`.arrows` file.
 * Internal: shared with finishRun.
 */
export function tableNames(dir: string, manifestText: string | undefined, entries: readonly string[]): string[] {
  const manifest = parseManifest(manifestText);
  if (manifest !== undefined) return [...manifest.tables];
  const names = new Set<string>();
  for (const e of entries) {
    const m = /^(.+)\.arrows?$/.exec(e);
    if (m?.[1] !== undefined) names.add(m[1]);
  }
  if (names.size === 0) {
    throw new MonitorchError(
      'RUN_DIR_UNREADABLE',
      `${dir} is not a monitorch run directory: it has no ${MANIFEST_FILE} and no .arrow or .arrows files. Pass the directory given as runDir.`,
      { dir },
    );
  }
  return [...names].sort();
}

function unreadable(dir: string, e: unknown): MonitorchError {
  const why = e instanceof Error ? e.message : String(e);
  return new MonitorchError(
    'RUN_DIR_UNREADABLE',
    `Could not read the run directory ${dir}: ${why}. Check the path (it is the runDir the run was written to) and its permissions.`,
    { dir },
    { cause: e },
  );
}

/** The second argument of the readers: the sources map (older signature) or options. */
function optionsOf(arg: Map<string, RunTableSource> | ReadRunOptions | undefined): ReadRunOptions {
  return arg instanceof Map ? { sources: arg } : (arg ?? {});
}

/** The file paths of a table, by role. */
function pathsOf(dir: string, name: string): Record<keyof TableFiles, string> {
  return {
    arrow: join(dir, `${name}.arrow`),
    stream: join(dir, `${name}.arrows`),
    sums: join(dir, `${name}${SUMS_SUFFIX}`),
  };
}

/** Gathers the tables read; throws for damage unless the caller accepts it. */
function collect(dir: string, reads: readonly [string, TableRead][], options: ReadRunOptions): Map<string, Table> {
  const damage: RunDamage[] = reads.flatMap(([, r]) => r.damage);
  if (damage.length > 0 && options.damaged !== 'recover') throw runDamagedError(dir, damage);
  const tables = new Map<string, Table>();
  for (const [name, read] of reads) {
    if (read.table !== undefined) tables.set(name, read.table);
    if (read.source !== undefined || read.damage.length > 0) {
      const base = read.source ?? { path: join(dir, `${name}.arrows`), format: 'stream' as const, droppedBytes: 0 };
      options.sources?.set(name, read.damage.length === 0 ? base : { ...base, damage: read.damage });
    }
  }
  return tables;
}

/**
 * Reads every table of a run directory, synchronously. See {@link readRun}.
 *
 * @param dir - run directory
 * @param options - what to do with damage, and a map to fill with each table's source (a
 *   `Map` alone is taken as `{ sources }`)
 */
export function readRunSync(dir: string, options?: Map<string, RunTableSource> | ReadRunOptions): Map<string, Table> {
  const opts = optionsOf(options);
  let entries: string[];
  let manifestText: string | undefined;
  const reads: [string, TableRead][] = [];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    entries = readdirSync(dir);
    manifestText = entries.includes(MANIFEST_FILE) ? readFileSync(join(dir, MANIFEST_FILE), 'utf8') : undefined;
    const manifest = parseManifest(manifestText);
    for (const name of tableNames(dir, manifestText, entries)) {
      const p = pathsOf(dir, name);
      // Sums before the stream: a live writer appends the stream first, so every sums line
      // read has its bytes in the stream read after it.
      const sums = existsSync(p.sums) ? readFileSync(p.sums, 'utf8') : undefined;
      const stream = existsSync(p.stream) ? readFileSync(p.stream) : undefined;
      const files: TableFiles = { arrow: existsSync(p.arrow) ? readFileSync(p.arrow) : undefined, stream, sums };
      reads.push([name, readRunTable(dir, name, files, manifest)]);
    }
  } catch (e) {
    throw e instanceof MonitorchError ? e : unreadable(dir, e);
  }
  return collect(dir, reads, opts);
}

/**
 * Reads every table of a run directory into Arrow tables, by table name, checking every file
 * for damage. A closed run is read from its `<name>.arrow` files (checked against the size and
 * checksum in run.json); a run that crashed (or is still going) from its `<name>.arrows`
 * stream files, checked against their `.arrows.sums`: every finished epoch must be there,
 * intact, while an append the crash cut short is dropped (that epoch never finished; see
 * `droppedBytes`). A damaged `.arrow` beside an intact `.arrows` is read from the stream
 * (`fallback` says why). Only the tables listed in `run.json` are read when it exists. The
 * tables carry the schema metadata (`plotSpecOf`, `tableSpecOf` read it back).
 *
 * @param dir - run directory
 * @param options - what to do with damage, and a map to fill with each table's source (a
 *   `Map` alone is taken as `{ sources }`)
 * @throws MonitorchError `RUN_DIR_UNREADABLE` when the directory is missing, holds no run or a
 *   file cannot be read; `RUN_DAMAGED` when a file is damaged (every damaged file, the epochs
 *   lost and the rows intact), unless `damaged: 'recover'`.
 *
 * @example
 * ```ts
 * const tables = await readRun('runs/mlp');
 * const loss = tables.get('loss');
 * const sources = new Map();
 * const partial = await readRun('runs/damaged', { damaged: 'recover', sources }); // sources: what was lost
 * ```
 */
export async function readRun(
  dir: string,
  options?: Map<string, RunTableSource> | ReadRunOptions,
): Promise<Map<string, Table>> {
  const opts = optionsOf(options);
  const reads: [string, TableRead][] = [];
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    const entries = await readdir(dir);
    const present = new Set(entries);
    const manifestText = present.has(MANIFEST_FILE) ? await readFile(join(dir, MANIFEST_FILE), 'utf8') : undefined;
    const manifest = parseManifest(manifestText);
    const bytesOf = async (p: string): Promise<Buffer | undefined> =>
      present.has(basename(p)) ? await readFile(p) : undefined;
    for (const name of tableNames(dir, manifestText, entries)) {
      const p = pathsOf(dir, name);
      const sums = await bytesOf(p.sums); // before the stream, as in readRunSync
      const stream = await bytesOf(p.stream);
      const files: TableFiles = { arrow: await bytesOf(p.arrow), stream, sums: sums?.toString('utf8') };
      reads.push([name, readRunTable(dir, name, files, manifest)]);
    }
  } catch (e) {
    throw e instanceof MonitorchError ? e : unreadable(dir, e);
  }
  return collect(dir, reads, opts);
}
