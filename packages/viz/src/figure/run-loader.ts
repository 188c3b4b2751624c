import { readdirSync } from 'node:fs';
import type { Table } from 'apache-arrow';
import { readRunSync, type ReadRunOptions } from '@monitorch/core';

/**
 * Reads every lens table of a run directory with core's reader (finished `.arrow` files, or
 * the `.arrows` streams of a run still being written, up to their last finished epoch).
 * A directory that exists but holds no table yet reads as no tables, so a live page can wait
 * for a run that has not written its first epoch.
 *
 * @param dir - run directory
 * @param options - core's reader options: `damaged: 'recover'` to draw the intact rows of a
 *   damaged run (default: throw), `sources` to learn what was damaged
 * @throws MonitorchError `RUN_DIR_UNREADABLE` when `dir` is missing; `RUN_DAMAGED` when a run
 *   file is damaged (unless `damaged: 'recover'`)
 */
export function readRunTables(dir: string, options: ReadRunOptions = {}): Map<string, Table> {
  let empty = false;
  try {
    empty = !readdirSync(dir).some((f) => /\.arrows?$/.test(f) || f === 'run.json');
  } catch {
    // missing or unreadable: let core's reader say so in its own words
  }
  return empty ? new Map<string, Table>() : readRunSync(dir, options);
}
