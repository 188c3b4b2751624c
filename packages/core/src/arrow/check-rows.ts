import { MonitorchError } from '../errors.js';
import type { ColumnSpec, ColumnType, TableRow, TableSpec } from '../tables/table-spec.js';

/** Largest and smallest values an int32 cell may hold. */
const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

/** What a column type expects, in words, for error messages. */
const EXPECTED: Record<ColumnType, string> = {
  int32: 'an integer in the int32 range',
  float64: 'a number',
  utf8: 'a string',
  bool: 'a boolean',
  int32list: 'an array of integers in the int32 range',
  float64list: 'an array of numbers',
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
    case 'float64list':
      if (!Array.isArray(value) && !(value instanceof Float64Array) && !(value instanceof Float32Array)) return false;
      for (const x of value as Iterable<unknown>) if (typeof x !== 'number') return false;
      return true;
  }
}

/** A cell's value in words: enough to find it in the lens's code, short enough for one line. */
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
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${String(value)}`;
  }
  // An object would print as "[object Object]" and a function as its source: name the kind.
  if (typeof value === 'object') return ArrayBuffer.isView(value) ? `a ${value.constructor.name}` : 'an object';
  return `a ${typeof value}`;
}

function badCell(spec: TableSpec, column: ColumnSpec, row: number, value: unknown): MonitorchError {
  const nullNote = column.nullable ? ' or null' : ' (the column is not nullable)';
  return new MonitorchError(
    'INVALID_ARGUMENT',
    `Table "${spec.name}", column "${column.name}", row ${row}: ` +
      `expected ${EXPECTED[column.type]}${nullNote}, got ${describe(value)}. ` +
      'Fix the rows the lens returns from tick(); use null (or leave the cell out) only in nullable columns.',
    { table: spec.name, column: column.name, row, expected: column.type, nullable: column.nullable },
  );
}

/**
 * Checks every row against the table's columns before anything is built, so a bad row leaves
 * no half-built state and the error names the first bad cell in row order.
 *
 * @param spec - the table spec
 * @param rows - the rows, keyed by column name
 * @throws MonitorchError `INVALID_ARGUMENT` naming the table, column, row index and what was
 *   expected, for a missing or null cell of a non-nullable column, a cell of the wrong type,
 *   or a key that is not a column (a typo would otherwise drop the value silently).
 */
export function checkRows(spec: TableSpec, rows: readonly TableRow[]): void {
  const known = new Set(spec.columns.map((c) => c.name));
  rows.forEach((row, r) => {
    for (const key of Object.keys(row)) {
      if (!known.has(key)) {
        throw new MonitorchError(
          'INVALID_ARGUMENT',
          `Table "${spec.name}", row ${r}: "${key}" is not a column of this table ` +
            `(columns: ${[...known].join(', ')}). Rename the key or add the column to the table spec.`,
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
  });
}
