import { Field, RecordBatch, Schema, Struct, makeData, type Data, type DataType } from 'apache-arrow';
import { MonitorchError } from '../errors.js';
import type { TableRow, TableSpec } from '../tables/table-spec.js';
import { checkRows } from './check-rows.js';
import { columnData } from './column-data.js';
import { arrowType, arrowTypeName, columnTypeOf } from './column-types.js';
import { FORMAT_METADATA_KEY, PLOT_METADATA_KEY, RUN_FORMAT_VERSION, TABLE_METADATA_KEY } from './metadata-keys.js';

// The writing side of a lens table's schema: spec → schema, rows → batches. What a schema says
// is read back in schema-reader.ts.

// Schemas are immutable and built often (every epoch of every lens), so they are cached per
// spec object. A WeakMap lets specs of finished runs be collected.
const schemaCache = new WeakMap<TableSpec, Schema>();

/**
 * The Arrow schema of a lens table: one field per column (type and nullability from the spec,
 * the column description in the field metadata `description`), and in the schema metadata the
 * table name (`monitorch.table`), the plot description as JSON (`monitorch.plot`) and the
 * format version (`monitorch.format`). The viz reads these back with `plotSpecOf` and
 * `tableSpecOf`, so it can draw a lens it has never heard of.
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
  checkRows(spec, rows);
  const children = spec.columns.map((column, i) => {
    const type: DataType = (schema.fields[i] as Field<DataType>).type;
    return columnData(
      type,
      rows.map((row) => row[column.name]),
    );
  });
  return batchFromColumns(schema, rows.length, children);
}

/**
 * A record batch from per-column data of equal length (internal: shared with the batch
 * concatenation of LensTable).
 *
 * @param schema - the batch's schema; `children` follow its fields in order
 * @param length - number of rows
 * @param children - one column's data per field
 */
export function batchFromColumns(schema: Schema, length: number, children: readonly Data[]): RecordBatch {
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: [...children] });
  return new RecordBatch(schema, data);
}

/** `name: Type` of every field, for error messages. */
function columnList(fields: readonly Field<DataType>[]): string {
  return fields.map((f) => `${f.name}: ${arrowTypeName(f.type)}`).join(', ');
}

/**
 * Checks that `batch` has the table's columns (names and types, in order) and returns it
 * under the table's own schema, so the stream never sees a second schema (Arrow's writer
 * would end the stream on a schema change) and the metadata is always the table's.
 * Internal: shared by RunWriter and LensTable.
 *
 * @param spec - the table spec
 * @param batch - a batch built for this table, or for another with the same columns
 * @throws MonitorchError `INVALID_ARGUMENT` when the columns differ.
 */
export function conformBatch(spec: TableSpec, batch: RecordBatch): RecordBatch {
  const schema = schemaFor(spec);
  // Arrow gives every batch its own Schema instance, so compare contents, not identity.
  if (batch.schema === schema) return batch;
  const want: readonly Field<DataType>[] = schema.fields;
  const got: readonly Field<DataType>[] = batch.schema.fields;
  // Types match when they are the same lens column type: a list's item field may carry
  // another name or nullability (as other Arrow writers make it) and still be `int32list`.
  const same =
    got.length === want.length &&
    want.every((f, i) => {
      const g = got[i];
      return g !== undefined && g.name === f.name && columnTypeOf(g.type) === columnTypeOf(f.type);
    });
  if (!same) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `The batch for table "${spec.name}" has the columns (${columnList(got)}), ` +
        `but the table has (${columnList(want)}). Build batches with rowsToRecordBatch(spec, rows).`,
      { table: spec.name },
    );
  }
  const sameLabels =
    want.every((f, i) => got[i]?.nullable === f.nullable) &&
    batch.schema.metadata.get(TABLE_METADATA_KEY) === spec.name &&
    batch.schema.metadata.get(PLOT_METADATA_KEY) === schema.metadata.get(PLOT_METADATA_KEY);
  return sameLabels ? batch : new RecordBatch(schema, batch.data);
}
