import { readdirSync } from 'node:fs';
import type { Table } from 'apache-arrow';
import { readRunSync } from '@monitorch/core';

/**
 * Reads every lens table of a run directory with core's reader (finished `.arrow` files, or
 * the `.arrows` streams of a run still being written, up to their last complete batch).
 * A directory that exists but holds no table yet reads as no tables, so a live page can wait
 * for a run that has not written its first epoch.
 *
 * @param dir - run directory
 * @throws MonitorchError `RUN_DIR_UNREADABLE` when `dir` is missing or a finished file is damaged
 */
export function readRunTables(dir: string): Map<string, Table> {
  let empty = false;
  try {
    empty = !readdirSync(dir).some((f) => /\.arrows?$/.test(f) || f === 'run.json');
  } catch {
    // missing or unreadable: let core's reader say so in its own words
  }
  return empty ? new Map<string, Table>() : readRunSync(dir);
}
