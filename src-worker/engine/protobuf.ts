/**
 * A minimal Protocol Buffers writer: just enough of the wire format to write an ONNX model.
 *
 *   tag = (field number << 3) | wire type;  wire type 0 = varint, 2 = length-delimited
 *   varint: 7 bits per byte, least significant group first, high bit set on all but the last byte
 *   int64/int32 negative values: the 64-bit two's complement as a 10-byte varint
 *   length-delimited: varint byte length, then the bytes (strings as UTF-8, nested messages, raw data)
 *
 * Repeated scalars are written unpacked (one tag per element), which every parser accepts for
 * proto2 and proto3 fields alike. Messages are built bottom-up: a nested message is finished into
 * bytes and written into its parent as a length-delimited field.
 */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;

/** The largest message protobuf implementations accept (2 GiB - 1). */
const MAX_MESSAGE_BYTES = 0x7fffffff;

const utf8 = new TextEncoder();

export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.len;
  }

  /** An unsigned or signed integer (int32, int64, uint64, enum, bool) as a varint field. */
  int(field: number, value: number | bigint | boolean): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  /** Each value as its own varint field (unpacked repeated int64/int32). */
  ints(field: number, values: Iterable<number | bigint>): this {
    for (const v of values) this.int(field, v);
    return this;
  }

  /** A length-delimited field holding these bytes. */
  bytes(field: number, data: Uint8Array): this {
    if (data.length > MAX_MESSAGE_BYTES) throw new RangeError(`protobuf field ${field} of ${data.length} bytes exceeds the 2 GiB limit`);
    this.tag(field, WIRE_LEN);
    this.varint(data.length);
    this.raw(data);
    return this;
  }

  /** A string field, UTF-8 encoded. */
  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }

  /** Each string as its own field (repeated string). */
  strings(field: number, values: Iterable<string>): this {
    for (const s of values) this.string(field, s);
    return this;
  }

  /** A nested message. */
  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  /** The message's bytes (a copy trimmed to length). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private tag(field: number, wire: number): void {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) throw new RangeError(`bad protobuf field number ${field}`);
    this.varint(field * 8 + wire);
  }

  private varint(value: number | bigint | boolean): void {
    if (typeof value === 'boolean') value = value ? 1 : 0;
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) throw new RangeError(`protobuf integer must be a safe integer, got ${value}`);
      if (value >= 0) {
        this.reserve(8);
        while (value >= 0x80) {
          this.buf[this.len++] = (value % 0x80) | 0x80;
          value = Math.floor(value / 0x80);
        }
        this.buf[this.len++] = value;
        return;
      }
      value = BigInt(value);
    }
    let v = BigInt.asUintN(64, value); // negative numbers: two's complement, 10 bytes
    this.reserve(10);
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
  }

  private raw(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  private reserve(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    if (need > MAX_MESSAGE_BYTES) throw new RangeError(`protobuf message would exceed the 2 GiB limit (${need} bytes)`);
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(Math.min(size, MAX_MESSAGE_BYTES));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}

/** Float32 values as little-endian bytes (raw_data of a FLOAT tensor). A float64 source is rounded. */
export function float32LE(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return out;
}

/** Int64 values as little-endian bytes (raw_data of an INT64 tensor). */
export function int64LE(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setBigInt64(i * 8, BigInt(values[i]), true);
  return out;
}
