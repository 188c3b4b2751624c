import { closeSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import type { RecordBatch } from 'apache-arrow';
import type { WrittenSpan } from './file-sink.js';

/**
 * The integrity sums of a `.arrows` stream file live beside it in `<table>.arrows.sums`: one
 * JSON line per message the writer finished (the schema, then one per appended epoch), giving
 * its byte range, CRC-32 and, for batches, its rows and epochs. A line is written only after
 * its message is on disk, so the sums tell exactly which epochs were finished: bytes past the
 * last line are an append the process did not live to finish (a torn tail, not damage),
 * while a line whose bytes are missing or differ is damage to a finished epoch.
 */
export const SUMS_SUFFIX = '.arrows.sums';

/** One line of a sums file. */
export interface SumsEntry {
  /** `schema`: the stream's first message; `batch`: one appended epoch. */
  readonly kind: 'schema' | 'batch';
  /** Offset of the message's first byte in the stream file. */
  readonly start: number;
  /** Offset just past the message. */
  readonly end: number;
  /** CRC-32 of the message's bytes. */
  readonly crc: number;
  /** Rows in the batch (0 for the schema). */
  readonly rows: number;
  /** Smallest and largest `epoch` in the batch, when it has an int epoch column. */
  readonly epochs?: readonly [number, number];
}

/** What a sums file holds: its complete entries, and the first problem when a line is unreadable. */
export interface ParsedSums {
  readonly entries: readonly SumsEntry[];
  /** Set when a complete line is not a valid entry (the file was damaged there). */
  readonly problem?: string;
}

/**
 * Parses a sums file. A last line without its newline is an entry whose write was cut short
 * by a crash: the append it describes did not return, so it is ignored, not damage.
 *
 * @param text - the file's contents
 */
export function parseSums(text: string): ParsedSums {
  const lines = text.split('\n');
  lines.pop(); // after the last newline: empty, or a torn line
  const entries: SumsEntry[] = [];
  for (const [i, line] of lines.entries()) {
    const entry = entryOf(line);
    if (entry === undefined) return { entries, problem: `line ${i + 1} of its sums file is unreadable` };
    entries.push(entry);
  }
  return { entries };
}

function entryOf(line: string): SumsEntry | undefined {
  let o: Partial<Record<keyof SumsEntry, unknown>>;
  try {
    o = JSON.parse(line) as typeof o;
  } catch {
    return undefined;
  }
  const whole = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
  if ((o.kind !== 'schema' && o.kind !== 'batch') || !whole(o.start) || !whole(o.end) || !whole(o.rows)) {
    return undefined;
  }
  if (!whole(o.crc) || o.end < o.start) return undefined;
  const epochs = Array.isArray(o.epochs) && o.epochs.length === 2 ? (o.epochs as [number, number]) : undefined;
  return { kind: o.kind, start: o.start, end: o.end, crc: o.crc, rows: o.rows, ...(epochs ? { epochs } : {}) };
}

/** Smallest and largest value of the batch's int `epoch` column, for damage reports. */
export function epochRange(batch: RecordBatch): readonly [number, number] | undefined {
  const column = batch.getChild('epoch');
  if (column === null || batch.numRows === 0) return undefined;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of column as Iterable<unknown>) {
    if (typeof v !== 'number') continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/** Appends entries to a table's sums file, each on disk (when durable) before it returns. */
export class SumsWriter {
  private fd: number | undefined;
  private written = 0;

  /**
   * @param path - the sums file (created, or truncated when it exists)
   * @param durable - fsync every entry
   */
  constructor(
    readonly path: string,
    private readonly durable: boolean,
  ) {
    this.fd = openSync(path, 'w');
  }

  /**
   * Records a message the stream writer finished.
   *
   * @param kind - schema or batch
   * @param span - where the message lies in the stream file, from its flush
   * @param batch - the batch written (for its rows and epochs)
   */
  record(kind: SumsEntry['kind'], span: WrittenSpan, batch?: RecordBatch): void {
    if (this.fd === undefined) throw new Error(`${this.path} is already closed`);
    const epochs = batch === undefined ? undefined : epochRange(batch);
    const entry: SumsEntry = { kind, ...span, rows: batch?.numRows ?? 0, ...(epochs ? { epochs } : {}) };
    const line = Buffer.from(`${JSON.stringify(entry)}\n`);
    try {
      let offset = 0;
      while (offset < line.byteLength) {
        offset += writeSync(this.fd, line, offset, line.byteLength - offset, this.written + offset);
      }
    } catch (e) {
      try {
        ftruncateSync(this.fd, this.written); // no half line in front of the next one
      } catch {
        /* the original error matters */
      }
      throw e;
    }
    this.written += line.byteLength;
    if (this.durable) fsyncSync(this.fd);
  }

  /** Closes the file. Safe to call twice. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }
}
