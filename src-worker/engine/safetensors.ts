/**
 * The safetensors container (huggingface/safetensors), read strictly and written plainly:
 *   u64 N (little-endian) | N bytes of UTF-8 JSON header, space padded | data section
 *   header = { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: { string: string } }
 * Offsets are relative to the data section; tensors are row-major and little-endian.
 *
 * A file may come from anywhere, so the reader trusts nothing: every length is checked against the
 * bytes actually present before anything is allocated, the tensors must tile the data section
 * exactly (no overlaps, no gaps, nothing trailing), and every failure is a ModelFileError that
 * names the problem and the tensor.
 */
import { jsonLimitProblem } from '../../src-shared/json-limits.ts';

export class ModelFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelFileError';
  }
}

/** Float types we read. F16 and BF16 widen to float32. */
export type DTypeName = 'F32' | 'F64' | 'F16' | 'BF16';

const ITEM_SIZE: Readonly<Record<DTypeName, number>> = { F32: 4, F64: 8, F16: 2, BF16: 2 };

/** The safetensors dtypes we do not read, so the error can say "unsupported" rather than "unknown". */
const OTHER_DTYPES = ['BOOL', 'U8', 'I8', 'U16', 'I16', 'U32', 'I32', 'U64', 'I64', 'F8_E4M3', 'F8_E5M2'];

export interface TensorData {
  /** dtype as stored in the file */
  dtype: DTypeName;
  shape: number[];
  /** Float64Array for F64, Float32Array otherwise */
  data: Float32Array | Float64Array;
}

export interface SafetensorsFile {
  tensors: Map<string, TensorData>;
  metadata: Map<string, string>;
}

export interface ReadOptions {
  /** largest header accepted, bytes; default 100 MB (the limit of the reference implementation) */
  maxHeaderBytes?: number;
}

const MAX_HEADER_BYTES = 100_000_000;

// TextDecoder and TextEncoder exist in every runtime the engine targets (Node, workers, browsers),
// but the engine's tsconfig has no DOM or Node types; declare just what is used.
declare const TextDecoder: new (label: string, options: { fatal: boolean }) => { decode(input: Uint8Array): string };
declare const TextEncoder: new () => { encode(input: string): Uint8Array };

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function readSafetensors(bytes: Uint8Array, options: ReadOptions = {}): SafetensorsFile {
  const maxHeader = options.maxHeaderBytes ?? MAX_HEADER_BYTES;
  if (!(bytes instanceof Uint8Array)) throw new ModelFileError('model file: expected the bytes of a file (Uint8Array)');
  if (bytes.length < 8) {
    throw new ModelFileError(`model file is ${bytes.length} bytes, shorter than the 8-byte header length that starts a safetensors file`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(maxHeader)) {
    throw new ModelFileError(`header length ${declared} bytes is above the limit of ${maxHeader} bytes (not a safetensors file, or a corrupt one)`);
  }
  const n = Number(declared);
  if (n > bytes.length - 8) {
    throw new ModelFileError(`header length ${n} bytes runs past the end of the file (${bytes.length} bytes): the file is truncated or not a safetensors file`);
  }

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new ModelFileError('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new ModelFileError(`header is not valid JSON: ${(e as Error).message}`);
  }
  const tooLarge = jsonLimitProblem(header);
  if (tooLarge !== null) throw new ModelFileError(`header ${tooLarge}`);
  if (!isPlainObject(header)) throw new ModelFileError(`header must be a JSON object, got ${kindOf(header)}`);

  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata = readMetadata(header.__metadata__);

  // First validate every entry and the tiling of the data section; only then allocate.
  interface Entry { name: string; dtype: DTypeName; shape: number[]; begin: number; end: number }
  const entries: Entry[] = [];
  for (const name of Object.keys(header)) {
    if (name === '__metadata__') continue;
    const info = header[name];
    const t = `tensor ${quote(name)}`;
    if (!isPlainObject(info)) throw new ModelFileError(`${t}: entry must be an object {dtype, shape, data_offsets}, got ${kindOf(info)}`);
    for (const key of Object.keys(info)) {
      if (key !== 'dtype' && key !== 'shape' && key !== 'data_offsets') {
        throw new ModelFileError(`${t}: unknown field ${quote(key)}; allowed: dtype, shape, data_offsets`);
      }
    }
    const dtype = info.dtype;
    if (typeof dtype !== 'string') throw new ModelFileError(`${t}: dtype must be a string, got ${kindOf(dtype)}`);
    if (!Object.hasOwn(ITEM_SIZE, dtype)) {
      const why = OTHER_DTYPES.includes(dtype) ? 'unsupported' : 'unknown';
      throw new ModelFileError(`${t}: ${why} dtype ${quote(dtype)}; supported: ${Object.keys(ITEM_SIZE).join(', ')}`);
    }
    const itemSize = ITEM_SIZE[dtype as DTypeName];
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new ModelFileError(`${t}: shape must be an array of non-negative whole numbers, got ${preview(shape)}`);
    }
    // Stop multiplying once past the data section: the count can then neither overflow nor fit.
    let count = shape.includes(0) ? 0 : 1;
    for (let i = 0; i < shape.length && count <= dataLength; i++) count *= shape[i];
    if (count > dataLength) {
      throw new ModelFileError(`${t}: shape [${shape.join(', ')}] needs more bytes than the whole data section (${dataLength} bytes)`);
    }
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw new ModelFileError(`${t}: data_offsets must be [begin, end] with non-negative whole numbers, got ${preview(offsets)}`);
    }
    const [begin, end] = offsets as number[];
    if (begin > end) throw new ModelFileError(`${t}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLength) {
      throw new ModelFileError(`${t}: data_offsets [${begin}, ${end}] run past the end of the data section (${dataLength} bytes)`);
    }
    if (count * itemSize !== end - begin) {
      throw new ModelFileError(`${t}: shape [${shape.join(', ')}] of ${dtype} needs ${count * itemSize} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    }
    entries.push({ name, dtype: dtype as DTypeName, shape: shape.slice(), begin, end });
  }

  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let last: Entry | null = null;
  for (const e of sorted) {
    if (e.begin < at) {
      throw new ModelFileError(`tensor ${quote(e.name)}: data_offsets [${e.begin}, ${e.end}] overlap tensor ${quote(last!.name)} [${last!.begin}, ${last!.end}]`);
    }
    if (e.begin > at) {
      throw new ModelFileError(`data section has ${e.begin - at} unreferenced bytes at offset ${at}, before tensor ${quote(e.name)}`);
    }
    at = e.end;
    last = e;
  }
  if (at !== dataLength) {
    throw new ModelFileError(`data section has ${dataLength - at} trailing bytes after the last tensor (at offset ${at} of ${dataLength})`);
  }

  const tensors = new Map<string, TensorData>();
  for (const e of entries) {
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: decode(bytes, dataStart + e.begin, dataStart + e.end, e.dtype) });
  }
  return { tensors, metadata };
}

