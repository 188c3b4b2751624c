// STUB: implemented by the Arrow work (issue 2, item 7).
import type { RecordBatch, Schema } from 'apache-arrow';
import type { TableRow, TableSpec } from '../tables/table-spec.js';
/** The Arrow schema of a lens table, with the plot metadata in the schema metadata. */
export function schemaFor(spec: TableSpec): Schema { void spec; throw new Error('not implemented'); }
/** One record batch holding `rows` in the table's schema. */
export function rowsToRecordBatch(spec: TableSpec, rows: readonly TableRow[]): RecordBatch { void spec; void rows; throw new Error('not implemented'); }
