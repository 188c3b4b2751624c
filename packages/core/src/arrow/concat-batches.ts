import type { Data, DataType, Field, RecordBatch, Schema } from 'apache-arrow';
import { columnData } from './column-data.js';
import { columnTypeOf } from './column-types.js';
import { batchFromColumns } from './schema.js';

/**
 * Copies the rows of several batches (same schema) into one contiguous batch. Tables that
 * grow one small batch per epoch use this to keep their batch count low: a table of 10,000
 * one-batch epochs would otherwise make every scan walk 10,000 chunks.
 *
 * Cost is one pass over the cells.
 *
 * @param schema - the schema of every batch and of the result
 * @param batches - batches in row order
 */
export function concatBatches(schema: Schema, batches: readonly RecordBatch[]): RecordBatch {
  let length = 0;
  for (const b of batches) length += b.numRows;
  const fields: readonly Field<DataType>[] = schema.fields;
  const children: Data[] = fields.map((field, col) => {
    const cells: unknown[] = new Array<unknown>(length);
    const columnType = columnTypeOf(field.type);
    const isList = columnType === 'int32list' || columnType === 'float64list';
    const numeric = columnType === 'int32' || columnType === 'float64';
    let at = 0;
    for (const batch of batches) {
      const vector = batch.getChildAt(col);
      if (vector === null) throw new Error(`batch has no column ${col}`);
      const n = batch.numRows;
      if (numeric) {
        // Numbers straight from the typed array (no per-cell accessor), validity only if needed.
        const values = vector.toArray() as Int32Array | Float64Array;
        const hasNulls = vector.nullCount > 0;
        for (let r = 0; r < n; r++) cells[at++] = hasNulls && !vector.isValid(r) ? null : values[r];
        continue;
      }
      for (let r = 0; r < n; r++) {
        const cell: unknown = vector.get(r);
        // A list cell is a view of the batch's child array: copy it out as a plain array.
        cells[at++] = isList && cell !== null ? Array.from(cell as Iterable<number>) : cell;
      }
    }
    return columnData(field.type, cells);
  });
  return batchFromColumns(schema, length, children);
}
