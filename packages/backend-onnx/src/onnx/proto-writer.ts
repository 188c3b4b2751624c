/**
 * A minimal protobuf *encoder*: just what ONNX ModelProto needs (varints, fixed32 floats,
 * length-delimited strings, bytes and sub-messages). Decoding is never needed: ORT reads the
 * bytes. Writing it by hand keeps the package free of protobuf dependencies.
 */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  /** Appends raw bytes. */
  raw(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  /** Writes a base-128 varint; negative numbers as 64-bit two's complement (protobuf int64). */
  varint(value: number | bigint): void {
    let v = BigInt(value);
    if (v < 0n) v += 1n << 64n;
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      out.push(byte);
    } while (v !== 0n);
    this.raw(Uint8Array.from(out));
  }

  /** Field tag: field number and wire type (0 varint, 2 length-delimited, 5 fixed32). */
  tag(field: number, wire: 0 | 2 | 5): void {
    this.varint((field << 3) | wire);
  }

  /** An integer field (int32/int64/enum). */
  int(field: number, value: number | bigint): void {
    this.tag(field, 0);
    this.varint(value);
  }

  /** A float field (fixed32, little-endian IEEE 754 single). */
  float(field: number, value: number): void {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.raw(b);
  }

  /** A bytes field. */
  bytes(field: number, value: Uint8Array): void {
    this.tag(field, 2);
    this.varint(value.length);
    this.raw(value);
  }

  /** A UTF-8 string field. */
  string(field: number, value: string): void {
    this.bytes(field, new TextEncoder().encode(value));
  }

  /** A packed repeated varint field (proto3 default for repeated scalars). */
  packedInts(field: number, values: readonly (number | bigint)[]): void {
    const w = new ProtoWriter();
    for (const v of values) w.varint(v);
    this.bytes(field, w.finish());
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: readonly number[]): void {
    const b = new Uint8Array(values.length * 4);
    const view = new DataView(b.buffer);
    values.forEach((v, k) => view.setFloat32(k * 4, v, true));
    this.bytes(field, b);
  }

  /** A sub-message field, filled by `fill`. */
  message(field: number, fill: (w: ProtoWriter) => void): void {
    const w = new ProtoWriter();
    fill(w);
    this.bytes(field, w.finish());
  }

  /** The bytes written so far, as one array. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const p of this.parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }
}
