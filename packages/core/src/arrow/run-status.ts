import { readManifest, type RunManifest } from './run-manifest.js';
import { runLockHeld } from './run-lock.js';

/**
 * Where a run stands: `finished` (closed: run.json has its end time), `running` (a live writer
 * holds its lock), `crashed` (neither: the writer stopped without closing it; its finished
 * epochs are in the `.arrows` files).
 */
export type RunStatus = 'running' | 'finished' | 'crashed';

/**
 * A run directory's manifest and status.
 *
 * @param dir - run directory
 * @returns the manifest (undefined for a directory written before run.json existed) and status
 */
export function runStatus(dir: string): { readonly manifest: RunManifest | undefined; readonly status: RunStatus } {
  const manifest = readManifest(dir);
  if (manifest?.closed !== undefined) return { manifest, status: 'finished' };
  return { manifest, status: runLockHeld(dir) ? 'running' : 'crashed' };
}
