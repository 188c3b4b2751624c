import { MonitorchError } from '@monitorch/core';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './checkpoint-format.js';

/**
 * Writes a checkpoint file (Node only). Written to a temporary file first and renamed, so an
 * interrupted save never leaves a half-written checkpoint under `path`.
 *
 * @throws MonitorchError `RUN_DIR_UNWRITABLE` when the file cannot be written
 */
export async function writeCheckpointFile(path: string, checkpoint: Checkpoint): Promise<void> {
  const { mkdir, rename, writeFile } = await import('node:fs/promises');
  // A namespace, not destructured: node:path's functions are typed as methods of PlatformPath.
  const nodePath = await import('node:path');
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(nodePath.dirname(path), { recursive: true });
    await writeFile(temporary, encodeCheckpoint(checkpoint));
    await rename(temporary, path);
  } catch (e) {
    throw new MonitorchError(
      'RUN_DIR_UNWRITABLE',
      `Cannot write the checkpoint ${path}: ${e instanceof Error ? e.message : String(e)}. Check the directory exists and is writable.`,
      { path },
      { cause: e },
    );
  }
}

/**
 * Reads a checkpoint file (Node only).
 *
 * @throws MonitorchError `RUN_DIR_UNREADABLE` when the file cannot be read, `INVALID_ARGUMENT`
 *   when it is not a checkpoint
 */
export async function readCheckpointFile(path: string): Promise<Checkpoint> {
  const { readFile } = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new MonitorchError(
      'RUN_DIR_UNREADABLE',
      `Cannot read the checkpoint ${path}: ${e instanceof Error ? e.message : String(e)}.`,
      { path },
      { cause: e },
    );
  }
  return decodeCheckpoint(bytes);
}
