import type { Table } from 'apache-arrow';
import {
  Bool,
  Field,
  Float64,
  Int32,
  List,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  makeData,
  type Data,
  type DataType,
} from 'apache-arrow';
import { MonitorchError } from '../errors.js';
import { columnData } from './column-data.js';
import type { ColumnSpec, ColumnType, PlotSpec, TableRow, TableSpec } from '../tables/table-spec.js';

/** Schema metadata key holding the table name. */
export const TABLE_METADATA_KEY = 'monitorch.table';
/** Schema metadata key holding the plot description as JSON. */
export const PLOT_METADATA_KEY = 'monitorch.plot';
/** Schema metadata key holding the run file format version. */
export const FORMAT_METADATA_KEY = 'monitorch.format';
/** The run file format version written by this library. */
export const RUN_FORMAT_VERSION = '1';

/** Largest and smallest values an int32 cell may hold. */
const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

/**
 * The Arrow type of a column type. `int32list` elements are named `item`, as pyarrow and
 * polars name them, so the files look familiar in those tools.
 */
function arrowType(type: ColumnType): DataType {
  switch (type) {
    case 'int32':
      return new Int32();
    case 'float64':
      return new Float64();
    case 'utf8':
      return new Utf8();
    case 'bool':
      return new Bool();
    case 'int32list':
      return new List(new Field('item', new Int32(), true));
  }
}

/** The column type of an Arrow type, or undefined for types lens tables never use. */
function columnTypeOf(type: DataType): ColumnType | undefined {
  const text = String(type);
  switch (text) {
    case 'Int32':
      return 'int32';
    case 'Float64':
      return 'float64';
    case 'Utf8':
      return 'utf8';
    case 'Bool':
      return 'bool';
    case 'List<Int32>':
      return 'int32list';
    default:
      return undefined;
  }
}

// Schemas are immutable and built often (every epoch of every lens), so they are cached per
// spec object. A WeakMap lets specs of finished runs be collected.
const schemaCache = new WeakMap<TableSpec, Schema>();

/**
 * The Arrow schema of a lens table: one field per column (type and nullability from the spec,
 * the column description in the field metadata `description`), and in the schema metadata the
 * table name (`monitorch.table`), the plot description as JSON (`monitorch.plot`) and the
 * format version (`monitorch.format`). The viz reads these back with {@link plotSpecOf} and
 * {@link tableSpecOf}, so it can draw a lens it has never heard of.
 *
 * @param spec - the table spec
 * @returns the schema (the same instance for the same spec object)
 * @throws MonitorchError `INVALID_ARGUMENT` when two columns share a name.
 */
export function schemaFor(spec: TableSpec): Schema {
  const cached = schemaCache.get(spec);
  if (cached !== undefined) return cached;
  const seen = new Set<string>();
  for (const c of spec.columns) {
    if (seen.has(c.name)) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `Table "${spec.name}" declares the column "${c.name}" twice. Give each column its own name.`,
        { table: spec.name, column: c.name },
      );
    }
    seen.add(c.name);
  }
  const fields = spec.columns.map(
    (c) => new Field(c.name, arrowType(c.type), c.nullable, new Map([['description', c.description]])),
  );
  const metadata = new Map([
    [TABLE_METADATA_KEY, spec.name],
    [PLOT_METADATA_KEY, JSON.stringify(spec.plot)],
    [FORMAT_METADATA_KEY, RUN_FORMAT_VERSION],
  ]);
  const schema = new Schema(fields, metadata);
  schemaCache.set(spec, schema);
  return schema;
}

/** What a column type expects, in words, for error messages. */
const EXPECTED: Record<ColumnType, string> = {
  int32: 'an integer in the int32 range',
  float64: 'a number',
  utf8: 'a string',
  bool: 'a boolean',
  int32list: 'an array of integers in the int32 range',
};

function isInt32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;
}

