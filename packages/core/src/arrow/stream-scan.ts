import { Message, MessageHeader } from 'apache-arrow';

/** Where an Arrow IPC stream's complete messages end. */
export interface StreamScan {
  /** Byte length of the prefix made of whole messages (schema first), EOS excluded. */
  readonly completeBytes: number;
  /** Whether the stream starts with a complete schema message. */
  readonly hasSchema: boolean;
  /** Number of complete record batch messages. */
  readonly batches: number;
  /** Whether the stream ends with the end-of-stream marker (a cleanly finished file). */
  readonly ended: boolean;
  /** Bytes after the last complete message (a message cut short by a crash), 0 when none. */
  readonly trailingBytes: number;
}

/**
 * Walks the message framing of an Arrow IPC stream (continuation marker, metadata length,
 * flatbuffer metadata, body) without decoding bodies, and reports how far the complete
 * messages go. A process killed while appending can leave half a message at the end of a
 * `.arrows` file; readers keep the complete prefix instead of failing on the whole file.
 *
 * @param bytes - the stream file's contents
 */
export function scanStream(bytes: Uint8Array): StreamScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  let complete = 0;
  let hasSchema = false;
  let batches = 0;
  let ended = false;
  while (at + 4 <= bytes.byteLength) {
    let prefix = 4;
    let metaLength = view.getInt32(at, true);
    if (metaLength === -1) {
      // Continuation marker (format ≥ 0.15): the length follows.
      if (at + 8 > bytes.byteLength) break;
      metaLength = view.getInt32(at + 4, true);
      prefix = 8;
    }
    if (metaLength === 0) {
      ended = true;
      break;
    }
    const metaStart = at + prefix;
    const metaEnd = metaStart + metaLength;
    if (metaLength < 0 || metaEnd > bytes.byteLength) break;
    let message: Message;
    try {
      message = Message.decode(bytes.subarray(metaStart, metaEnd));
    } catch {
      break; // garbage where a message should start: keep what came before
    }
    const end = metaEnd + Number(message.bodyLength);
    if (end > bytes.byteLength) break;
    if (!hasSchema) {
      if (message.headerType !== MessageHeader.Schema) break;
      hasSchema = true;
    } else if (message.headerType === MessageHeader.RecordBatch) {
      batches++;
    }
    at = end;
    complete = end;
  }
  const trailingBytes = ended ? 0 : bytes.byteLength - complete;
  return { completeBytes: complete, hasSchema, batches, ended, trailingBytes };
}
