import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { tableFromIPC, type Table } from 'apache-arrow';
import { TABLE_METADATA_KEY } from './metadata-keys.js';
import type { RunDamage } from './run-damage.js';
import type { ArrowFileSum, RunManifest } from './run-manifest.js';
import { parseSums } from './run-sums.js';
import { verifyStream } from './verify-stream.js';

/** How one table of a run was read. */
export interface RunTableSource {
  /** The file read. */
  readonly path: string;
  /** `file`: the finished `.arrow`; `stream`: the `.arrows` (a run not closed, or a damaged `.arrow`). */
  readonly format: 'file' | 'stream';
  /** Bytes of an append cut short at the end of a stream file (a crash mid-append), else 0. */
  readonly droppedBytes: number;
  /** Why the `.arrow` was not read although it exists (it was damaged; the stream was intact). */
  readonly fallback?: string;
  /** Damage found in the table's files (only in `damaged: 'recover'` mode; else readRun throws). */
  readonly damage?: readonly RunDamage[];
}

/** The contents of one table's files; undefined for a file that does not exist. */
export interface TableFiles {
  readonly arrow: Uint8Array | undefined;
  readonly stream: Uint8Array | undefined;
  readonly sums: string | undefined;
}

/** One table as read: the table (absent when nothing is readable) and what was wrong. */
export interface TableRead {
  readonly table?: Table;
  readonly source?: RunTableSource;
  readonly damage: readonly RunDamage[];
}

/**
 * Reads one table of a run from its files, checking them: a finished `.arrow` against the size
 * and checksum run.json recorded, a `.arrows` against its sums, and either against the table
 * name it must hold. A damaged `.arrow` beside an intact `.arrows` is read from the stream.
 *
 * @param dir - the run directory
 * @param name - the table
 * @param files - the table's file contents
 * @param manifest - the run's parsed run.json, if any
 */
export function readRunTable(
  dir: string,
  name: string,
  files: TableFiles,
  manifest: RunManifest | undefined,
): TableRead {
  const arrowPath = join(dir, `${name}.arrow`);
  const streamPath = join(dir, `${name}.arrows`);
  const expected = manifest?.files?.[name];
  const checked = manifest?.checks === 'crc32';
  let fileProblem: string | undefined;
  // A checked run's .arrow without a recorded checksum was cut off by a crash during close:
  // the stream, whose every epoch has its sums, is the one to trust.
  const trustFile = expected !== undefined || !checked || files.stream === undefined;
  if (files.arrow !== undefined && trustFile) {
    fileProblem = fileSumProblem(files.arrow, expected);
    if (fileProblem === undefined) {
      const read = decode(files.arrow, name);
      if (read.table !== undefined && expected !== undefined && read.table.numRows !== expected.rows) {
        read.problem = `it holds ${read.table.numRows} rows where run.json recorded ${expected.rows}`;
      }
      if (read.problem === undefined && read.table !== undefined) {
        return { table: read.table, source: { path: arrowPath, format: 'file', droppedBytes: 0 }, damage: [] };
      }
      fileProblem = read.problem;
    }
  }
  if (files.stream !== undefined) {
    const sums = files.sums === undefined ? undefined : parseSums(files.sums);
    const check = verifyStream(files.stream, sums, checked);
    const read = check.data === undefined ? {} : decode(check.data, name);
    let problem = check.problem ?? read.problem;
    if (problem === undefined && read.table !== undefined && expected !== undefined) {
      if (read.table.numRows !== expected.rows) {
        problem = `it holds ${read.table.numRows} rows where run.json recorded ${expected.rows}`;
      }
    }
    const damage: RunDamage[] = [];
    if (problem !== undefined) {
      const lost = { lostEpochs: check.lostEpochs, lostRows: read.problem === undefined ? check.lostRows : undefined };
      damage.push({ table: name, path: streamPath, problem, ...lost, keptRows: read.table?.numRows ?? 0 });
    }
    if (fileProblem !== undefined && problem !== undefined) {
      damage.push({
        table: name,
        path: arrowPath,
        problem: fileProblem,
        lostEpochs: [],
        lostRows: undefined,
        keptRows: 0,
      });
    }
    const source: RunTableSource = {
      path: streamPath,
      format: 'stream',
      droppedBytes: check.droppedBytes,
      ...(fileProblem === undefined ? {} : { fallback: `${arrowPath}: ${fileProblem}` }),
    };
    return { ...(read.table === undefined ? {} : { table: read.table, source }), damage };
  }
  if (fileProblem !== undefined) {
    const lost = { lostEpochs: [], lostRows: expected?.rows, keptRows: 0 };
    return { damage: [{ table: name, path: arrowPath, problem: fileProblem, ...lost }] };
  }
  if (checked && manifest?.tables.includes(name) === true) {
    const problem = `run.json lists the table but neither ${name}.arrow nor ${name}.arrows exists`;
    return { damage: [{ table: name, path: streamPath, problem, lostEpochs: [], lostRows: undefined, keptRows: 0 }] };
  }
  return { damage: [] };
}

/** Why a `.arrow` does not match what run.json recorded for it; undefined when it does. */
function fileSumProblem(bytes: Uint8Array, expected: ArrowFileSum | undefined): string | undefined {
  if (bytes.byteLength === 0) return 'it is empty';
  if (expected === undefined) return undefined;
  if (bytes.byteLength !== expected.bytes) {
    return `it has ${bytes.byteLength} bytes where run.json recorded ${expected.bytes}`;
  }
  if (crc32(bytes) !== expected.crc) return 'it does not match the checksum run.json recorded';
  return undefined;
}

/** Decodes Arrow IPC bytes and checks the table is the one the file is named after. */
function decode(bytes: Uint8Array, name: string): { table?: Table; problem?: string } {
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (e) {
    return { problem: `it is not readable Arrow data (${e instanceof Error ? e.message : String(e)})` };
  }
  const holds = table.schema.metadata.get(TABLE_METADATA_KEY);
  if (holds !== name) {
    const what = holds === undefined ? 'no monitorch table name' : `the table "${holds}"`;
    return { problem: `it holds ${what}, not "${name}" (a file copied or renamed into this run?)` };
  }
  return { table };
}
