/**
 * Corpus import: the bytes a user picked become a normalised text, its vocabulary and its
 * statistics, or a CorpusError that says in plain words why the file was refused. Imported files
 * are hostile: the size is checked before anything is decoded, UTF-8 is parsed strictly, and the
 * refusal names the byte where the file went wrong.
 *
 * Characters are Unicode code points (an emoji is one character, a Korean syllable is one
 * character), the vocabulary is sorted by code point, as the engine's Vocab expects. No Unicode
 * normalisation (NFC) is applied: a precomposed and a decomposed "é" stay different characters.
 */
import { createHash } from 'node:crypto';
import type { CorpusStats } from '../api/types.ts';
import { MIN_VOCAB } from '../../src-shared/limits.ts';

export type CorpusErrorCode = 'empty' | 'too-large' | 'binary' | 'invalid-utf8' | 'too-short' | 'too-few-symbols' | 'too-many-symbols';

export class CorpusError extends Error {
  constructor(
    readonly code: CorpusErrorCode,
    message: string,
    /** byte offset in the file (counting from 0) where the problem was found, when there is one */
    readonly byteOffset?: number,
  ) {
    super(message);
    this.name = 'CorpusError';
  }
}

/** Most distinct characters a corpus may have: token ids must fit a Uint16Array (engine LIMITS.vocab). */
export const MAX_VOCAB = 65536;
export const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;
export const DEFAULT_VALID_FRACTION = 0.1;
export const DEFAULT_MIN_WINDOW = { seqLen: 64, batch: 1 } as const;

export interface PrepareOptions {
  /** shown at the start of error messages, e.g. the file name */
  name?: string;
  /** keep "\r\n" line ends as they are (by default they become "\n"; a lone "\r" always stays) */
  keepCrlf?: boolean;
  /** largest file accepted, in bytes (default 100 MB = 100 x 2^20 bytes) */
  maxBytes?: number;
  /** fraction of the characters, at the end, held out for validation (default 0.1) */
  validFraction?: number;
  /** the smallest training run the corpus must allow (default seqLen 64, batch 1) */
  minWindow?: { seqLen: number; batch: number };
  /** a text a trained model only reads (rnn-lab eval): one distinct character is enough */
  evaluationOnly?: boolean;
}

export interface PreparedCorpus {
  name?: string;
  /** the normalised text: no BOM, "\n" line ends unless keepCrlf */
  text: string;
  /** hex SHA-256 of the normalised text's UTF-8: same content, same hash, whatever the BOM or line ends */
  sha256: string;
  /** characters (code points) */
  chars: number;
  /** the distinct characters, sorted by code point: token id = index */
  vocab: string[];
  stats: CorpusStats;
}

const TOP_CHARS = 20;
const PREVIEW_CHARS = 500;

