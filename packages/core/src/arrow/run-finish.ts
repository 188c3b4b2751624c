import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MonitorchError } from '../errors.js';
import { MANIFEST_FILE } from './run-manifest.js';
import { tableNames } from './run-reader.js';
import { streamToArrowFile } from './stream-to-file.js';

/** What {@link finishRun} did for one table. */
export interface FinishedTable {
  /** Table name. */
  readonly table: string;
  /** Record batches (epochs) in the new `.arrow` file. */
  readonly batches: number;
  /** Bytes of a batch cut short by the crash that were left out. */
  readonly droppedBytes: number;
}

/**
 * Finishes the files of a run that was not closed (the process crashed or was killed): for
 * every table that has only its `<name>.arrows` stream, writes `<name>.arrow` in the Arrow
 * file format from the stream's complete batches. Afterwards polars' `read_ipc`, pandas and
 * DuckDB read the run as if it had been closed; a batch cut short by the crash (which those
 * readers would refuse) is left out. Tables that already have their `.arrow` are left alone.
 * Do not call it on a run that is still being written.
 *
 * @param dir - run directory
 * @returns one entry per table that was finished
 * @throws MonitorchError `RUN_DIR_UNREADABLE` when the directory is missing or holds no run;
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
  const manifest = entries.includes(MANIFEST_FILE) ? readFileSync(join(dir, MANIFEST_FILE), 'utf8') : undefined;
  const finished: FinishedTable[] = [];
  for (const table of tableNames(dir, manifest, entries)) {
    const streamPath = join(dir, `${table}.arrows`);
    const filePath = join(dir, `${table}.arrow`);
    if (existsSync(filePath) || !existsSync(streamPath)) continue;
    try {
      const done = streamToArrowFile(streamPath, filePath, undefined, true);
      if (done !== undefined) finished.push({ table, ...done });
    } catch (e) {
      throw new MonitorchError(
        'RUN_DIR_UNWRITABLE',
        `Could not write ${filePath}: ${e instanceof Error ? e.message : String(e)}. Check the directory's permissions and free space.`,
        { dir, table },
        { cause: e },
      );
    }
  }
  return finished;
}
