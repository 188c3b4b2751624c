import { Schema, type DataType, type Field, type RecordBatch, type Table } from 'apache-arrow';
import { MonitorchError } from '../errors.js';
import type { ColumnSpec, PlotSpec, TableSpec } from '../tables/table-spec.js';
import { arrowTypeName, columnTypeOf } from './column-types.js';
import { PLOT_METADATA_KEY, TABLE_METADATA_KEY } from './metadata-keys.js';

// The reading side of a lens table's schema: what its metadata and fields say, checked, for
// tables that may come from files, other versions or other tools. Written in schema.ts.

/** The schema of a table or a schema itself. */
function schemaOf(source: Table | Schema | RecordBatch): Schema {
  return source instanceof Schema ? source : source.schema;
}

function missingMetadata(what: string, key: string, schema: Schema): MonitorchError {
  const keys = [...schema.metadata.keys()];
  const has = keys.length === 0 ? 'no metadata' : `only ${keys.join(', ')}`;
  return new MonitorchError(
    'INVALID_ARGUMENT',
    `This Arrow table has no ${what} (schema metadata "${key}"; the schema has ${has}). ` +
      'Read it from a monitorch run file (readRun) or an Inspector table; ' +
      'tables rebuilt by other tools may drop the schema metadata.',
    { key, metadataKeys: keys },
  );
}

/**
 * Whether `p` has the shape of a panel. The `kind` is only checked to be a string: a kind this
 * version does not know (a file from a newer lens) must not make the whole table unreadable,
 * so whoever draws the panel checks the kind against the kinds it can draw.
 */
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
 * The plot description stored in a lens table's schema metadata. Each panel is checked for its
 * shape (title, size, kind, quantities, line); its `kind` is not checked against the known
 * kinds, so a file written with a newer panel kind still reads: the viz reports such a panel.
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
      `The plot description in the schema metadata "${PLOT_METADATA_KEY}" ` +
        `is not valid JSON (${(e as Error).message}). ` +
        'The file was probably edited or written by another tool; rewrite it with monitorch.',
      { key: PLOT_METADATA_KEY },
      { cause: e },
    );
  }
  const panels = (parsed as { panels?: unknown } | null)?.panels;
  if (!Array.isArray(panels) || !panels.every(isPanelLike)) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `The plot description in the schema metadata "${PLOT_METADATA_KEY}" is not { panels: [...] } ` +
        'with a title, size, kind, quantities and line per panel. ' +
        'The file was probably written by another tool or an incompatible version; rewrite it with monitorch.',
      { key: PLOT_METADATA_KEY },
    );
  }
  return parsed as PlotSpec;
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
  const fields: readonly Field<DataType>[] = schema.fields;
  const columns: ColumnSpec[] = fields.map((f) => {
    const type = columnTypeOf(f.type);
    if (type === undefined) {
      const typeName = arrowTypeName(f.type);
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `Column "${f.name}" of table "${name}" has the Arrow type ${typeName}, which lens tables do not use ` +
          '(int32, float64, utf8, bool, list<int32>). Rewrite the table with monitorch.',
        { table: name, column: f.name, type: typeName },
      );
    }
    return { name: f.name, type, nullable: f.nullable, description: f.metadata.get('description') ?? '' };
  });
  return { name, columns, plot };
}
