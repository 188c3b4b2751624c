import { closeSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { AsyncByteQueue } from 'apache-arrow';

/** The bytes one {@link FileSink.flush} wrote: where they lie in the file and their CRC-32. */
export interface WrittenSpan {
  /** Offset of the first byte. */
  readonly start: number;
  /** Offset just past the last byte. */
  readonly end: number;
  /** CRC-32 of the bytes (0 for none). */
  readonly crc: number;
}

/**
 * A byte sink for Arrow's record batch writers that goes to a file descriptor synchronously.
 *
 * Arrow's writers push their output into an in-memory queue that is drained asynchronously.
 * A run file must be on disk when `append` returns (a crash right after must keep the epoch),
 * so this queue only collects the chunks of one message and {@link FileSink.flush} writes
 * them with one `writeSync` and, when durable, an `fsync`. Internal to the run writer.
 */
export class FileSink extends AsyncByteQueue {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private fd: number | undefined;
  /** Bytes written to the file so far. */
  written = 0;
  /** CRC-32 of every byte written so far (the whole file's, for a file written in one go). */
  crc = 0;

  /**
   * @param path - file to create (truncated when it exists)
   * @param durable - fsync after each flush (survives power loss, not only a killed process)
   */
  constructor(
    readonly path: string,
    readonly durable: boolean,
  ) {
    super();
    this.fd = openSync(path, 'w');
  }

  /** Collects a chunk; the Arrow writer calls this for every piece of a message. */
  override write(value: Uint8Array): void {
    if (value.byteLength === 0) return;
    this.pending.push(value);
    this.pendingBytes += value.byteLength;
  }

  /**
   * Writes the collected chunks to the file and (when durable) waits until they are on disk.
   *
   * @returns where the bytes went and their CRC-32, for the run's integrity sums
   */
  flush(): WrittenSpan {
    if (this.fd === undefined) throw new Error(`${this.path} is already closed`);
    const start = this.written;
    let spanCrc = 0;
    if (this.pendingBytes > 0) {
      // One contiguous buffer: one syscall, and a partial write can only cut the last message.
      const chunk =
        this.pending.length === 1 ? (this.pending[0] as Uint8Array) : concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      try {
        let offset = 0;
        while (offset < chunk.byteLength) {
          // Positional writes: after a truncation the next write lands right after the good bytes.
          offset += writeSync(this.fd, chunk, offset, chunk.byteLength - offset, this.written + offset);
        }
      } catch (e) {
        // A failed write (disk full) may leave part of a message; cut it so that later
        // appends continue a valid stream instead of following garbage.
        try {
          ftruncateSync(this.fd, this.written);
        } catch {
          /* the original error matters */
        }
        throw e;
      }
      this.written += chunk.byteLength;
      spanCrc = crc32(chunk);
      this.crc = crc32(chunk, this.crc);
    }
    if (this.durable) fsyncSync(this.fd);
    return { start, end: this.written, crc: spanCrc };
  }

  /**
   * Cuts the file back to `length` bytes (a message whose integrity entry could not be
   * written must not stay in the stream, where it would sit unaccounted for).
   */
  truncate(length: number): void {
    if (this.fd === undefined) return;
    ftruncateSync(this.fd, length);
    this.written = length;
  }

  /** Waits until everything written so far is on disk, whatever `durable` says. */
  sync(): void {
    if (this.fd !== undefined) fsyncSync(this.fd);
  }

  /** Closes the file descriptor (the Arrow writer's own close only ends its queue). Safe twice. */
  closeFile(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