/** Whether `value` fits a non-null cell of `type`. */
function fits(type: ColumnType, value: unknown): boolean {
  switch (type) {
    case 'int32':
      return isInt32(value);
    case 'float64':
      return typeof value === 'number';
    case 'utf8':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    case 'int32list':
      if (!Array.isArray(value) && !(value instanceof Int32Array)) return false;
      for (const x of value as Iterable<unknown>) if (!isInt32(x)) return false;
      return true;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the cell is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value))
    return `an array [${value
      .slice(0, 4)
      .map((x) => JSON.stringify(x))
      .join(', ')}${value.length > 4 ? ', …' : ''}]`;
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function badCell(spec: TableSpec, column: ColumnSpec, row: number, value: unknown): MonitorchError {
  const nullNote = column.nullable ? ' or null' : ' (the column is not nullable)';
  return new MonitorchError(
    'INVALID_ARGUMENT',
    `Table "${spec.name}", column "${column.name}", row ${row}: expected ${EXPECTED[column.type]}${nullNote}, got ${describe(value)}. ` +
      'Fix the rows the lens returns from tick(); use null (or leave the cell out) only in nullable columns.',
    { table: spec.name, column: column.name, row, expected: column.type, nullable: column.nullable },
  );
}

/**
 * One record batch holding `rows` in the table's schema ({@link schemaFor}). A missing cell
 * of a nullable column is written as null.
 *
 * @param spec - the table spec
 * @param rows - the rows, keyed by column name
 * @returns a batch with `rows.length` rows and the table's schema (metadata included)
 * @throws MonitorchError `INVALID_ARGUMENT` naming the table, column, row index and what was
 *   expected, for a missing or null cell of a non-nullable column, a cell of the wrong type,
 *   or a key that is not a column (a typo would otherwise drop the value silently).
 */
export function rowsToRecordBatch(spec: TableSpec, rows: readonly TableRow[]): RecordBatch {
  const schema = schemaFor(spec);
  const known = new Set(spec.columns.map((c) => c.name));
  // Validate every row before building anything, so a bad row leaves no half-built state and
  // the error names the first bad cell in row order.
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as TableRow;
    for (const key of Object.keys(row)) {
      if (!known.has(key)) {
        throw new MonitorchError(
          'INVALID_ARGUMENT',
          `Table "${spec.name}", row ${r}: "${key}" is not a column of this table (columns: ${[...known].join(', ')}). ` +
            'Rename the key or add the column to the table spec.',
          { table: spec.name, column: key, row: r },
        );
      }
    }
    for (const column of spec.columns) {
      const value: unknown = row[column.name];
      if (value === undefined || value === null) {
        if (!column.nullable) throw badCell(spec, column, r, value);
      } else if (!fits(column.type, value)) {
        throw badCell(spec, column, r, value);
      }
    }
  }
  const children = spec.columns.map((column, i) => {
    const cells = rows.map((row) => row[column.name]);
    return columnData((schema.fields[i] as Field).type, cells);
  });
  return batchFromColumns(schema, rows.length, children);
}

/**
 * A record batch from per-column data of equal length (internal: shared with the batch
 * concatenation of LensTable).
 */
export function batchFromColumns(schema: Schema, length: number, children: readonly Data[]): RecordBatch {
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: [...children] });
  return new RecordBatch(schema, data);
}

/**
 * Checks that `batch` has the table's columns (names and types, in order) and returns it
 * under the table's own schema, so the stream never sees a second schema (Arrow's writer
 * would end the stream on a schema change) and the metadata is always the table's.
 * Internal: shared by RunWriter and LensTable.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` when the columns differ.
 */
export function conformBatch(spec: TableSpec, batch: RecordBatch): RecordBatch {
  const schema = schemaFor(spec);
  // Arrow gives every batch its own Schema instance, so compare contents, not identity.
  if (batch.schema === schema) return batch;
  const got = batch.schema.fields;
  const same =
    got.length === schema.fields.length &&
    schema.fields.every((f, i) => got[i]?.name === f.name && String(got[i]?.type) === String(f.type));
  if (!same) {
    const want = schema.fields.map((f) => `${f.name}: ${String(f.type)}`).join(', ');
    const have = got.map((f) => `${f.name}: ${String(f.type)}`).join(', ');
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `The batch for table "${spec.name}" has the columns (${have}), but the table has (${want}). Build batches with rowsToRecordBatch(spec, rows).`,
      { table: spec.name },
    );
  }
  const sameLabels =
    schema.fields.every((f, i) => got[i]?.nullable === f.nullable) &&
    batch.schema.metadata.get(TABLE_METADATA_KEY) === spec.name &&
    batch.schema.metadata.get(PLOT_METADATA_KEY) === schema.metadata.get(PLOT_METADATA_KEY);
  return sameLabels ? batch : new RecordBatch(schema, batch.data);
}

