import { Table, type RecordBatch, type Schema } from 'apache-arrow';
import { concatBatches } from '../arrow/concat-batches.js';
import { conformBatch, schemaFor } from '../arrow/schema.js';
import { MonitorchError } from '../errors.js';
import type { TableSpec } from './table-spec.js';

/** Options of a {@link LensTable}. */
export interface LensTableOptions {
  /**
   * Keep only the most recent `maxRows` rows in memory (run files keep everything). Lets a
   * very long run keep memory flat. Default: keep every row.
   */
  readonly maxRows?: number;
}

/** A batch and the number of rows its buffers were allocated for (more than it shows once sliced). */
interface Chunk {
  readonly batch: RecordBatch;
  readonly capacity: number;
}

/**
 * How many batches of one size class are merged into one batch of the next. Each row is
 * copied about log_64(rows) times in total (twice for 10,000 epochs), and a table holds at most
 * 63 batches per size class.
 */
const FANOUT = 64;

/**
 * A lens's rows in memory, appended one batch per epoch. Batches are compacted as they come
 * (every 64 batches of a size become one), so a long run stays a few dozen chunks, and
 * {@link toTable} is cheap. With `maxRows` only the newest rows are kept.
 */
export class LensTable {
  /** The table's Arrow schema (with the plot metadata). */
  readonly schema: Schema;
  private readonly maxRows: number;
  // levels[k] holds chunks made of 64^k appended batches; higher levels hold older rows.
  private levels: Chunk[][] = [];
  private rows = 0;
  private appended = 0;

  /**
   * @param spec - the table spec
   * @param options - retention bound
   * @throws MonitorchError `INVALID_ARGUMENT` for a `maxRows` that is not a positive integer.
   */
  constructor(
    readonly spec: TableSpec,
    options: LensTableOptions = {},
  ) {
    const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
    if (maxRows !== Number.POSITIVE_INFINITY && !(Number.isInteger(maxRows) && maxRows > 0)) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        `maxRows must be a positive integer (got ${String(options.maxRows)}). Omit it to keep every row.`,
        { table: spec.name, maxRows: options.maxRows },
      );
    }
    this.maxRows = maxRows;
    this.schema = schemaFor(spec);
  }

  /**
   * Appends one epoch's batch.
   *
   * @throws MonitorchError `INVALID_ARGUMENT` when the batch's columns differ from the table's.
   */
  append(batch: RecordBatch): void {
    const own = conformBatch(this.spec, batch);
    if (own.numRows === 0) return;
    this.push(0, { batch: own, capacity: own.numRows });
    this.rows += own.numRows;
    this.appended += own.numRows;
    if (this.rows > this.maxRows) this.trim();
  }

  /** Rows held in memory (all rows, unless `maxRows` dropped old ones). */
  get rowCount(): number {
    return this.rows;
  }

  /** Rows ever appended, including those dropped by `maxRows`. */
  get appendedRowCount(): number {
    return this.appended;
  }

  /** The rows as one Arrow table, oldest first (schema carries the plot metadata). No copy. */
  toTable(): Table {
    const batches: RecordBatch[] = [];
    for (let k = this.levels.length - 1; k >= 0; k--) {
      for (const chunk of this.levels[k] ?? []) batches.push(chunk.batch);
    }
    return batches.length === 0 ? new Table(this.schema) : new Table(this.schema, batches);
  }

  private push(level: number, chunk: Chunk): void {
    let k = level;
    let c = chunk;
    for (;;) {
      const here = (this.levels[k] ??= []);
      here.push(c);
      if (here.length < FANOUT) return;
      const merged = concatBatches(
        this.schema,
        here.map((x) => x.batch),
      );
      this.levels[k] = [];
      c = { batch: merged, capacity: merged.numRows };
      k++;
    }
  }

  /** Drops the oldest rows beyond `maxRows`; a cut batch is copied once it wastes half its memory. */
  private trim(): void {
    let excess = this.rows - this.maxRows;
    for (let k = this.levels.length - 1; k >= 0 && excess > 0; k--) {
      const level = this.levels[k] ?? [];
      while (level.length > 0 && excess > 0) {
        const oldest = level[0] as Chunk;
        const n = oldest.batch.numRows;
        if (n <= excess) {
          level.shift();
          excess -= n;
          this.rows -= n;
          continue;
        }
        const kept = oldest.batch.slice(excess, n);
        this.rows -= excess;
        excess = 0;
        // A slice shares the old buffers; copy when the kept rows use less than half of them,
        // so memory stays within twice maxRows however long the run.
        level[0] =
          kept.numRows * 2 < oldest.capacity
            ? { batch: concatBatches(this.schema, [kept]), capacity: kept.numRows }
            : { batch: kept, capacity: oldest.capacity };
      }
    }
  }
}
