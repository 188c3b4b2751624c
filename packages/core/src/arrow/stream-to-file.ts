import { renameSync, rmSync } from 'node:fs';
import { RecordBatch, RecordBatchFileWriter, RecordBatchStreamReader, type Schema } from 'apache-arrow';
import type { ArrowFileSum } from './run-manifest.js';
import { FileSink } from './file-sink.js';

/** What {@link streamToArrowFile} wrote: its size and checksum, and its batches. */
export interface StreamConversion extends ArrowFileSum {
  /** Record batches copied. */
  readonly batches: number;
}

/**
 * Rewrites Arrow stream bytes (the verified content of a `.arrows`) as an Arrow file-format
 * file (`.arrow`), one batch at a time on the way out, appearing atomically (temp file +
 * rename). A stream without batches gives a valid file holding only the schema. When writing
 * fails (a full disk) the temp file is removed, so no half file is left behind.
 *
 * @param stream - Arrow IPC stream bytes: schema, batches, optionally the end-of-stream marker
 * @param filePath - the `.arrow` file to create (replaced when it exists)
 * @param schema - schema to label the batches with (default: the stream's own)
 * @param durable - fsync the new file before the rename
 */
export function streamToArrowFile(
  stream: Uint8Array,
  filePath: string,
  schema: Schema | undefined,
  durable: boolean,
): StreamConversion {
  const reader = RecordBatchStreamReader.from(stream);
  reader.open();
  const own = schema ?? reader.schema;
  const temp = `${filePath}.tmp`;
  let batches = 0;
  let rows = 0;
  let sink: FileSink | undefined;
  try {
    // No fsync per batch (a long run has thousands); one at the end when durable.
    sink = new FileSink(temp, false);
    const writer = new RecordBatchFileWriter();
    writer.reset(sink, own); // magic bytes and the schema
    for (const batch of reader) {
      // A stream without batches reads as one empty placeholder batch with no buffers.
      if (batch.numRows === 0) continue;
      writer.write(new RecordBatch(own, batch.data));
      sink.flush(); // keep at most one batch in memory on the way out
      batches++;
      rows += batch.numRows;
    }
    // Arrow's writer writes the schema with the first batch, so without one it only does so
    // on close: an empty table still becomes a complete file.
    writer.close(); // footer with the batch offsets
    sink.flush();
    if (durable) sink.sync();
    sink.closeFile();
    renameSync(temp, filePath);
    return { batches, rows, bytes: sink.written, crc: sink.crc };
  } catch (e) {
    try {
      sink?.closeFile();
    } finally {
      rmSync(temp, { force: true, recursive: false });
    }
    throw e;
  }
}
