import { DataType, type Data, type Table } from 'apache-arrow';

/** A table's columns as plain arrays (nulls kept as `null`), read once per figure. */
export interface TableColumns {
  /** Number of rows. */
  readonly length: number;
  /** The named column's values, or `undefined` when the table has no such column. */
  get(name: string): ArrayLike<unknown> | undefined;
}

/**
 * Reads a table's columns lazily into arrays. Reading whole columns once is much faster than
 * asking the Arrow table for each row object, which matters for 300 epochs × 20 layers.
 */
export function tableColumns(table: Table): TableColumns {
  const cache = new Map<string, ArrayLike<unknown> | undefined>();
  return {
    length: table.numRows,
    get(name: string) {
      if (!cache.has(name)) {
        const vector = table.getChild(name);
        let values: ArrayLike<unknown> | undefined;
        if (vector === null) values = undefined;
        else if (DataType.isUtf8(vector.type)) values = utf8Values(vector.data as Data[]);
        else if (vector.nullCount === 0 && ArrayBuffer.isView(vector.toArray())) {
          // Without nulls a number column is a typed array: no per-row work at all.
          values = vector.toArray() as ArrayLike<number>;
        } else values = Array.from(vector as Iterable<unknown>);
        cache.set(name, values);
      }
      return cache.get(name);
    },
  };
}

const decoder = new TextDecoder();
const RECENT = 64;

/**
 * Decodes a utf8 column. Lens tables repeat a few strings (phases, quantities, module names)
 * thousands of times, so each row's bytes are first compared with recently decoded values and
 * only new ones are decoded.
 */
function utf8Values(chunks: readonly Data[]): (string | null)[] {
  const out: (string | null)[] = [];
  const recentBytes: Uint8Array[] = [];
  const recentText: string[] = [];
  let next = 0;
  for (const chunk of chunks) {
    const offsets = chunk.valueOffsets as Int32Array;
    const bytes = chunk.values as Uint8Array;
    for (let i = 0; i < chunk.length; i += 1) {
      if (chunk.nullCount > 0 && !chunk.getValid(i)) {
        out.push(null);
        continue;
      }
      const start = offsets[chunk.offset + i] ?? 0;
      const end = offsets[chunk.offset + i + 1] ?? start;
      const slice = bytes.subarray(start, end);
      let text: string | undefined;
      for (let k = 0; k < recentBytes.length; k += 1) {
        if (sameBytes(recentBytes[k]!, slice)) {
          text = recentText[k];
          break;
        }
      }
      if (text === undefined) {
        text = decoder.decode(slice);
        recentBytes[next] = slice;
        recentText[next] = text;
        next = (next + 1) % RECENT;
      }
      out.push(text);
    }
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** A number cell, or `null` when missing, null or not finite (never a stale or fake value). */
export function numberAt(column: ArrayLike<unknown> | undefined, row: number): number | null {
  const v = column?.[row];
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  return null;
}

/**
 * A string cell: the text of a string, number or boolean cell, '' when missing or null (and for
 * a nested value such as a list, which names no phase, module or quantity).
 */
export function stringAt(column: ArrayLike<unknown> | undefined, row: number): string {
  const v = column?.[row];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return '';
}

/**
 * A float list cell (e.g. a histogram's bin fractions) as numbers, non-finite entries as NaN;
 * `null` when missing or null. Arrow gives a list cell as a vector (iterable); plain arrays are read too.
 */
export function numberListAt(column: ArrayLike<unknown> | undefined, row: number): Float64Array | null {
  const v = column?.[row];
  if (v === null || v === undefined || typeof v !== 'object') return null;
  const items = isArrayLike(v) ? v : Symbol.iterator in v ? Array.from(v as Iterable<unknown>) : null;
  if (items === null) return null;
  return Float64Array.from({ length: items.length }, (_, i) => {
    const item = items[i];
    return typeof item === 'number' && Number.isFinite(item) ? item : Number.NaN;
  });
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}
