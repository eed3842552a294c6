/**
 * How the LabApi travels over HTTP in browser mode, shared by the server and the renderer's HTTP
 * client (no Node imports here: it is in the shared layer).
 *
 *   POST {API_PREFIX}{method}   body  encodeWire({ req })      answer encodeWire(Result)
 *   GET  {EVENTS_PATH}?token=T  server-sent events, each `data:` line encodeWire(ApiEvent)
 *
 * JSON, except that binary data (Uint8Array: corpus imports, exported models) travels as
 * { "$bytes": "<base64>" }; decodeWire turns exactly that shape back into a Uint8Array. Every API
 * request carries the access token as `Authorization: Bearer T`; EventSource cannot set headers,
 * so the events stream takes it as ?token=T instead. The page itself is opened as /?token=T: the
 * renderer reads it from location (and should then drop it from the address bar).
 */

export const API_PREFIX = '/api/';
export const EVENTS_PATH = '/api/events';
export const TOKEN_PARAM = 'token';

import { JSON_LIMITS, jsonLimitProblem, type JsonLimits } from './json-limits.ts';

const BYTES_TAG = '$bytes';

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? { [BYTES_TAG]: toBase64(v) } : v));
}

/**
 * No request or answer nests this deeply; turning a deeper value back (or validating it) would
 * recurse thousands of levels down and overflow the stack. Answers hold many values (a run's
 * metric rows), so only the depth is bounded.
 */
const WIRE_LIMITS: JsonLimits = { maxDepth: JSON_LIMITS.maxDepth, maxValues: Number.POSITIVE_INFINITY };

/** Throws SyntaxError on malformed JSON or base64, and on a value nested deeper than WIRE_LIMITS allow. */
export function decodeWire(text: string): unknown {
  const value: unknown = JSON.parse(text);
  const problem = jsonLimitProblem(value, WIRE_LIMITS);
  if (problem) throw new SyntaxError(`it ${problem}`);
  return reviveBytes(value);
}

/** Turns exactly { "$bytes": "<base64>" } back into a Uint8Array, in place; the depth is bounded by then. */
function reviveBytes(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (!Array.isArray(v) && keys.length === 1 && keys[0] === BYTES_TAG && typeof o[BYTES_TAG] === 'string') return fromBase64(o[BYTES_TAG]);
  for (const k of keys) {
    const r = reviveBytes(o[k]);
    // defined, not assigned: a key "__proto__" (an own property after JSON.parse) must stay a plain key
    if (r !== o[k]) Object.defineProperty(o, k, { value: r, writable: true, enumerable: true, configurable: true });
  }
  return o;
}

export function authorizationHeader(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

// Node's Buffer when there is one (fast for large files), else atob/btoa in chunks. Both are
// globals in every runtime this runs in, but not in the ES library this layer is checked against.
declare function btoa(data: string): string;
declare function atob(data: string): string;

interface BufferLike {
  from(data: ArrayBufferLike | string, offsetOrEncoding?: number | string, length?: number): Uint8Array & { toString(encoding: string): string };
}
const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;

function toBase64(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function fromBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0 || !BASE64.test(text)) throw new SyntaxError('binary data is not valid base64');
  if (NodeBuffer) {
    const b = NodeBuffer.from(text, 'base64');
    // small Buffers share a pool: copy those, so the result owns its ArrayBuffer
    return b.byteLength < 8192 ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
