import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { tableFromIPC } from 'apache-arrow';
import { MonitorchError } from '../errors.js';
import { MANIFEST_FILE } from './run-manifest.js';
import { scanStream } from './stream-scan.js';

/** How one table of a run was read. */
export interface RunTableSource {
  /** The file read. */
  readonly path: string;
  /** `file`: the finished `.arrow`; `stream`: the `.arrows` of a run that was not closed. */
  readonly format: 'file' | 'stream';
  /** Bytes of a message cut short at the end of a stream file (a crash mid-append), else 0. */
  readonly droppedBytes: number;
}

/**
 * Turns the bytes of a `.arrow` or `.arrows` file into a table. A stream file is cut to its
 * complete messages first, so a half-written last batch (the process was killed during an
 * append) is dropped and every complete batch is kept.
 */
function tableFromRunFile(
  bytes: Uint8Array,
  format: 'file' | 'stream',
): { table: Table; droppedBytes: number } | undefined {
  if (format === 'file') return { table: tableFromIPC(bytes), droppedBytes: 0 };
  const scan = scanStream(bytes);
  // A crash during RunWriter.open can leave a stream without even its schema: no table.
  if (!scan.hasSchema) return undefined;
  return { table: tableFromIPC(bytes.subarray(0, scan.completeBytes)), droppedBytes: scan.trailingBytes };
}

/**
 * Table names of a run: from run.json when present, else every `.arrow`/`.arrows` file.
 * Internal: shared with finishRun.
 */
export function tableNames(dir: string, manifestText: string | undefined, entries: readonly string[]): string[] {
  if (manifestText !== undefined) {
    try {
      const parsed = JSON.parse(manifestText) as { tables?: unknown };
      if (Array.isArray(parsed.tables) && parsed.tables.every((t) => typeof t === 'string')) {
        return parsed.tables;
      }
    } catch {
      // fall through to the directory listing: the data files matter more than the manifest
    }
  }
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

function corrupt(dir: string, path: string, e: unknown): MonitorchError {
  const why = e instanceof Error ? e.message : String(e);
  return new MonitorchError(
    'RUN_DIR_UNREADABLE',
    `The run file ${path} is not a readable Arrow file (${why}). It was probably cut short or overwritten; ` +
      'if a .arrows file sits next to it, delete the .arrow file to read the stream instead.',
    { dir, path },
    { cause: e },
  );
}

/** One table's file to read: the finished `.arrow`, else the stream `.arrows`. */
interface RunFile {
  readonly name: string;
  readonly path: string;
  readonly format: 'file' | 'stream';
}

/** The file to read for every table of a run (tables with neither file are left out). */
function runFiles(dir: string, manifestText: string | undefined, entries: readonly string[]): RunFile[] {
  const present = new Set(entries);
  const files: RunFile[] = [];
  for (const name of tableNames(dir, manifestText, entries)) {
    if (present.has(`${name}.arrow`)) files.push({ name, path: join(dir, `${name}.arrow`), format: 'file' });
    else if (present.has(`${name}.arrows`)) files.push({ name, path: join(dir, `${name}.arrows`), format: 'stream' });
  }
  return files;
}

/**
 * Decodes one run file into `tables` (and `sources`). `bytes` reads the file; a read or decode
 * failure is reported as a damaged run file.
 */
function addTable(
  tables: Map<string, Table>,
  sources: Map<string, RunTableSource> | undefined,
  dir: string,
  file: RunFile,
  bytes: () => Uint8Array,
): void {
  let read: ReturnType<typeof tableFromRunFile>;
  try {
    read = tableFromRunFile(bytes(), file.format);
  } catch (e) {
    throw corrupt(dir, file.path, e);
  }
  if (read === undefined) return;
  tables.set(file.name, read.table);
  sources?.set(file.name, { path: file.path, format: file.format, droppedBytes: read.droppedBytes });
}

/**
 * Reads every table of a run directory, synchronously. See {@link readRun}.
 *
 * @param dir - run directory
 * @param sources - filled, when given, with which file each table came from
 */
export function readRunSync(dir: string, sources?: Map<string, RunTableSource>): Map<string, Table> {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    entries = readdirSync(dir);
  } catch (e) {
    throw unreadable(dir, e);
  }
  const manifest = entries.includes(MANIFEST_FILE) ? readManifestSync(join(dir, MANIFEST_FILE)) : undefined;
  const tables = new Map<string, Table>();
  for (const file of runFiles(dir, manifest, entries))
    addTable(tables, sources, dir, file, () => readFileSync(file.path));
  return tables;
}

/**
 * Reads every table of a run directory into Arrow tables, by table name. A closed run is read
 * from its `<name>.arrow` files; a run that crashed (or is still going) from its
 * `<name>.arrows` stream files, keeping every complete epoch and dropping a batch that was
 * cut short. Only the tables listed in `run.json` are read when it exists. The tables carry
 * the schema metadata (`plotSpecOf`, `tableSpecOf` read it back).
 *
 * @param dir - run directory
 * @param sources - filled, when given, with which file each table came from
 * @throws MonitorchError `RUN_DIR_UNREADABLE` when the directory is missing or holds no run,
 *   or a finished `.arrow` file is damaged.
 *
 * @example
 * ```ts
 * const tables = await readRun('runs/mlp');
 * const loss = tables.get('loss');
 * ```
 */
export async function readRun(dir: string, sources?: Map<string, RunTableSource>): Promise<Map<string, Table>> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    entries = await readdir(dir);
  } catch (e) {
    throw unreadable(dir, e);
  }
  const manifest = entries.includes(MANIFEST_FILE)
    ? await readFile(join(dir, MANIFEST_FILE), 'utf8').catch(() => undefined)
    : undefined;
  const tables = new Map<string, Table>();
  for (const file of runFiles(dir, manifest, entries)) {
    const bytes = await readFile(file.path).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    addTable(tables, sources, dir, file, () => {
      if (bytes instanceof Error) throw bytes;
      return bytes;
    });
  }
  return tables;
}

/** run.json's text, or undefined when it cannot be read (the data files matter more). */
function readManifestSync(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
