import { List, RecordBatch, makeBuilder, type Data, type Schema } from 'apache-arrow';
import { batchFromColumns } from './schema.js';

/**
 * Copies the rows of several batches (same schema) into one contiguous batch. Tables that
 * grow one small batch per epoch use this to keep their batch count low: a table of 10,000
 * one-batch epochs would otherwise make every scan walk 10,000 chunks.
 *
 * Cost is one pass over the cells; list cells are copied as plain arrays because Arrow's list
 * builder does not take its own vectors as values.
 *
 * @param schema - the schema of every batch and of the result
 * @param batches - batches in row order
 */
export function concatBatches(schema: Schema, batches: readonly RecordBatch[]): RecordBatch {
  let length = 0;
  for (const b of batches) length += b.numRows;
  const children: Data[] = schema.fields.map((field, col) => {
    const builder = makeBuilder({ type: field.type, nullValues: [null, undefined] });
    const isList = field.type instanceof List;
    for (const batch of batches) {
      const vector = batch.getChildAt(col);
      if (vector === null) throw new Error(`batch has no column ${col}`);
      const n = batch.numRows;
      if (isList) {
        for (let r = 0; r < n; r++) {
          const cell = vector.get(r) as Iterable<number> | null;
          builder.append(cell === null ? null : Array.from(cell));
        }
      } else {
        for (let r = 0; r < n; r++) builder.append(vector.get(r));
      }
    }
    return builder.finish().flush();
  });
  return batchFromColumns(schema, length, children);
}
