// STUB: implemented by the Arrow work (issue 2, item 7).
import type { RecordBatch, Table } from 'apache-arrow';
import type { TableSpec } from './table-spec.js';
/** A lens's rows in memory, appended per epoch. */
export class LensTable {
  constructor(readonly spec: TableSpec) {}
  /** Appends one epoch's batch. */
  append(batch: RecordBatch): void { void batch; throw new Error('not implemented'); }
  /** Rows so far. */
  get rowCount(): number { throw new Error('not implemented'); }
  /** The rows as one Arrow table (schema carries the plot metadata). */
  toTable(): Table { throw new Error('not implemented'); }
}