export function prepareCorpus(bytes: Uint8Array, opts: PrepareOptions = {}): PreparedCorpus {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const validFraction = opts.validFraction ?? DEFAULT_VALID_FRACTION;
  const minWindow = opts.minWindow ?? DEFAULT_MIN_WINDOW;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxBytes must be a whole number of bytes >= 1, got ${maxBytes}`);
  checkValidFraction(validFraction);
  for (const k of ['seqLen', 'batch'] as const) {
    const v = minWindow[k];
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`minWindow.${k} must be a whole number >= 1, got ${v}`);
  }
  const who = opts.name ? `${opts.name}: ` : '';
  const refuse = (code: CorpusErrorCode, message: string, at?: number): CorpusError => new CorpusError(code, who + message, at);

  if (bytes.length > maxBytes) {
    throw refuse('too-large', `the file is ${formatSize(bytes.length)}, over the limit of ${formatSize(maxBytes)} for a corpus: import a smaller part of it, or raise the corpus size limit`);
  }
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw refuse('invalid-utf8', 'the file starts with a UTF-16 byte order mark: it is UTF-16 text, not UTF-8; save it as UTF-8 and import it again', 0);
  }
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  if (bytes.length === bom) throw refuse('empty', bom ? 'the file holds only a byte order mark and no text' : 'the file is empty');
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw refuse('binary', `the file contains a NUL byte at byte ${nul}: it looks like a binary file, not text`, nul);

  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(bom));
  } catch {
    // TextDecoder does not say where; find the first bad sequence ourselves.
    const bad = findInvalidUtf8(bytes) ?? { offset: 0, reason: 'the decoder refused the file' };
    throw refuse('invalid-utf8', `invalid UTF-8 at byte ${bad.offset} (line ${lineAt(bytes, bad.offset)}): ${bad.reason}; the file must be UTF-8 text`, bad.offset);
  }
  const text = opts.keepCrlf ? decoded : decoded.replaceAll('\r\n', '\n');

  const counts = countCodePoints(text);
  if (counts.size > MAX_VOCAB) {
    throw refuse('too-many-symbols', `the text has ${counts.size} distinct characters, more than the ${MAX_VOCAB} a model can have`);
  }
  if (counts.size < MIN_VOCAB && !opts.evaluationOnly) {
    const [only] = counts.keys();
    throw refuse('too-few-symbols', `the text has only one distinct character, ${describeChar(String.fromCodePoint(only))}: a model needs at least ${MIN_VOCAB} to have anything to predict`);
  }
  const chars = sumCounts(counts);
  const need = minCorpusChars(validFraction, minWindow);
  if (chars < need.total) {
    throw refuse('too-short', `the text has ${chars} characters; it needs at least ${need.total}: ${need.train} for training `
      + `(batch ${minWindow.batch} x seqLen ${minWindow.seqLen} + seqLen ${minWindow.seqLen}) and at least 2 in the `
      + `${formatPercent(validFraction)} held out for validation`);
  }
  const vocab = sortedVocab(counts);
  return {
    ...(opts.name === undefined ? {} : { name: opts.name }),
    text,
    sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
    chars,
    vocab,
    stats: statsFromCounts(text, counts, vocab.length, chars, validFraction),
  };
}

/**
 * Characters the training part needs for one training window. The engine's StreamBatcher cuts the
 * training text into `batch` streams after a random shift of up to seqLen - 1 characters, and every
 * stream must still hold seqLen inputs and their targets: batch x seqLen + seqLen characters.
 * (batch x (seqLen + 1) would pass corpora the batcher then refuses.)
 */
export function minTrainChars(window: { seqLen: number; batch: number }): number {
  return window.batch * window.seqLen + window.seqLen;
}

/** The fewest characters a corpus needs: enough for minTrainChars in training and 2 in validation. */
export function minCorpusChars(validFraction: number, window: { seqLen: number; batch: number }): { total: number; train: number } {
  checkValidFraction(validFraction);
  const train = minTrainChars(window);
  // Both parts grow by at most one character per character added, so the first n that works is the answer.
  let n = Math.max(train + 2, Math.floor(train / (1 - validFraction)) - 2, Math.floor(1.5 / validFraction) - 2);
  while (n - validCharsOf(n, validFraction) < train || validCharsOf(n, validFraction) < 2) n++;
  return { total: n, train };
}

/** Characters held out for validation: the last round(n x validFraction) of n. */
function validCharsOf(n: number, validFraction: number): number {
  return Math.round(n * validFraction);
}

function checkValidFraction(f: number): void {
  if (typeof f !== 'number' || !(f > 0 && f < 1)) throw new RangeError(`validFraction must be a number between 0 and 1 (both excluded), got ${f}`);
}

export interface CorpusSplit {
  train: string;
  valid: string;
  trainChars: number;
  validChars: number;
}

/** Like char-rnn: the last round(chars x validFraction) characters (code points) are validation. */
export function splitCorpus(text: string, validFraction: number): CorpusSplit {
  checkValidFraction(validFraction);
  const chars = countChars(text);
  const validChars = validCharsOf(chars, validFraction);
  // Walk back validChars code points from the end: a surrogate pair is never cut.
  let cut = text.length;
  for (let k = 0; k < validChars; k++) {
    cut--;
    const unit = text.charCodeAt(cut);
    if (unit >= 0xdc00 && unit <= 0xdfff && cut > 0) {
      const prev = text.charCodeAt(cut - 1);
      if (prev >= 0xd800 && prev <= 0xdbff) cut--;
    }
  }
  return { train: text.slice(0, cut), valid: text.slice(cut), trainChars: chars - validChars, validChars };
}

export function corpusStats(text: string, vocab: readonly string[], validFraction = DEFAULT_VALID_FRACTION): CorpusStats {
  checkValidFraction(validFraction);
  const counts = countCodePoints(text);
  const known = new Set(vocab);
  for (const cp of counts.keys()) {
    const c = String.fromCodePoint(cp);
    if (!known.has(c)) throw new RangeError(`the text has the character ${describeChar(c)}, which is not in the vocabulary`);
  }
  return statsFromCounts(text, counts, vocab.length, sumCounts(counts), validFraction);
}

function statsFromCounts(text: string, counts: Map<number, number>, vocabSize: number, chars: number, validFraction: number): CorpusStats {
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  let entropy = 0;
  for (const [, n] of ranked) {
    const p = n / chars;
    entropy -= p * Math.log(p);
  }
  const newlines = counts.get(0x0a) ?? 0;
  const validChars = validCharsOf(chars, validFraction);
  return {
    chars,
    vocabSize,
    topChars: ranked.slice(0, TOP_CHARS).map(([cp, count]) => ({ char: String.fromCodePoint(cp), count, fraction: count / chars })),
    preview: firstChars(text, PREVIEW_CHARS),
    lines: newlines + (text.length > 0 && !text.endsWith('\n') ? 1 : 0),
    trainChars: chars - validChars,
    validChars,
    unigramEntropy: entropy,
  };
}

/** Token ids of text, one per code point; throws naming the first character not in vocab. */
export function encodeUint16(text: string, vocab: readonly string[]): Uint16Array {
  return encodeInto(text, vocab, new Uint16Array(countChars(text)));
}

/** encodeUint16 into memory a worker pool can share: the result's .buffer is a SharedArrayBuffer. */
export function encodeShared(text: string, vocab: readonly string[]): Uint16Array {
  const n = countChars(text);
  return encodeInto(text, vocab, new Uint16Array(new SharedArrayBuffer(n * Uint16Array.BYTES_PER_ELEMENT)));
}

function encodeInto(text: string, vocab: readonly string[], out: Uint16Array): Uint16Array {
  if (vocab.length > MAX_VOCAB) throw new RangeError(`a vocabulary of ${vocab.length} characters does not fit 16-bit token ids (at most ${MAX_VOCAB})`);
  // Code point -> id + 1 (0 = not in the vocabulary); a table for the BMP, a map beyond it.
  const bmp = new Uint32Array(0x10000);
  const astral = new Map<number, number>();
  vocab.forEach((c, id) => {
    const cp = c.codePointAt(0)!;
    if (cp < 0x10000) bmp[cp] = id + 1;
    else astral.set(cp, id + 1);
  });
  let k = 0;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = (cp - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
        i++;
      }
    }
    const id = cp < 0x10000 ? bmp[cp] : astral.get(cp) ?? 0;
    if (id === 0) throw new RangeError(`character ${describeChar(String.fromCodePoint(cp))} at character ${k} is not in the vocabulary`);
    out[k++] = id - 1;
  }
  return out;
}

/** Code point -> occurrences. A table for the BMP keeps a 100 MB text fast. */
function countCodePoints(text: string): Map<number, number> {
  const bmp = new Float64Array(0x10000);
  const counts = new Map<number, number>();
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        const cp = (u - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
        counts.set(cp, (counts.get(cp) ?? 0) + 1);
        i++;
        continue;
      }
    }
    bmp[u]++;
  }
  for (let cp = 0; cp < 0x10000; cp++) if (bmp[cp] > 0) counts.set(cp, bmp[cp]);
  return counts;
}

function sumCounts(counts: Map<number, number>): number {
  let n = 0;
  for (const c of counts.values()) n += c;
  return n;
}

function sortedVocab(counts: Map<number, number>): string[] {
  return [...counts.keys()].sort((a, b) => a - b).map((cp) => String.fromCodePoint(cp));
}

/** Code points in text (a surrogate pair counts once). */
function countChars(text: string): number {
  let n = text.length;
  for (let i = 0; i + 1 < text.length; i++) {
    const u = text.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

function firstChars(text: string, n: number): string {
  let s = '';
  let k = 0;
  for (const c of text) {
    if (k++ === n) break;
    s += c;
  }
  return s;
}

/**
 * The first ill-formed sequence of bytes, by the Unicode table of well-formed UTF-8 byte sequences
 * (Unicode 15, table 3-7): no overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
 * offset is the byte where the bad sequence starts. Null when the bytes are well-formed.
 */
export function findInvalidUtf8(bytes: Uint8Array): { offset: number; reason: string } | null {
  const hex = (b: number): string => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0x80 && b <= 0xbf) return { offset: i, reason: `byte ${hex(b)} is a continuation byte with no lead byte before it` };
    if (b === 0xc0 || b === 0xc1) return { offset: i, reason: `byte ${hex(b)} starts an overlong encoding (a character encoded with more bytes than it needs)` };
    if (b >= 0xf5) return { offset: i, reason: `byte ${hex(b)} never occurs in UTF-8` };
    if (b <= 0xdf) len = 2;
    else if (b <= 0xef) {
      len = 3;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else {
      len = 4;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    }
    for (let k = 1; k < len; k++) {
      if (i + k >= n) {
        return { offset: i, reason: `the file ends in the middle of a ${len}-byte character (lead byte ${hex(b)}, ${k} of ${len} bytes present)` };
      }
      const c = bytes[i + k];
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c < min || c > max) {
        let reason = `byte ${hex(c)} cannot follow ${Array.from(bytes.subarray(i, i + k), hex).join(' ')} in a ${len}-byte character`;
        if (k === 1 && c >= 0x80 && c <= 0xbf) {
          if (b === 0xe0 || b === 0xf0) reason = `${hex(b)} ${hex(c)} starts an overlong encoding (a character encoded with more bytes than it needs)`;
          else if (b === 0xed) reason = `${hex(b)} ${hex(c)} encodes a surrogate code point (U+D800 to U+DFFF), which UTF-8 does not allow`;
          else if (b === 0xf4) reason = `${hex(b)} ${hex(c)} encodes a code point above U+10FFFF, the last one Unicode has`;
        } else if (c < 0x80 || c > 0xbf) {
          reason = `the ${len}-byte character starting with ${hex(b)} is cut short: its byte ${k + 1} of ${len}, ${hex(c)}, is not a continuation byte`;
        }
        return { offset: i, reason };
      }
    }
    i += len;
  }
  return null;
}

/** 1-based line number of a byte offset: newlines before it, plus one. */
function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${trimZero(bytes / 1024)} KB`;
  return `${trimZero(bytes / (1024 * 1024))} MB`;
}

function trimZero(x: number): string {
  return x.toFixed(1).replace(/\.0$/, '');
}

function formatPercent(f: number): string {
  return `${+(f * 100).toFixed(2)}%`;
}

function describeChar(c: string): string {
  return `${JSON.stringify(c)} (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`;
}
