import { basename, resolve } from 'node:path';
import { Table, type DataType, type Field } from 'apache-arrow';
import { MonitorchError } from '../errors.js';
import type { ColumnSpec, TableRow, TableSpec } from '../tables/table-spec.js';
import { readRun, readRunSync, type ReadRunOptions } from './run-reader.js';
import { runStatus, type RunStatus } from './run-status.js';
import type { RunManifest } from './run-manifest.js';
import { rowsToRecordBatch } from './schema.js';
import { tableSpecOf } from './schema-reader.js';

/** Options of {@link readRuns}. */
export interface ReadRunsOptions {
  /** What to do with damaged run files (see `readRun`); default `'throw'`. */
  readonly damaged?: ReadRunOptions['damaged'];
}

/** One run of a comparison: its directory, the name its rows carry, and what run.json says. */
export interface RunEntry {
  /** The directory, as given. */
  readonly dir: string;
  /** The value of the `run` column for this run (see {@link runNames}). */
  readonly run: string;
  /** The run's label from run.json (default: the directory's name). */
  readonly label: string;
  /** Finished, running or crashed. */
  readonly status: RunStatus;
  /** run.json, when the run has one. */
  readonly manifest: RunManifest | undefined;
}

/** The column every combined table starts with. */
export const RUN_COLUMN: ColumnSpec = {
  name: 'run',
  type: 'utf8',
  nullable: false,
  description: 'The run the row comes from: its label, or "label (directory)" when labels repeat.',
};

/**
 * The runs of `dirs`, each named once: by its label (run.json's, else the directory's name),
 * or — when two runs share a label — by `label (dir)`, so no two runs' rows ever mix.
 *
 * @param dirs - run directories
 * @throws MonitorchError `INVALID_ARGUMENT` for an empty list or a directory given twice
 */
export function runNames(dirs: readonly string[]): RunEntry[] {
  if (dirs.length === 0) {
    throw new MonitorchError('INVALID_ARGUMENT', 'Pass at least one run directory to compare.', {});
  }
  const seen = new Set<string>();
  for (const dir of dirs) {
    const key = resolve(dir);
    if (seen.has(key)) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `The run directory ${dir} is listed twice; each run can be compared once.`,
        { dir },
      );
    }
    seen.add(key);
  }
  const found = dirs.map((dir) => {
    const { manifest, status } = runStatus(dir);
    return { dir, label: manifest?.label ?? basename(resolve(dir)), status, manifest };
  });
  const counts = new Map<string, number>();
  for (const f of found) counts.set(f.label, (counts.get(f.label) ?? 0) + 1);
  return found.map((f) => ({ ...f, run: (counts.get(f.label) ?? 0) > 1 ? `${f.label} (${f.dir})` : f.label }));
}

/**
 * Reads several runs into one tidy table per lens: every row of every run, with a first column
 * `run` naming its run, so a comparison is one `group_by("run")` in polars or a `GROUP BY run`
 * in DuckDB. A lens table missing from a run simply has no rows of it; columns that only some
 * runs have (another lens version or option) are null in the others. Runs are read as
 * `readRun` reads them: closed runs from `.arrow`, running or crashed ones from `.arrows`.
 *
 * @example
 * ```ts
 * const tables = await readRuns(['runs/plain', 'runs/dropout']);
 * const activation = tables.get('output-activation'); // columns: run, epoch, phase, module, …
 * ```
 * @param dirs - run directories, in the order their rows should come
 * @param options - what to do with damaged files
 * @returns table name → combined table (schema metadata of the first run that has it)
 * @throws MonitorchError `RUN_DIR_UNREADABLE` for a directory that is not a run,
 *   `RUN_DAMAGED` for damage (unless `damaged: 'recover'`), `INVALID_ARGUMENT` for a directory
 *   given twice, or one table name holding different column types in two runs
 */
export async function readRuns(dirs: readonly string[], options: ReadRunsOptions = {}): Promise<Map<string, Table>> {
  const runs = runNames(dirs);
  const read: [RunEntry, Map<string, Table>][] = [];
  for (const entry of runs) read.push([entry, await readRun(entry.dir, { damaged: options.damaged ?? 'throw' })]);
  return combineRuns(read);
}

/**
 * {@link readRuns}, synchronously (for figures drawn in one call).
 *
 * @param dirs - run directories, in the order their rows should come
 * @param options - what to do with damaged files
 */
export function readRunsSync(dirs: readonly string[], options: ReadRunsOptions = {}): Map<string, Table> {
  const runs = runNames(dirs);
  return combineRuns(runs.map((entry) => [entry, readRunSync(entry.dir, { damaged: options.damaged ?? 'throw' })]));
}

/** One table per name over the runs, each row tagged with its run. */
function combineRuns(read: readonly (readonly [RunEntry, Map<string, Table>])[]): Map<string, Table> {
  const perTable = new Map<string, { spec: TableSpec; parts: { run: string; table: Table }[] }>();
  for (const [entry, tables] of read) {
    for (const [name, table] of tables) {
      const spec = tableSpecOf(table);
      const slot = perTable.get(name);
      if (slot === undefined) perTable.set(name, { spec, parts: [{ run: entry.run, table }] });
      else {
        slot.spec = unionSpec(slot.spec, spec, entry.dir);
        slot.parts.push({ run: entry.run, table });
      }
    }
  }
  const out = new Map<string, Table>();
  for (const [name, { spec, parts }] of perTable) {
    const combined: TableSpec = { ...spec, columns: [RUN_COLUMN, ...spec.columns.filter((c) => c.name !== 'run')] };
    const rows = parts.flatMap(({ run, table }) => tableRows(table).map((row): TableRow => ({ ...row, run })));
    out.set(name, new Table(rowsToRecordBatch(combined, rows)));
  }
  return out;
}

/** The columns of `a` then those only `b` has; a column only one side has becomes nullable. */
function unionSpec(a: TableSpec, b: TableSpec, dir: string): TableSpec {
  const columns: ColumnSpec[] = [];
  const inB = new Map(b.columns.map((c) => [c.name, c]));
  for (const c of a.columns) {
    const other = inB.get(c.name);
    if (other !== undefined && other.type !== c.type) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `Column "${c.name}" of table "${a.name}" is ${c.type} in one run but ${other.type} in ${dir}; ` +
          'such runs cannot share one table. Compare them table by table with readRun.',
        { table: a.name, column: c.name, dir },
      );
    }
    columns.push(other === undefined ? { ...c, nullable: true } : { ...c, nullable: c.nullable && other.nullable });
  }
  const inA = new Set(a.columns.map((c) => c.name));
  for (const c of b.columns) if (!inA.has(c.name)) columns.push({ ...c, nullable: true });
  return { ...a, columns };
}

/** A table's rows as plain objects (list cells copied out of Arrow's views). */
function tableRows(table: Table): TableRow[] {
  const fields: readonly Field<DataType>[] = table.schema.fields;
  const columns = fields.map((f, i) => ({ name: f.name, vector: table.getChildAt(i) }));
  const rows: TableRow[] = [];
  for (let r = 0; r < table.numRows; r++) {
    const row: Record<string, TableRow[string]> = {};
    for (const { name, vector } of columns) {
      const cell: unknown = vector?.get(r) ?? null;
      row[name] =
        cell !== null && typeof cell === 'object' ? Array.from(cell as Iterable<number>) : (cell as TableRow[string]);
    }
    rows.push(row);
  }
  return rows;
}
