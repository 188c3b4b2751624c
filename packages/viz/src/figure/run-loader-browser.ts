import type { Table } from 'apache-arrow';
import { MonitorchError } from '@monitorch/core';

/**
 * In a browser there are no run directories to read: bundlers substitute this file for
 * `run-loader.js` (package.json `browser` field), which reads them with `node:fs`.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` always: pass the tables themselves
 */
export function readRunTables(dir: string): Map<string, Table> {
  throw new MonitorchError(
    'INVALID_ARGUMENT',
    `Cannot read the run directory '${dir}' in a browser: there is no file system. ` +
      'Pass the lens tables themselves (inspector.allTables()) to renderFigure.',
    { dir },
  );
}
