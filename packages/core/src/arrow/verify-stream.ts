import { crc32 } from 'node:zlib';
import { epochList } from './run-damage.js';
import type { ParsedSums, SumsEntry } from './run-sums.js';
import { scanStream } from './stream-scan.js';

/** What {@link verifyStream} found in a `.arrows` file. */
export interface StreamCheck {
  /** Bytes to decode (the schema and every intact batch, as a stream), undefined for no table. */
  readonly data: Uint8Array | undefined;
  /** Bytes of an append the writer did not finish (a torn tail), left out; not damage. */
  readonly droppedBytes: number;
  /** What is wrong with finished epochs; undefined when they are all intact. */
  readonly problem?: string;
  /** Epochs of the finished batches that are lost. */
  readonly lostEpochs: readonly number[];
  /** Rows of the finished batches that are lost, when known. */
  readonly lostRows: number | undefined;
}

/**
 * Checks a `.arrows` stream against its sums (see run-sums.ts): every finished message must
 * be there with its checksum. Bytes after the last finished message are an append cut short
 * by a crash and are dropped silently; a finished message that is missing or altered is
 * damage. With the byte ranges from the sums, the batches after a damaged one are still
 * recovered. Without sums (files from before the sums existed), the stream's complete
 * messages are taken as they are.
 *
 * @param bytes - the stream file's contents
 * @param sums - its parsed sums file; undefined when there is none
 * @param sumsExpected - whether the run says its streams have sums (then a missing one is damage)
 */
export function verifyStream(bytes: Uint8Array, sums: ParsedSums | undefined, sumsExpected: boolean): StreamCheck {
  if (sums === undefined) {
    const scan = scanStream(bytes);
    const data = scan.hasSchema ? bytes.subarray(0, scan.completeBytes) : undefined;
    if (!sumsExpected) return { data, droppedBytes: scan.trailingBytes, lostEpochs: [], lostRows: 0 };
    return { data, droppedBytes: 0, problem: 'its sums file is missing', lostEpochs: [], lostRows: undefined };
  }
  const [schema, ...batches] = sums.entries;
  if (schema === undefined) {
    // The process stopped before the schema was finished: nothing was recorded.
    if (sums.problem === undefined)
      return { data: undefined, droppedBytes: bytes.byteLength, lostEpochs: [], lostRows: 0 };
    return { data: undefined, droppedBytes: 0, problem: sums.problem, lostEpochs: [], lostRows: undefined };
  }
  const allLost = {
    lostEpochs: batches.flatMap((b) => epochList(b.epochs)),
    lostRows: sums.problem === undefined ? batches.reduce((n, b) => n + b.rows, 0) : undefined,
  };
  if (schema.kind !== 'schema' || schema.start !== 0 || !intact(bytes, schema)) {
    return { data: undefined, droppedBytes: 0, problem: 'its schema message is missing or altered', ...allLost };
  }
  const problems: string[] = [];
  const kept: SumsEntry[] = [schema];
  const lostEpochs: number[] = [];
  let lostRows = 0;
  for (const [i, entry] of batches.entries()) {
    if (entry.kind === 'batch' && intact(bytes, entry)) {
      kept.push(entry);
      continue;
    }
    lostEpochs.push(...epochList(entry.epochs));
    lostRows += entry.rows;
    problems.push(
      entry.end > bytes.byteLength
        ? `the file ends before batch ${i + 1} of ${batches.length} finished ones`
        : `batch ${i + 1} does not match its checksum`,
    );
  }
  if (sums.problem !== undefined) problems.push(`${sums.problem} (later epochs cannot be checked)`);
  const lastEnd = Math.max(...sums.entries.map((e) => e.end));
  const tail = lastEnd <= bytes.byteLength ? bytes.subarray(lastEnd) : new Uint8Array(0);
  const shown = problems.length > 3 ? [...problems.slice(0, 3), `${problems.length - 3} more`] : problems;
  return {
    data: join(bytes, kept),
    // The end-of-stream marker after the last batch is how a closed stream ends: not dropped.
    droppedBytes: isEndOfStream(tail) ? 0 : tail.byteLength,
    ...(problems.length === 0 ? {} : { problem: shown.join(', ') }),
    lostEpochs,
    lostRows: sums.problem === undefined ? lostRows : undefined,
  };
}

function intact(bytes: Uint8Array, entry: SumsEntry): boolean {
  return entry.end <= bytes.byteLength && crc32(bytes.subarray(entry.start, entry.end)) === entry.crc;
}

/** The kept messages as one stream: the file's own prefix when nothing was left out. */
function join(bytes: Uint8Array, kept: readonly SumsEntry[]): Uint8Array {
  let contiguous = true;
  for (let i = 1; i < kept.length; i++) {
    if ((kept[i] as SumsEntry).start !== (kept[i - 1] as SumsEntry).end) contiguous = false;
  }
  const last = kept[kept.length - 1] as SumsEntry;
  if (contiguous) return bytes.subarray(0, last.end);
  const out = new Uint8Array(kept.reduce((n, e) => n + e.end - e.start, 0));
  let at = 0;
  for (const e of kept) {
    out.set(bytes.subarray(e.start, e.end), at);
    at += e.end - e.start;
  }
  return out;
}

function isEndOfStream(tail: Uint8Array): boolean {
  const hex = Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength).toString('hex');
  return hex === '' || hex === 'ffffffff00000000' || hex === '00000000';
}
