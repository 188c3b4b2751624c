import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordBatchStreamWriter, type RecordBatch, type Schema } from 'apache-arrow';
import { MonitorchError } from '../errors.js';
import type { TableSpec } from '../tables/table-spec.js';
import { FileSink } from './file-sink.js';
import { clearPreviousRun } from './previous-run.js';
import { runDamagedError } from './run-damage.js';
import { acquireRunLock, type RunLock } from './run-lock.js';
import { writeManifest, type ArrowFileSum, type RunManifest } from './run-manifest.js';
import { parseSums, SumsWriter, SUMS_SUFFIX } from './run-sums.js';
import { RUN_FORMAT_VERSION } from './metadata-keys.js';
import { conformBatch, schemaFor } from './schema.js';
import { streamToArrowFile } from './stream-to-file.js';
import { verifyStream } from './verify-stream.js';

/** Options of {@link RunWriter.open}. */
export interface RunWriterOptions {
  /**
   * `fsync` every append (default true): the epoch survives a power cut, not only a killed
   * process. `false` still writes each append to the OS before returning (a killed process
   * keeps it) and is faster on slow disks.
   */
  readonly durable?: boolean;
  /**
   * Replace a run the directory already holds (default false: opening such a directory fails
   * with `RUN_DIR_EXISTS`, so an earlier run is never replaced without asking).
   */
  readonly overwrite?: boolean;
  /** Label, config and versions to store in run.json (see {@link RunManifest}). */
  readonly describe?: Pick<RunManifest, 'label' | 'config' | 'versions'>;
}

/** One table's open stream file and its integrity sums. */
interface OpenStream {
  readonly spec: TableSpec;
  readonly schema: Schema;
  readonly sink: FileSink;
  readonly sums: SumsWriter;
  readonly writer: RecordBatchStreamWriter;
}

/** Table names become file names: keep them to characters that are safe on every OS. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Writes a run directory: per table, `<name>.arrows` (Arrow IPC stream format) appended and
 * flushed to disk every epoch, so a crash keeps every finished epoch, with
 * `<name>.arrows.sums` recording each finished epoch's bytes and checksum (so a reader tells
 * damage from a crash); on {@link close}, also `<name>.arrow` (Arrow IPC file format, what
 * polars' `read_ipc` and DuckDB expect) with the same batches. `run.json` lists the run's
 * tables and the finished files' checksums. While open, `run.lock` keeps other writers out.
 *
 * @example
 * ```ts
 * const writer = RunWriter.open('runs/mlp', [lossTable]);
 * writer.append('loss', rowsToRecordBatch(lossTable, rows)); // on disk when this returns
 * writer.close();
 * ```
 */
export class RunWriter {
  private readonly streams: Map<string, OpenStream>;
  private readonly manifest: RunManifest;
  private readonly lock: RunLock;
  private closed = false;

  private constructor(
    readonly dir: string,
    streams: Map<string, OpenStream>,
    manifest: RunManifest,
    lock: RunLock,
  ) {
    this.streams = streams;
    this.manifest = manifest;
    this.lock = lock;
  }

  /**
   * Creates the directory (recursively), takes its lock, opens one stream file per table with
   * its schema written, and writes `run.json`. The lock (`run.lock`, pid and host) is held
   * until {@link close}; a lock whose process is gone is taken over.
   *
   * @param dir - run directory
   * @param specs - the tables of the run (unique, file-safe names)
   * @param options - durability, overwrite
   * @throws MonitorchError `RUN_DIR_LOCKED` when another live writer (in this or another
   *   process) has the directory open; `RUN_DIR_EXISTS` when it holds an earlier run and
   *   `overwrite` is not set; `RUN_DIR_UNWRITABLE` when the directory or a file cannot be
   *   created; `INVALID_ARGUMENT` for duplicate or unsafe table names.
   */
  static open(dir: string, specs: readonly TableSpec[], options: RunWriterOptions = {}): RunWriter {
    const durable = options.durable ?? true;
    const names = new Set<string>();
    for (const spec of specs) {
      if (!SAFE_NAME.test(spec.name)) {
        throw new MonitorchError(
          'INVALID_ARGUMENT',
          `Table name "${spec.name}" cannot be a file name. ` +
            'Use letters, digits, dots, dashes and underscores (e.g. "output-activation").',
          { table: spec.name },
        );
      }
      if (names.has(spec.name)) {
        throw new MonitorchError(
          'INVALID_ARGUMENT',
          `Two tables are named "${spec.name}"; each table writes its own file. Give the lenses different ids.`,
          { table: spec.name },
        );
      }
      names.add(spec.name);
    }
    let lock: RunLock;
    try {
      mkdirSync(dir, { recursive: true });
      lock = acquireRunLock(dir);
    } catch (e) {
      if (e instanceof MonitorchError) throw e;
      throw unwritable(dir, 'create', e);
    }
    const streams = new Map<string, OpenStream>();
    try {
      clearPreviousRun(dir, [...names], options.overwrite ?? false);
      for (const spec of specs) {
        const schema = schemaFor(spec);
        const sink = new FileSink(join(dir, `${spec.name}.arrows`), durable);
        const sums = new SumsWriter(join(dir, `${spec.name}${SUMS_SUFFIX}`), durable);
        const writer = new RecordBatchStreamWriter({ autoDestroy: false });
        streams.set(spec.name, { spec, schema, sink, sums, writer });
        writer.reset(sink, schema); // writes the schema message into the sink
        sums.record('schema', sink.flush());
      }
      // Written last: a run.json that says "checks" promises every stream has its sums.
      const manifest: RunManifest = {
        format: RUN_FORMAT_VERSION,
        tables: [...names],
        created: new Date().toISOString(),
        checks: 'crc32',
        ...options.describe,
      };
      writeManifest(dir, manifest);
      return new RunWriter(dir, streams, manifest, lock);
    } catch (e) {
      for (const s of streams.values()) closeQuietly(s);
      lock.release();
      if (e instanceof MonitorchError) throw e;
      throw unwritable(dir, 'create', e);
    }
  }

