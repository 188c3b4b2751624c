import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MonitorchError } from '../errors.js';
import { runDamagedError } from './run-damage.js';
import { MANIFEST_FILE, readManifest, writeManifest, type ArrowFileSum } from './run-manifest.js';
import { tableNames } from './run-reader.js';
import { parseSums, SUMS_SUFFIX } from './run-sums.js';
import { streamToArrowFile } from './stream-to-file.js';
import { verifyStream } from './verify-stream.js';

/** What {@link finishRun} did for one table. */
export interface FinishedTable {
  /** Table name. */
  readonly table: string;
  /** Record batches (epochs) in the new `.arrow` file. */
  readonly batches: number;
  /** Bytes of an append cut short by the crash that were left out. */
  readonly droppedBytes: number;
}

/**
 * Finishes the files of a run that was not closed (the process crashed or was killed): for
 * every table that has only its `<name>.arrows` stream, writes `<name>.arrow` in the Arrow
 * file format from the stream's finished batches, and records its checksum in run.json.
 * Afterwards polars' `read_ipc`, pandas and DuckDB read the run as if it had been closed; an
 * append cut short by the crash (which those readers would refuse) is left out. Tables that
 * already have their `.arrow` are left alone. Do not call it on a run that is still being written.
 *
 * @param dir - run directory
 * @returns one entry per table that was finished
 * @throws MonitorchError `RUN_DIR_UNREADABLE` when the directory is missing or holds no run;
 *   `RUN_DAMAGED` when a finished epoch of a stream is missing or altered (nothing is
 *   written for a damaged run: read it with `readRun(dir, { damaged: 'recover' })`);
 *   `RUN_DIR_UNWRITABLE` when a file cannot be written.
 */
export function finishRun(dir: string): FinishedTable[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    entries = readdirSync(dir);
  } catch (e) {
    throw new MonitorchError(
      'RUN_DIR_UNREADABLE',
      `Could not read the run directory ${dir}: ${e instanceof Error ? e.message : String(e)}. Pass the runDir the run was written to.`,
      { dir },
      { cause: e },
    );
  }
  const manifestText = entries.includes(MANIFEST_FILE) ? readFileSync(join(dir, MANIFEST_FILE), 'utf8') : undefined;
  const manifest = readManifest(dir);
  const todo: { table: string; data: Uint8Array; droppedBytes: number }[] = [];
  for (const table of tableNames(dir, manifestText, entries)) {
    const streamPath = join(dir, `${table}.arrows`);
    if (existsSync(join(dir, `${table}.arrow`)) || !existsSync(streamPath)) continue;
    const sumsPath = join(dir, `${table}${SUMS_SUFFIX}`);
    const sums = existsSync(sumsPath) ? parseSums(readFileSync(sumsPath, 'utf8')) : undefined;
    const check = verifyStream(readFileSync(streamPath), sums, manifest?.checks === 'crc32');
    if (check.problem !== undefined) {
      const lost = { lostEpochs: check.lostEpochs, lostRows: check.lostRows, keptRows: 0 };
      throw runDamagedError(dir, [{ table, path: streamPath, problem: check.problem, ...lost }]);
    }
    if (check.data !== undefined) todo.push({ table, data: check.data, droppedBytes: check.droppedBytes });
  }
  const files: Record<string, ArrowFileSum> = { ...manifest?.files };
  const finished: FinishedTable[] = [];
  for (const { table, data, droppedBytes } of todo) {
    const filePath = join(dir, `${table}.arrow`);
    try {
      const done = streamToArrowFile(data, filePath, undefined, true);
      files[table] = { rows: done.rows, bytes: done.bytes, crc: done.crc };
      finished.push({ table, batches: done.batches, droppedBytes });
    } catch (e) {
      throw new MonitorchError(
        'RUN_DIR_UNWRITABLE',
        `Could not write ${filePath}: ${e instanceof Error ? e.message : String(e)}. Check the directory's permissions and free space.`,
        { dir, table },
        { cause: e },
      );
    }
  }
  if (manifest !== undefined && finished.length > 0) writeManifest(dir, { ...manifest, files });
  return finished;
}
