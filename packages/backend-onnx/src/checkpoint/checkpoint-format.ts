import type { PayloadDType, TensorPayload } from '../runtime/step-engine.js';
import { badCheckpoint as bad, checkHeader, ELEMENT_BYTES, type TensorEntry } from './checkpoint-header.js';

/** Everything needed to resume training exactly. */
export interface Checkpoint {
  /**
   * Optimizer steps finished, epochs finished (the next epoch's data-order index), learning
   * rate, and the run's seed (keys the dropout masks; absent in files from before it was saved).
   */
  readonly progress: {
    readonly step: number;
    readonly epoch: number;
    readonly learningRate: number;
    readonly seed?: number;
  };
  /** Parameters and optimizer state, by train-graph input name. */
  readonly tensors: Readonly<Record<string, TensorPayload>>;
  /** Free-form notes saved with the checkpoint (e.g. the data loader seed). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

const MAGIC = 'MTCKPT01';

/**
 * Encodes a checkpoint. The format is deliberately simple, so other tools can read it:
 *
 * ```text
 * bytes 0–7    ASCII "MTCKPT01"
 * bytes 8–11   uint32 little-endian: length H of the JSON header
 * bytes 12…    H bytes of UTF-8 JSON: { format, version, progress, meta,
 *                tensors: [{ name, dtype, dims, offset, byteLength }] }
 * then         zero padding to a multiple of 8, then the tensor data: each tensor's
 *              elements, row-major, little-endian, at `offset` from the start of this section
 *              (offsets are multiples of 8)
 * ```
 */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(checkpoint.tensors)) {
    const byteLength = t.data.length * ELEMENT_BYTES[t.dtype];
    entries.push({ name, dtype: t.dtype, dims: [...t.dims], offset, byteLength });
    offset += align8(byteLength);
  }
  const header = new TextEncoder().encode(
    JSON.stringify({
      format: 'monitorch-checkpoint',
      version: 1,
      progress: checkpoint.progress,
      meta: checkpoint.meta ?? {},
      tensors: entries,
    }),
  );
  const dataStart = align8(12 + header.length);
  const out = new Uint8Array(dataStart + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  for (const e of entries) {
    const t = checkpoint.tensors[e.name] as TensorPayload;
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, e.byteLength), dataStart + e.offset);
  }
  return out;
}

/**
 * Decodes {@link encodeCheckpoint}'s format. Tensors are copies (aligned, owning their buffers).
 *
 * @throws MonitorchError `INVALID_ARGUMENT` when the bytes are not a monitorch checkpoint, or
 *   any header field is wrong (checked in full before any tensor is read; see `checkHeader`)
 */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC)
    throw bad('the file does not start with MTCKPT01');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + headerLength > bytes.length) throw bad('the header is cut off');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  } catch {
    throw bad('the header is not JSON');
  }
  const dataStart = align8(12 + headerLength);
  const header = checkHeader(parsed, Math.max(0, bytes.length - dataStart));
  const tensors: Record<string, TensorPayload> = {};
  for (const e of header.tensors) {
    const start = dataStart + e.offset;
    // Copy into an own buffer (Node's Buffer#slice is a view into a shared pool).
    const raw = new Uint8Array(e.byteLength);
    raw.set(bytes.subarray(start, start + e.byteLength));
    tensors[e.name] = { dtype: e.dtype, dims: e.dims, data: typedView(e.dtype, raw.buffer) };
  }
  return { progress: header.progress, tensors, meta: header.meta };
}

function typedView(dtype: PayloadDType, buffer: ArrayBuffer): TensorPayload['data'] {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer);
    case 'int32':
      return new Int32Array(buffer);
    case 'int64':
      return new BigInt64Array(buffer);
    case 'float64':
      return new Float64Array(buffer);
    case 'bool':
    case 'uint8':
      return new Uint8Array(buffer);
  }
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