  /** Names of the run's tables. */
  get tables(): readonly string[] {
    return [...this.streams.keys()];
  }

  /**
   * Appends one batch to the table's stream file and flushes it to disk before returning
   * (fsync unless `durable: false`). A batch without rows writes nothing.
   *
   * @param table - table name (as in its spec)
   * @param batch - rows in the table's schema, e.g. from `rowsToRecordBatch`
   * @throws MonitorchError `INVALID_ARGUMENT` for an unknown table or a batch whose columns
   *   differ from the table's; `ALREADY_CLOSED` after {@link close}; `RUN_DIR_UNWRITABLE`
   *   when the write fails (the file keeps every earlier epoch).
   */
  append(table: string, batch: RecordBatch): void {
    if (this.closed) {
      throw new MonitorchError(
        'ALREADY_CLOSED',
        `The run writer for ${this.dir} is closed; table "${table}" cannot take more rows. ` +
          'Open a new RunWriter for another run.',
        { dir: this.dir, table },
      );
    }
    const stream = this.streams.get(table);
    if (stream === undefined) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `No table named "${table}" in the run ${this.dir}. Known tables: ${this.tables.join(', ')}. ` +
          'Pass the table to RunWriter.open.',
        { dir: this.dir, table },
      );
    }
    const own = conformBatch(stream.spec, batch);
    if (own.numRows === 0) return;
    try {
      stream.writer.write(own);
      const span = stream.sink.flush();
      try {
        stream.sums.record('batch', span, own); // only now is the epoch finished
      } catch (e) {
        stream.sink.truncate(span.start); // an unrecorded batch must not stay in the stream
        throw e;
      }
    } catch (e) {
      throw unwritable(this.dir, `append to ${stream.sink.path} in`, e);
    }
  }

  /**
   * Ends every stream file (end-of-stream marker), checks it against its sums and writes each
   * table's `<name>.arrow` in the Arrow file format, one table at a time (memory stays bounded
   * by the largest table); a table without rows gets a file with its schema only. The `.arrow`
   * file appears atomically (temp file + rename; the temp file is removed when writing fails).
   * `run.json` records each file's size and checksum. Releases the directory's lock. Safe to
   * call twice.
   *
   * @throws MonitorchError `RUN_DIR_UNWRITABLE` when a file could not be finished; the other
   *   tables are still finished, and the `.arrows` files keep every appended epoch.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.finishFiles();
    } finally {
      this.lock.release();
    }
  }

  private finishFiles(): void {
    const failures: { table: string; error: unknown }[] = [];
    for (const [name, stream] of this.streams) {
      try {
        stream.writer.close(); // writes the end-of-stream marker into the sink
        stream.sink.flush();
      } catch (e) {
        failures.push({ table: name, error: e });
      } finally {
        try {
          closeQuietly(stream, true);
        } catch (e) {
          failures.push({ table: name, error: e });
        }
      }
    }
    const files: Record<string, ArrowFileSum> = {};
    for (const [name, stream] of this.streams) {
      if (failures.some((f) => f.table === name)) continue;
      try {
        const sums = parseSums(readFileSync(stream.sums.path, 'utf8'));
        const check = verifyStream(readFileSync(stream.sink.path), sums, true);
        if (check.problem !== undefined || check.data === undefined) {
          const problem = check.problem ?? 'it holds no schema';
          const lost = { lostEpochs: check.lostEpochs, lostRows: check.lostRows, keptRows: 0 };
          throw runDamagedError(this.dir, [{ table: name, path: stream.sink.path, problem, ...lost }]);
        }
        const done = streamToArrowFile(check.data, join(this.dir, `${name}.arrow`), stream.schema, stream.sink.durable);
        files[name] = { rows: done.rows, bytes: done.bytes, crc: done.crc };
      } catch (e) {
        failures.push({ table: name, error: e });
      }
    }
    try {
      writeManifest(this.dir, { ...this.manifest, closed: new Date().toISOString(), files });
    } catch (e) {
      failures.push({ table: 'run.json', error: e });
    }
    const first = failures[0];
    if (first !== undefined) {
      const list = failures.map((f) => `${f.table}: ${errorText(f.error)}`).join('; ');
      throw new MonitorchError(
        'RUN_DIR_UNWRITABLE',
        `Finishing the run files in ${this.dir} failed (${list}). ` +
          'The .arrows stream files keep every appended epoch; readRun reads them.',
        { dir: this.dir, tables: failures.map((f) => f.table) },
        { cause: first.error },
      );
    }
  }
}

/** Closes a stream's files; `loud` rethrows the first failure (else already failing). */
function closeQuietly(stream: OpenStream, loud = false): void {
  let failure: Error | undefined;
  for (const close of [() => stream.sink.closeFile(), () => stream.sums.close()]) {
    try {
      close();
    } catch (e) {
      failure ??= e instanceof Error ? e : new Error(String(e));
    }
  }
  if (loud && failure !== undefined) throw failure;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function unwritable(dir: string, doing: string, e: unknown): MonitorchError {
  const code = (e as { code?: unknown } | null)?.code;
  return new MonitorchError(
    'RUN_DIR_UNWRITABLE',
    `Could not ${doing} the run directory ${dir}: ${errorText(e)}. ` +
      'Choose a directory you can write to (runDir), free disk space, ' +
      'or omit runDir to keep the tables in memory only.',
    { dir, osCode: typeof code === 'string' ? code : undefined },
    { cause: e },
  );
}
