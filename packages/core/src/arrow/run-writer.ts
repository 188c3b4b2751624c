// STUB: implemented by the Arrow work (issue 2, item 7).
import type { RecordBatch } from 'apache-arrow';
import type { TableSpec } from '../tables/table-spec.js';
/** Writes a run directory: `<name>.arrows` appended per epoch, `<name>.arrow` on close. */
export class RunWriter {
  /** Creates the directory (recursively) and opens one stream file per table. Throws RUN_DIR_UNWRITABLE. */
  static open(dir: string, specs: readonly TableSpec[]): RunWriter { void dir; void specs; throw new Error('not implemented'); }
  /** Appends one batch to the table's stream file and flushes it to disk before returning. */
  append(table: string, batch: RecordBatch): void { void table; void batch; throw new Error('not implemented'); }
  /** Finishes the stream files and writes the `.arrow` file-format copies. */
  close(): void { throw new Error('not implemented'); }
}
