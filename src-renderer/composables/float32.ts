/**
 * Traces arrive as float32 little-endian bytes. A Float32Array view needs a 4-byte aligned offset
 * and a little-endian machine; otherwise the values are copied out (DataView reads little-endian
 * whatever the machine).
 */

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function decodeFloat32(bytes: Uint8Array, littleEndianHost = LITTLE_ENDIAN): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new Error(`float32 data must be a multiple of 4 bytes, got ${bytes.byteLength}`);
  const n = bytes.byteLength / 4;
  if (littleEndianHost && bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, n);
  const out = new Float32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** One unit's values over the steps of a (T, H) array. */
export function unitColumn(values: Float32Array, steps: number, hidden: number, unit: number): Float32Array {
  if (values.length !== steps * hidden) throw new Error(`expected ${steps} x ${hidden} values, got ${values.length}`);
  if (!Number.isInteger(unit) || unit < 0 || unit >= hidden) throw new Error(`unit ${unit} is outside 0..${hidden - 1}`);
  const out = new Float32Array(steps);
  for (let t = 0; t < steps; t++) out[t] = values[t * hidden + unit];
  return out;
}
