import type { Table } from 'apache-arrow';

/** A table's columns as plain arrays (nulls kept as `null`), read once per figure. */
export interface TableColumns {
  /** Number of rows. */
  readonly length: number;
  /** The named column's values, or `undefined` when the table has no such column. */
  get(name: string): readonly unknown[] | undefined;
}

/**
 * Reads a table's columns lazily into arrays. Reading whole columns once is much faster than
 * asking the Arrow table for each row object, which matters for 300 epochs × 20 layers.
 */
export function tableColumns(table: Table): TableColumns {
  const cache = new Map<string, readonly unknown[] | undefined>();
  return {
    length: table.numRows,
    get(name: string) {
      if (!cache.has(name)) {
        const vector = table.getChild(name);
        // Without nulls a number column can be copied as a typed array, much faster than
        // iterating; with nulls the iterator gives null where a value is missing.
        const fast = vector !== null && vector.nullCount === 0 && ArrayBuffer.isView(vector.toArray());
        cache.set(name, vector === null ? undefined
          : fast ? (vector.toArray() as unknown as readonly unknown[]) : Array.from(vector as Iterable<unknown>));
      }
      return cache.get(name);
    },
  };
}

/** A number cell, or `null` when missing, null or not finite (never a stale or fake value). */
export function numberAt(column: readonly unknown[] | undefined, row: number): number | null {
  const v = column?.[row];
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  return null;
}

/** A string cell ('' when missing). */
export function stringAt(column: readonly unknown[] | undefined, row: number): string {
  const v = column?.[row];
  return v === null || v === undefined ? '' : String(v);
}
