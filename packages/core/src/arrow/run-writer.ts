import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RecordBatchStreamWriter, type RecordBatch, type Schema } from 'apache-arrow';
import { MonitorchError } from '../errors.js';
import type { TableSpec } from '../tables/table-spec.js';
import { FileSink } from './file-sink.js';
import { writeManifest, type RunManifest } from './run-manifest.js';
import { RUN_FORMAT_VERSION } from './metadata-keys.js';
import { conformBatch, schemaFor } from './schema.js';
import { streamToArrowFile } from './stream-to-file.js';

/** Options of {@link RunWriter.open}. */
export interface RunWriterOptions {
  /**
   * `fsync` every append (default true): the epoch survives a power cut, not only a killed
   * process. `false` still writes each append to the OS before returning (a killed process
   * keeps it) and is faster on slow disks.
   */
  readonly durable?: boolean;
}

/** One table's open stream file. */
interface OpenStream {
  readonly spec: TableSpec;
  readonly schema: Schema;
  readonly sink: FileSink;
  readonly writer: RecordBatchStreamWriter;
}

/** Table names become file names: keep them to characters that are safe on every OS. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Writes a run directory: per table, `<name>.arrows` (Arrow IPC stream format) appended and
 * flushed to disk every epoch, so a crash keeps every finished epoch; on {@link close}, also
 * `<name>.arrow` (Arrow IPC file format, what polars' `read_ipc` and DuckDB expect) with the
 * same batches. `run.json` lists the run's tables.
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
  private closed = false;

  private constructor(
    readonly dir: string,
    streams: Map<string, OpenStream>,
    manifest: RunManifest,
  ) {
    this.streams = streams;
    this.manifest = manifest;
  }

  /**
   * Creates the directory (recursively), writes `run.json` and opens one stream file per
   * table with its schema written. An existing `<name>.arrow` from an earlier run in the same
   * directory is removed, so it cannot be mistaken for this run's.
   *
   * @param dir - run directory
   * @param specs - the tables of the run (unique, file-safe names)
   * @param options - durability
   * @throws MonitorchError `RUN_DIR_UNWRITABLE` when the directory or a file cannot be
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
    const streams = new Map<string, OpenStream>();
    try {
      mkdirSync(dir, { recursive: true });
      for (const spec of specs) {
        rmSync(join(dir, `${spec.name}.arrow`), { force: true });
      }
      const manifest: RunManifest = {
        format: RUN_FORMAT_VERSION,
        tables: [...names],
        created: new Date().toISOString(),
      };
      writeManifest(dir, manifest);
      for (const spec of specs) {
        const schema = schemaFor(spec);
        const sink = new FileSink(join(dir, `${spec.name}.arrows`), durable);
        const writer = new RecordBatchStreamWriter({ autoDestroy: false });
        streams.set(spec.name, { spec, schema, sink, writer });
        writer.reset(sink, schema); // writes the schema message into the sink
        sink.flush();
      }
      return new RunWriter(dir, streams, manifest);
    } catch (e) {
      for (const s of streams.values()) {
        try {
          s.sink.closeFile();
        } catch {
          /* already failing */
        }
      }
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
      stream.sink.flush();
    } catch (e) {
      throw unwritable(this.dir, `append to ${stream.sink.path} in`, e);
    }
  }

  /**
   * Ends every stream file (end-of-stream marker) and writes each table's `<name>.arrow` in
   * the Arrow file format, one table at a time (memory stays bounded by the largest table).
   * The `.arrow` file appears atomically (temp file + rename). Safe to call twice.
   *
   * @throws MonitorchError `RUN_DIR_UNWRITABLE` when a file could not be finished; the other
   *   tables are still finished, and the `.arrows` files keep every appended epoch.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const failures: { table: string; error: unknown }[] = [];
    for (const [name, stream] of this.streams) {
      try {
        stream.writer.close(); // writes the end-of-stream marker into the sink
        stream.sink.flush();
      } catch (e) {
        failures.push({ table: name, error: e });
      } finally {
        try {
          stream.sink.closeFile();
        } catch (e) {
          failures.push({ table: name, error: e });
        }
      }
    }
    for (const [name, stream] of this.streams) {
      if (failures.some((f) => f.table === name)) continue;
      try {
        streamToArrowFile(stream.sink.path, join(this.dir, `${name}.arrow`), stream.schema, stream.sink.durable);
      } catch (e) {
        failures.push({ table: name, error: e });
      }
    }
    try {
      writeManifest(this.dir, { ...this.manifest, closed: new Date().toISOString() });
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
