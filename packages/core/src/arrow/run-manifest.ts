import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** File name of the manifest in a run directory. */
export const MANIFEST_FILE = 'run.json';

/**
 * The small `run.json` of a run directory: which tables belong to the run (a directory reused
 * by a later run may still hold other files), when it started and whether it was closed.
 */
export interface RunManifest {
  /** Run file format version (`'1'`). */
  readonly format: string;
  /** Table names, in the order the lenses were given. */
  readonly tables: readonly string[];
  /** ISO time the run directory was opened. */
  readonly created: string;
  /** ISO time the run was closed; absent for a run still going or one that crashed. */
  readonly closed?: string;
}

/** Writes the manifest atomically (temp file + rename), so readers never see half of it. */
export function writeManifest(dir: string, manifest: RunManifest): void {
  const path = join(dir, MANIFEST_FILE);
  const temp = `${path}.tmp`;
  writeFileSync(temp, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(temp, path);
}
