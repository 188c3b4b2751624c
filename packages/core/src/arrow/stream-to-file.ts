import { readFileSync, renameSync } from 'node:fs';
import { RecordBatch, RecordBatchFileWriter, RecordBatchStreamReader, type Schema } from 'apache-arrow';
import { FileSink } from './file-sink.js';
import { scanStream } from './stream-scan.js';

/** What {@link streamToArrowFile} wrote. */
export interface StreamConversion {
  /** Record batches copied. */
  readonly batches: number;
  /** Bytes of a cut-short last message that were left out (0 for a cleanly finished stream). */
  readonly droppedBytes: number;
}

/**
 * Rewrites an Arrow stream file (`.arrows`) as an Arrow file-format file (`.arrow`): the
 * complete batches only, one at a time on the way out, appearing atomically (temp file +
 * rename). Returns undefined, writing nothing, when the stream has no complete schema.
 *
 * @param streamPath - the `.arrows` file
 * @param filePath - the `.arrow` file to create (replaced when it exists)
 * @param schema - schema to label the batches with (default: the stream's own)
 * @param durable - fsync the new file before the rename
 */
export function streamToArrowFile(
  streamPath: string,
  filePath: string,
  schema: Schema | undefined,
  durable: boolean,
): StreamConversion | undefined {
  const bytes = readFileSync(streamPath);
  const scan = scanStream(bytes);
  if (!scan.hasSchema) return undefined;
  const reader = RecordBatchStreamReader.from(bytes.subarray(0, scan.completeBytes));
  reader.open();
  const own = schema ?? reader.schema;
  const temp = `${filePath}.tmp`;
  // No fsync per batch (a long run has thousands); one at the end when durable.
  const sink = new FileSink(temp, false);
  let batches = 0;
  try {
    const writer = new RecordBatchFileWriter();
    writer.reset(sink, own); // magic bytes
    for (const batch of reader) {
      writer.write(new RecordBatch(own, batch.data));
      sink.flush(); // keep at most one batch in memory on the way out
      batches++;
    }
    writer.close(); // footer with the batch offsets
    sink.flush();
    if (durable) sink.sync();
  } finally {
    sink.closeFile();
  }
  renameSync(temp, filePath);
  return { batches, droppedBytes: scan.trailingBytes };
}
