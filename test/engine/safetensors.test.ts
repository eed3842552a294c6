// The safetensors container: round trips, the half-precision formats, and every way a hostile file
// can be malformed, each of which must be a ModelFileError that says what is wrong and where.
import { describe, expect, it } from 'vitest';
import { halfToNumber, ModelFileError, readSafetensors, writeSafetensors } from '../../src-worker/engine/safetensors.ts';

/** A file from a header (object or raw text or bytes), a data section, and optionally a false header length. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), declared?: bigint): Uint8Array {
  const h = header instanceof Uint8Array ? header : new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declared ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function bytesOf(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

function expectError(bytes: Uint8Array, message: RegExp): void {
  let caught: unknown;
  try {
    readSafetensors(bytes);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ModelFileError);
  expect((caught as Error).name).toBe('ModelFileError');
  expect((caught as Error).message).toMatch(message);
}

const w = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8], ...extra } });

describe('safetensors writer and reader', () => {
  it('round-trips F32 and F64 tensors bit-exactly, with metadata, and aligns the data to 8 bytes', () => {
    const a = new Float32Array([1.5, -0, 1e-45, 3.4e38, Math.PI, -2]);
    const b = new Float64Array([Math.E, -1e-300, 0]);
    const empty = new Float32Array(0);
    const bytes = writeSafetensors(
      [{ name: 'a', shape: [2, 3], data: a }, { name: 'b.c', shape: [3], data: b }, { name: 'z', shape: [0, 4], data: empty }],
      { note: 'héllo ✓', n: '3' },
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const f = readSafetensors(bytes);
    expect([...f.tensors.keys()]).toEqual(['a', 'b.c', 'z']);
    const ra = f.tensors.get('a')!;
    expect(ra.dtype).toBe('F32');
    expect(ra.shape).toEqual([2, 3]);
    expect(ra.data).toBeInstanceOf(Float32Array);
    expect(new Uint32Array(ra.data.buffer)).toEqual(new Uint32Array(a.buffer));
    expect(Object.is(ra.data[1], -0)).toBe(true);
    const rb = f.tensors.get('b.c')!;
    expect(rb.dtype).toBe('F64');
    expect(Array.from(rb.data)).toEqual(Array.from(b));
    expect(f.tensors.get('z')!.shape).toEqual([0, 4]);
    expect(Object.fromEntries(f.metadata)).toEqual({ note: 'héllo ✓', n: '3' });
  });

  it('reads from a Uint8Array that is a view at an odd offset into a larger buffer', () => {
    const inner = writeSafetensors([{ name: 'x', shape: [3], data: new Float32Array([1, 2, 3]) }]);
    const big = new Uint8Array(inner.length + 5);
    big.set(inner, 3);
    const f = readSafetensors(big.subarray(3, 3 + inner.length));
    expect(Array.from(f.tensors.get('x')!.data)).toEqual([1, 2, 3]);
  });

  it('keeps a tensor named __proto__ an ordinary name', () => {
    const bytes = writeSafetensors([{ name: '__proto__', shape: [1], data: new Float32Array([7]) }]);
    expect(Array.from(readSafetensors(bytes).tensors.get('__proto__')!.data)).toEqual([7]);
  });

  it('refuses to write a shape that does not match the data, or a name twice', () => {
    expect(() => writeSafetensors([{ name: 'x', shape: [2, 2], data: new Float32Array(3) }])).toThrow(/"x".*shape \[2, 2\] does not match its 3 values/);
    const t = { name: 'x', shape: [1], data: new Float32Array(1) };
    expect(() => writeSafetensors([t, t])).toThrow(ModelFileError);
  });

  it('widens F16 and BF16 to float32', () => {
    expect(halfToNumber(0x3c00)).toBe(1);
    expect(halfToNumber(0xc000)).toBe(-2);
    expect(halfToNumber(0x0001)).toBe(2 ** -24);
    expect(halfToNumber(0x7bff)).toBe(65504);
    expect(halfToNumber(0xfc00)).toBe(-Infinity);
    expect(halfToNumber(0x7e00)).toBeNaN();
    const data = new Uint8Array(new Uint16Array([0x3c00, 0x3555, 0x3f80, 0x4049, 0xc000, 0x0000]).buffer);
    const f = readSafetensors(file({
      h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
      b: { dtype: 'BF16', shape: [2, 2], data_offsets: [4, 12] },
    }, data));
    const h = f.tensors.get('h')!;
    expect(h.data).toBeInstanceOf(Float32Array);
    expect(h.data[0]).toBe(1);
    expect(h.data[1]).toBeCloseTo(1 / 3, 3);
    expect(Array.from(f.tensors.get('b')!.data)).toEqual([1, 3.140625, -2, 0]);
  });
});

describe('safetensors reader on hostile files', () => {
  it('a file shorter than 8 bytes', () => {
    expectError(new Uint8Array(5), /5 bytes, shorter than the 8-byte header length/);
  });

  it('a header length past the end of the file', () => {
    expectError(file('{}', new Uint8Array(0), 100n), /header length 100 bytes runs past the end of the file \(10 bytes\)/);
  });

  it('a huge declared header length is refused before anything is allocated', () => {
    expectError(file('{}', new Uint8Array(0), 0xffffffffffffffffn), /header length 18446744073709551615 bytes is above the limit of 100000000 bytes/);
    expectError(file('{}', new Uint8Array(0), 1n << 40n), /above the limit/);
    // just under the limit but far more than the file holds: no 99 MB allocation either
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 20; i++) expectError(file('{}', new Uint8Array(0), 99_000_000n), /runs past the end of the file/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(10_000_000);
  });

  it('a header limit can be set lower', () => {
    expect(() => readSafetensors(file(w(), bytesOf([1, 2])), { maxHeaderBytes: 10 })).toThrow(/above the limit of 10 bytes/);
  });

  it('a header that is not UTF-8', () => {
    expectError(file(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /header is not valid UTF-8/);
  });

  it('a header that is not JSON', () => {
    expectError(file('{"w": {"dtype": "F32",'), /header is not valid JSON/);
  });

  it('a header that is not an object', () => {
    expectError(file('[1, 2]'), /header must be a JSON object, got an array/);
    expectError(file('42'), /header must be a JSON object, got number 42/);
    expectError(file('null'), /header must be a JSON object, got null/);
  });

  it('a tensor entry that is not an object or has unknown fields', () => {
    expectError(file({ w: [1] }), /tensor "w": entry must be an object/);
    expectError(file(w({ extra: 1 }), bytesOf([1, 2])), /tensor "w": unknown field "extra"/);
  });

  it('an unknown or unsupported dtype', () => {
    expectError(file(w({ dtype: 'F33' }), bytesOf([1, 2])), /tensor "w": unknown dtype "F33"; supported: F32, F64, F16, BF16/);
    expectError(file(w({ dtype: 'I32' }), bytesOf([1, 2])), /tensor "w": unsupported dtype "I32"/);
    expectError(file(w({ dtype: 4 }), bytesOf([1, 2])), /tensor "w": dtype must be a string, got number 4/);
  });

  it('a shape that is not an array of non-negative safe integers', () => {
    for (const shape of [[-1], [1.5], '2', [2 ** 53], [null], { 0: 2 }]) {
      expectError(file(w({ shape }), bytesOf([1, 2])), /tensor "w": shape must be an array of non-negative whole numbers/);
    }
  });

  it('a shape far larger than the data, without overflow', () => {
    expectError(file(w({ shape: [2 ** 40, 2 ** 40, 2 ** 40] }), bytesOf([1, 2])), /tensor "w": shape \[.*\] needs more bytes than the whole data section \(8 bytes\)/);
  });

  it('data_offsets malformed, reversed, out of range or not matching the shape', () => {
    expectError(file(w({ data_offsets: [0] }), bytesOf([1, 2])), /tensor "w": data_offsets must be \[begin, end\]/);
    expectError(file(w({ data_offsets: [0, -8] }), bytesOf([1, 2])), /tensor "w": data_offsets must be \[begin, end\]/);
    expectError(file(w({ data_offsets: [8, 0] }), bytesOf([1, 2])), /tensor "w": data_offsets \[8, 0\] end before they begin/);
    expectError(file(w({ data_offsets: [0, 16] }), bytesOf([1, 2])), /tensor "w": data_offsets \[0, 16\] run past the end of the data section \(8 bytes\)/);
    expectError(file(w({ data_offsets: [0, 4] }), bytesOf([1])), /tensor "w": shape \[2\] of F32 needs 8 bytes, but data_offsets \[0, 4\] hold 4/);
  });

  it('overlapping tensors', () => {
    const header = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    };
    expectError(file(header, bytesOf([1, 2, 3])), /tensor "b": data_offsets \[4, 12\] overlap tensor "a" \[0, 8\]/);
  });

  it('unreferenced gaps and trailing bytes', () => {
    const gap = {
      a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
      b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
    };
    expectError(file(gap, bytesOf([1, 2, 3])), /4 unreferenced bytes at offset 4, before tensor "b"/);
    expectError(file(w(), bytesOf([1, 2, 3])), /4 trailing bytes after the last tensor/);
    expectError(file({}, bytesOf([1])), /4 trailing bytes/);
  });

  it('metadata that is not an object of strings', () => {
    expectError(file({ ...w(), __metadata__: { format: 'rnn-lab', version: 1 } }, bytesOf([1, 2])), /__metadata__ "version": value must be a string, got number 1/);
    expectError(file({ ...w(), __metadata__: ['x'] }, bytesOf([1, 2])), /__metadata__ must be an object of strings, got an array/);
  });

  it('a header nested deeper, or holding more values, than the JSON limits', () => {
    const deep = `{"w": {"dtype": "F32", "shape": ${'['.repeat(5000)}${']'.repeat(5000)}, "data_offsets": [0, 8]}}`;
    expectError(file(deep, bytesOf([1, 2])), /^header nests deeper than 64 levels$/);
    const many = `{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "__metadata__": {}, "x": [${new Array(1_000_000).fill(0).join(',')}]}`;
    expectError(file(many, bytesOf([1, 2])), /^header holds more than 1000000 values$/);
  });

  it('a hostile tensor name is quoted and cut short in messages', () => {
    const name = `${'x'.repeat(500)}\n`;
    let message = '';
    try {
      readSafetensors(file({ [name]: { dtype: 'Q', shape: [], data_offsets: [0, 0] } }));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^tensor "x{79}\.\.\.": unknown dtype "Q"/);
  });
});