export interface TensorToWrite {
  name: string;
  shape: number[];
  /** written as F32 or F64 according to the array type */
  data: Float32Array | Float64Array;
}

/** Writes tensors in the order given, the data section 8-byte aligned. */
export function writeSafetensors(tensors: readonly TensorToWrite[], metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  // null prototypes, so that a tensor named "__proto__" is an ordinary key
  const header: Record<string, unknown> = Object.create(null);
  const meta: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new ModelFileError(`metadata ${quote(k)}: value must be a string, got ${kindOf(v)}`);
    meta[k] = v;
  }
  if (Object.keys(meta).length > 0) header.__metadata__ = meta;
  const names = new Set<string>();
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__' || names.has(t.name)) throw new ModelFileError(`tensor ${quote(t.name)}: name is reserved or used twice`);
    names.add(t.name);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0) || count !== t.data.length) {
      throw new ModelFileError(`tensor ${quote(t.name)}: shape [${t.shape.join(', ')}] does not match its ${t.data.length} values`);
    }
    const dtype = t.data instanceof Float64Array ? 'F64' : 'F32';
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8; // 8 + padded is a multiple of 8
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const t of tensors) {
    if (LITTLE_ENDIAN_HOST) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    } else if (t.data instanceof Float64Array) {
      for (let i = 0; i < t.data.length; i++) view.setFloat64(at + 8 * i, t.data[i], true);
    } else {
      for (let i = 0; i < t.data.length; i++) view.setFloat32(at + 4 * i, t.data[i], true);
    }
    at += t.data.byteLength;
  }
  return out;
}

function readMetadata(raw: unknown): Map<string, string> {
  const metadata = new Map<string, string>();
  if (raw === undefined || raw === null) return metadata;
  if (!isPlainObject(raw)) throw new ModelFileError(`__metadata__ must be an object of strings, got ${kindOf(raw)}`);
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') throw new ModelFileError(`__metadata__ ${quote(k)}: value must be a string, got ${kindOf(v)}`);
    metadata.set(k, v);
  }
  return metadata;
}

/** Copies bytes [begin, end) of a little-endian tensor into a fresh array (never a view of the file). */
function decode(bytes: Uint8Array, begin: number, end: number, dtype: DTypeName): Float32Array | Float64Array {
  const n = (end - begin) / ITEM_SIZE[dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset + begin, end - begin);
  if (dtype === 'F64' || dtype === 'F32') {
    const out = dtype === 'F64' ? new Float64Array(n) : new Float32Array(n);
    if (LITTLE_ENDIAN_HOST) {
      new Uint8Array(out.buffer).set(bytes.subarray(begin, end)); // bit-exact, whatever the alignment
    } else {
      for (let i = 0; i < n; i++) out[i] = dtype === 'F64' ? view.getFloat64(8 * i, true) : view.getFloat32(4 * i, true);
    }
    return out;
  }
  const out = new Float32Array(n);
  if (dtype === 'BF16') {
    const wide = new Uint32Array(out.buffer); // bfloat16 is the top half of a float32
    for (let i = 0; i < n; i++) wide[i] = view.getUint16(2 * i, true) << 16;
  } else {
    for (let i = 0; i < n; i++) out[i] = halfToNumber(view.getUint16(2 * i, true));
  }
  return out;
}

/** IEEE 754 binary16 to a number: sign, 5 exponent bits (bias 15), 10 fraction bits. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${preview(v)}`;
}

/** A name from the file, quoted and cut short: the file may hold anything. */
export function quote(s: string): string {
  const q = JSON.stringify(s);
  return q.length > 82 ? `${q.slice(0, 80)}..."` : q;
}

function preview(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
