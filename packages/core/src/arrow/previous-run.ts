import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MonitorchError } from '../errors.js';
import { MANIFEST_FILE, readManifest } from './run-manifest.js';
import { SUMS_SUFFIX } from './run-sums.js';

/** Files of a run: its manifest and its tables' stream, file and sums files. */
const RUN_FILE = /^(run\.json|.+\.arrows?|.+\.arrows\.sums)$/;
/** Temp files a writer leaves when it is killed or its disk fills up mid-write. */
const LEFTOVER_TEMP = /^(run\.json|.+\.arrow)\.tmp$/;

/**
 * Makes a run directory ready for a new run, under its lock. A directory that already holds a
 * run (its run.json or any table file, finished or from a crashed writer) is refused unless
 * `overwrite` is set: re-running a script must not replace yesterday's run without asking.
 * With `overwrite`, the earlier run's table files go (those its run.json lists, and the new
 * run's names), so none of them can be mistaken for the new run's. Temp files left by a
 * crashed or failed writer are removed either way; other files (figures, notes) are kept.
 *
 * @param dir - the run directory (exists, lock held)
 * @param tables - the new run's table names
 * @param overwrite - whether an existing run may be replaced
 * @throws MonitorchError `RUN_DIR_EXISTS` when the directory holds a run and `overwrite` is not set.
 */
export function clearPreviousRun(dir: string, tables: readonly string[], overwrite: boolean): void {
  const entries = readdirSync(dir);
  for (const e of entries) if (LEFTOVER_TEMP.test(e)) rmSync(join(dir, e), { force: true });
  const found = entries.filter((e) => RUN_FILE.test(e));
  if (found.length === 0) return;
  if (!overwrite) {
    const manifest = readManifest(dir);
    const when = manifest === undefined ? '' : ` (started ${manifest.created}${manifest.closed ? '' : ', not closed'})`;
    throw new MonitorchError(
      'RUN_DIR_EXISTS',
      `The directory ${dir} already holds a run${when}: ${found.slice(0, 4).join(', ')}` +
        `${found.length > 4 ? ', …' : ''}. Writing into it would replace that run. ` +
        'Choose another runDir, or pass overwrite: true (Inspector or RunWriter.open options) to replace it.',
      { dir, files: found },
    );
  }
  const names = new Set([...(readManifest(dir)?.tables ?? []), ...tables]);
  for (const name of names) {
    for (const suffix of ['.arrow', '.arrows', SUMS_SUFFIX]) rmSync(join(dir, `${name}${suffix}`), { force: true });
  }
  rmSync(join(dir, MANIFEST_FILE), { force: true });
}