/** The schema of a table or a schema itself. */
function schemaOf(source: Table | Schema | RecordBatch): Schema {
  return source instanceof Schema ? source : source.schema;
}

function missingMetadata(what: string, key: string, schema: Schema): MonitorchError {
  const keys = [...schema.metadata.keys()];
  return new MonitorchError(
    'INVALID_ARGUMENT',
    `This Arrow table has no ${what} (schema metadata "${key}"; the schema has ${keys.length === 0 ? 'no metadata' : `only ${keys.join(', ')}`}). ` +
      'Read it from a monitorch run file (readRun) or an Inspector table; tables rebuilt by other tools may drop the schema metadata.',
    { key, metadataKeys: keys },
  );
}

/**
 * The plot description stored in a lens table's schema metadata.
 *
 * @param source - a lens table, record batch or schema
 * @throws MonitorchError `INVALID_ARGUMENT` when the metadata is missing or not a plot description.
 */
export function plotSpecOf(source: Table | Schema | RecordBatch): PlotSpec {
  const schema = schemaOf(source);
  const text = schema.metadata.get(PLOT_METADATA_KEY);
  if (text === undefined) throw missingMetadata('plot description', PLOT_METADATA_KEY, schema);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `The plot description in the schema metadata "${PLOT_METADATA_KEY}" is not valid JSON (${(e as Error).message}). ` +
        'The file was probably edited or written by another tool; rewrite it with monitorch.',
      { key: PLOT_METADATA_KEY },
      { cause: e },
    );
  }
  const panels = (parsed as { panels?: unknown } | null)?.panels;
  if (!Array.isArray(panels) || !panels.every(isPanelLike)) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `The plot description in the schema metadata "${PLOT_METADATA_KEY}" is not { panels: [...] } with a title, size, kind, quantities and line per panel. ` +
        'The file was probably written by another tool or an incompatible version; rewrite it with monitorch.',
      { key: PLOT_METADATA_KEY },
    );
  }
  return parsed as PlotSpec;
}

function isPanelLike(p: unknown): boolean {
  if (typeof p !== 'object' || p === null) return false;
  const o = p as Record<string, unknown>;
  return (
    typeof o['title'] === 'string' &&
    (o['size'] === 'big' || o['size'] === 'small') &&
    typeof o['kind'] === 'string' &&
    Array.isArray(o['quantities']) &&
    typeof o['line'] === 'string'
  );
}

/**
 * The table spec stored in a lens table's schema: name and plot from the schema metadata,
 * columns from the fields (type, nullability, `description` field metadata).
 *
 * @param source - a lens table, record batch or schema
 * @throws MonitorchError `INVALID_ARGUMENT` when the metadata is missing or malformed, or a
 *   field has a type lens tables do not use.
 */
export function tableSpecOf(source: Table | Schema | RecordBatch): TableSpec {
  const schema = schemaOf(source);
  const name = schema.metadata.get(TABLE_METADATA_KEY);
  if (name === undefined) throw missingMetadata('table name', TABLE_METADATA_KEY, schema);
  const plot = plotSpecOf(schema);
  const columns: ColumnSpec[] = schema.fields.map((f) => {
    const type = columnTypeOf(f.type);
    if (type === undefined) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `Column "${f.name}" of table "${name}" has the Arrow type ${String(f.type)}, which lens tables do not use ` +
          '(int32, float64, utf8, bool, list<int32>). Rewrite the table with monitorch.',
        { table: name, column: f.name, type: String(f.type) },
      );
    }
    return { name: f.name, type, nullable: f.nullable, description: f.metadata.get('description') ?? '' };
  });
  return { name, columns, plot };
}
