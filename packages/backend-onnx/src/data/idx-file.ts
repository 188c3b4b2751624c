import { MonitorchError } from '@monitorch/core';

/** A parsed IDX file (the MNIST file format): dimensions and raw unsigned bytes. */
export interface IdxFile {
  /** Dimension sizes, e.g. `[60000, 28, 28]`. */
  readonly dims: readonly number[];
  /** Values, row-major (a view into the file's bytes). */
  readonly data: Uint8Array;
}

/**
 * Parses an IDX file of unsigned bytes. Layout (big-endian): two zero bytes, a type byte
 * (0x08 = ubyte), a dimension-count byte, one uint32 per dimension, then the values.
 * So MNIST images start with magic 0x00000803 and labels with 0x00000801.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` for a bad magic number, a type other than ubyte,
 *   or a file shorter than its header says
 */
export function parseIdx(bytes: Uint8Array, what = 'IDX file'): IdxFile {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${what}: not an IDX file (its first two bytes must be zero). Is it gzip-compressed? Decompress it first.`,
      { what },
    );
  }
  const type = bytes[2] as number;
  const rank = bytes[3] as number;
  if (type !== 0x08) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${what}: IDX value type 0x${type.toString(16)} is not supported; only unsigned bytes (0x08) are.`,
      { what, type },
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = 4 + 4 * rank;
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length < header + count) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `${what}: header promises ${count} values but the file holds ${bytes.length - header}. The file is truncated; reinstall the package it came from.`,
      { what, dims, bytes: bytes.length },
    );
  }
  return { dims, data: bytes.subarray(header, header + count) };
}
