import { Table } from 'apache-arrow';
import type { ColumnSpec, ColumnType, TableRow, TableSpec } from '../tables/table-spec.js';
import { runNames } from './read-runs.js';
import type { RunConfigValue } from './run-manifest.js';
import { rowsToRecordBatch } from './schema.js';

/** The fixed columns of {@link readRunsInfo}'s table. */
const INFO_COLUMNS: readonly ColumnSpec[] = [
  { name: 'run', type: 'utf8', nullable: false, description: 'The run, as named in the `run` column of readRuns.' },
  { name: 'dir', type: 'utf8', nullable: false, description: 'The run directory, as given.' },
  {
    name: 'label',
    type: 'utf8',
    nullable: false,
    description: "The run's label (run.json; default its directory name).",
  },
  { name: 'status', type: 'utf8', nullable: false, description: 'finished, running or crashed.' },
  { name: 'created', type: 'utf8', nullable: true, description: 'ISO time the run started.' },
  { name: 'closed', type: 'utf8', nullable: true, description: 'ISO time the run was closed; null if it was not.' },
  { name: 'config', type: 'utf8', nullable: true, description: "The run's config as JSON text." },
  { name: 'versions', type: 'utf8', nullable: true, description: 'Versions that wrote the run, as JSON text.' },
];

/** The column type of a top-level config value, or undefined when it is not a scalar. */
function scalarType(value: RunConfigValue): ColumnType | undefined {
  if (typeof value === 'number') return 'float64';
  if (typeof value === 'string') return 'utf8';
  if (typeof value === 'boolean') return 'bool';
  return undefined;
}

/**
 * One row per run with what its run.json says — label, status, start and end, config, versions
 * — and one column `config_<key>` per top-level config value that is a number, string or
 * boolean in every run that has it (so `lr` becomes a float64 column `config_lr` to join and
 * filter on; nested values stay in the JSON text of `config`).
 *
 * @example
 * ```ts
 * const info = readRunsInfo(['runs/plain', 'runs/dropout']); // join on `run` with readRuns' tables
 * ```
 * @param dirs - run directories
 * @throws MonitorchError `INVALID_ARGUMENT` for an empty list or a directory given twice
 */
export function readRunsInfo(dirs: readonly string[]): Table {
  const runs = runNames(dirs);
  const configTypes = new Map<string, ColumnType | null>(); // null: not one scalar type everywhere
  for (const { manifest } of runs) {
    for (const [key, value] of Object.entries(manifest?.config ?? {})) {
      const type = scalarType(value) ?? null;
      const known = configTypes.get(key);
      configTypes.set(key, known === undefined || known === type ? type : null);
    }
  }
  const configColumns: ColumnSpec[] = [];
  for (const [key, type] of configTypes) {
    if (type === null) continue;
    configColumns.push({ name: `config_${key}`, type, nullable: true, description: `config.${key} of the run.` });
  }
  const spec: TableSpec = { name: 'runs', columns: [...INFO_COLUMNS, ...configColumns], plot: { panels: [] } };
  const rows = runs.map(({ run, dir, label, status, manifest }): TableRow => {
    const row: Record<string, TableRow[string]> = {
      run,
      dir,
      label,
      status,
      created: manifest?.created ?? null,
      closed: manifest?.closed ?? null,
      config: manifest?.config === undefined ? null : JSON.stringify(manifest.config),
      versions: manifest?.versions === undefined ? null : JSON.stringify(manifest.versions),
    };
    for (const c of configColumns) {
      const value = manifest?.config?.[c.name.slice('config_'.length)];
      row[c.name] = value === undefined ? null : (value as string | number | boolean);
    }
    return row;
  });
  return new Table(rowsToRecordBatch(spec, rows));
}
