import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { StreamBatcher } from '../../src-worker/engine/data.ts';
import { Rng } from '../../src-worker/engine/rng.ts';
import {
  CorpusError, corpusStats, encodeShared, encodeUint16, findInvalidUtf8, minCorpusChars, prepareCorpus, splitCorpus,
  type CorpusErrorCode, type PrepareOptions,
} from '../../src-main/lab/corpora.ts';
import { corpusPath } from '../helpers.ts';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const concat = (...parts: (string | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? Array.from(utf8(p)) : p)));
const BOM = [0xef, 0xbb, 0xbf];
/** Enough text to pass the default minimum (142 characters for seqLen 64, batch 1, 10% validation). */
const filler = 'the quick brown fox jumps over the lazy dog\n'.repeat(4);

function refusal(bytes: Uint8Array, opts: PrepareOptions = {}): CorpusError {
  try {
    prepareCorpus(bytes, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(CorpusError);
    return e as CorpusError;
  }
  throw new Error('prepareCorpus accepted the file');
}

function expectRefused(bytes: Uint8Array, code: CorpusErrorCode, message: string | RegExp, opts: PrepareOptions = {}): CorpusError {
  const e = refusal(bytes, opts);
  expect(e.code).toBe(code);
  if (typeof message === 'string') expect(e.message).toContain(message);
  else expect(e.message).toMatch(message);
  return e;
}

describe('prepareCorpus refuses', () => {
  it('an empty file and a file holding only a BOM', () => {
    expectRefused(new Uint8Array(0), 'empty', 'the file is empty');
    expectRefused(Uint8Array.from(BOM), 'empty', 'only a byte order mark');
  });

  it('a file over the size limit, before looking at its bytes', () => {
    expectRefused(utf8('hello world'), 'too-large', 'the file is 11 bytes, over the limit of 10 bytes', { maxBytes: 10 });
    // NUL bytes and invalid UTF-8 are not even looked at
    expectRefused(Uint8Array.from([0, 0xff, 0, 0xc0]), 'too-large', 'over the limit of 3 bytes', { maxBytes: 3 });
    const big = new Uint8Array(100 * 1024 * 1024 + 150 * 1024); // zeros: would be "binary" if decoded
    expectRefused(big, 'too-large', 'the file is 100.1 MB, over the limit of 100 MB');
    expectRefused(utf8('x'.repeat(2000)), 'too-large', 'the file is 2 KB, over the limit of 1 KB', { maxBytes: 1024 });
  });

  it('a file with NUL bytes, as binary, naming the byte', () => {
    const e = expectRefused(concat(filler, [0x00], 'x'), 'binary', `the file contains a NUL byte at byte ${filler.length}: it looks like a binary file, not text`);
    expect(e.byteOffset).toBe(filler.length);
  });

  it('UTF-16, saying so', () => {
    expectRefused(Uint8Array.from([0xff, 0xfe, 0x61, 0x00]), 'invalid-utf8', 'UTF-16');
  });

  it('invalid UTF-8, with the byte offset of the first bad sequence', () => {
    const cases: [Uint8Array, number, string][] = [
      [concat('ab', [0x80], 'c'), 2, 'byte 0x80 is a continuation byte with no lead byte before it'],
      [concat('hello', [0xe2, 0x82]), 5, 'the file ends in the middle of a 3-byte character (lead byte 0xE2, 2 of 3 bytes present)'],
      [concat('x', [0xc0, 0xaf], 'y'), 1, 'byte 0xC0 starts an overlong encoding'],
      [concat('xy', [0xe0, 0x80, 0xaf]), 2, '0xE0 0x80 starts an overlong encoding'],
      [concat('xyz', [0xf0, 0x82, 0x82, 0xac]), 3, '0xF0 0x82 starts an overlong encoding'],
      [concat('abc ', [0xed, 0xa0, 0x80]), 4, '0xED 0xA0 encodes a surrogate code point (U+D800 to U+DFFF)'],
      [concat('a', [0xf4, 0x90, 0x80, 0x80]), 1, '0xF4 0x90 encodes a code point above U+10FFFF'],
      [concat('a', [0xf5, 0x80]), 1, 'byte 0xF5 never occurs in UTF-8'],
      [concat('€', [0xe2, 0x41], 'z'), 3, 'the 3-byte character starting with 0xE2 is cut short: its byte 2 of 3, 0x41, is not a continuation byte'],
      [concat('é', [0xe2, 0x82, 0x41]), 2, 'the 3-byte character starting with 0xE2 is cut short: its byte 3 of 3, 0x41, is not a continuation byte'],
    ];
    for (const [bytes, offset, reason] of cases) {
      const e = expectRefused(concat(filler, Array.from(bytes)), 'invalid-utf8', `invalid UTF-8 at byte ${filler.length + offset} (line 5): ${reason}`);
      expect(e.byteOffset).toBe(filler.length + offset);
      expect(findInvalidUtf8(bytes)?.offset).toBe(offset);
    }
    // offsets count the BOM, since they are offsets into the file; lines count from 1
    expectRefused(concat(BOM, 'a\nb\n', [0x80]), 'invalid-utf8', 'invalid UTF-8 at byte 7 (line 3)');
  });

  it('the validator agrees with TextDecoder on well-formed text', () => {
    expect(findInvalidUtf8(utf8(`${filler}한국어 é 😀 \u{10FFFF} \uFFFD`))).toBeNull();
  });

  it('more than 65536 distinct characters', () => {
    const cps: number[] = [];
    for (let cp = 1; cps.length < 65537; cp++) if (cp < 0xd800 || cp > 0xdfff) cps.push(cp);
    expectRefused(utf8(String.fromCodePoint(...cps.slice(0, 30000)) + String.fromCodePoint(...cps.slice(30000))), 'too-many-symbols',
      'the text has 65537 distinct characters, more than the 65536 a model can have');
  });

  it('a text too short for one training window plus a validation split, saying how many characters it needs', () => {
    // seqLen 64, batch 1: training needs 1 x 64 + 64 = 128, and round(0.1 n) >= 2; n = 142 is the first that works
    expect(minCorpusChars(0.1, { seqLen: 64, batch: 1 })).toEqual({ total: 142, train: 128 });
    expectRefused(utf8('xy'.repeat(70) + 'x'), 'too-short', 'the text has 141 characters; it needs at least 142: 128 for training (batch 1 x seqLen 64 + seqLen 64) and at least 2 in the 10% held out for validation');
    expect(prepareCorpus(utf8('xy'.repeat(71))).chars).toBe(142);
    // characters, not bytes: 141 emoji are 564 bytes and still too short
    expectRefused(utf8('😀🐱'.repeat(70) + '😀'), 'too-short', 'the text has 141 characters');
    // the validation part needs 2 characters even when training is satisfied
    expect(minCorpusChars(0.01, { seqLen: 4, batch: 1 })).toEqual({ total: 150, train: 8 });
    expectRefused(utf8('ab'.repeat(74) + 'a'), 'too-short', 'it needs at least 150', { validFraction: 0.01, minWindow: { seqLen: 4, batch: 1 } });
  });

  it('puts the name in front of its messages', () => {
    expectRefused(new Uint8Array(0), 'empty', /^notes\.txt: the file is empty$/, { name: 'notes.txt' });
  });

  it('bad options with a RangeError naming them', () => {
    expect(() => prepareCorpus(utf8(filler), { validFraction: 1 })).toThrow('validFraction must be a number between 0 and 1');
    expect(() => prepareCorpus(utf8(filler), { minWindow: { seqLen: 0, batch: 1 } })).toThrow('minWindow.seqLen');
  });
});

describe('prepareCorpus accepts', () => {
  it('text with a BOM, which it strips', () => {
    const c = prepareCorpus(concat(BOM, filler));
    expect(c.text).toBe(filler);
    expect(c.chars).toBe(filler.length);
  });

  it('CRLF as LF by default, and keeps it when asked; a lone CR stays either way', () => {
    const raw = filler.replaceAll('\n', '\r\n') + 'a\rb\r\n';
    const lf = prepareCorpus(utf8(raw));
    expect(lf.text).toBe(`${filler}a\rb\n`);
    expect(lf.vocab).toContain('\r');
    const kept = prepareCorpus(utf8(raw), { keepCrlf: true });
    expect(kept.text).toBe(raw);
    expect(kept.chars).toBe(raw.length);
    expect(kept.stats.lines).toBe(lf.stats.lines);
  });

  it('a Korean corpus, one character per syllable', () => {
    const line = '다람쥐 헌 쳇바퀴에 타고파\n';
    const c = prepareCorpus(utf8(line.repeat(10)));
    expect(c.chars).toBe(15 * 10);
    expect(c.vocab).toEqual(['\n', ' ', '고', '다', '람', '바', '에', '쥐', '쳇', '퀴', '타', '파', '헌']); // by code point: 퀴 U+D034 < 타 U+D0C0
    expect(c.vocab).toEqual([...c.vocab].sort((x, y) => x.codePointAt(0)! - y.codePointAt(0)!));
    expect(c.stats.vocabSize).toBe(13);
    expect(c.stats.lines).toBe(10);
    expect(c.stats.topChars[0]).toEqual({ char: ' ', count: 30, fraction: 30 / 150 });
  });

  it('an emoji corpus, one character per emoji (a surrogate pair in UTF-16)', () => {
    const text = '😀🎉é!'.repeat(40); // 160 code points, 320 UTF-16 units... minus the 80 BMP ones
    const c = prepareCorpus(utf8(text));
    expect(c.chars).toBe(160);
    expect(c.vocab).toEqual(['!', 'é', '🎉', '😀']);
    expect(c.stats.topChars.map((t) => t.char)).toEqual(['!', 'é', '🎉', '😀']); // all 40: ties by code point
    expect(c.stats.trainChars + c.stats.validChars).toBe(160);
    const ids = encodeUint16(c.text, c.vocab);
    expect(ids.length).toBe(160);
    expect(Array.from(ids.subarray(0, 4))).toEqual([3, 2, 1, 0]);
  });

  it('the same content with the same sha256, whatever the BOM and line ends', () => {
    const a = prepareCorpus(utf8(filler));
    const b = prepareCorpus(concat(BOM, filler.replaceAll('\n', '\r\n')));
    expect(b.text).toBe(a.text);
    expect(b.sha256).toBe(a.sha256);
    expect(a.sha256).toBe(createHash('sha256').update(Buffer.from(filler, 'utf8')).digest('hex'));
    expect(prepareCorpus(utf8(`${filler}!`)).sha256).not.toBe(a.sha256);
  });

  it('exactly enough text for the engine batcher, with the default window', () => {
    const c = prepareCorpus(utf8('ab'.repeat(71))); // 142 characters
    const { train } = splitCorpus(c.text, 0.1);
    expect(train.length).toBe(128);
    expect(() => new StreamBatcher(encodeUint16(train, c.vocab), 64, 1, new Rng(3))).not.toThrow();
    expect(() => new StreamBatcher(encodeUint16(train.slice(1), c.vocab), 64, 1, new Rng(3))).toThrow();
  });

  it.skipIf(!existsSync(safeCorpusPath()))('tiny shakespeare', () => {
    const c = prepareCorpus(readFileSync(safeCorpusPath()), { name: 'tinyshakespeare.txt' });
    expect(c.chars).toBe(1115394);
    expect(c.vocab.length).toBe(65);
    expect(c.stats.topChars[0].char).toBe(' ');
  });
});

function safeCorpusPath(): string {
  try {
    return corpusPath();
  } catch {
    return '/nonexistent';
  }
}

describe('corpusStats', () => {
  it('matches values computed by hand', () => {
    // a:3 b:3 \n:1 c:1, 8 characters
    const text = 'abba\ncab';
    const s = corpusStats(text, ['\n', 'a', 'b', 'c'], 0.25);
    expect(s.chars).toBe(8);
    expect(s.vocabSize).toBe(4);
    expect(s.topChars).toEqual([
      { char: 'a', count: 3, fraction: 0.375 },
      { char: 'b', count: 3, fraction: 0.375 },
      { char: '\n', count: 1, fraction: 0.125 },
      { char: 'c', count: 1, fraction: 0.125 },
    ]);
    expect(s.lines).toBe(2); // one "\n"-terminated line and a last one without
    expect(s.trainChars).toBe(6);
    expect(s.validChars).toBe(2);
    expect(s.preview).toBe(text);
    // -sum p ln p = 2 (3/8) ln(8/3) + 2 (1/8) ln 8; tolerance 1e-12
    expect(s.unigramEntropy).toBeCloseTo(0.75 * Math.log(8 / 3) + 0.25 * Math.log(8), 12);
    expect(corpusStats('ab\n', ['\n', 'a', 'b']).lines).toBe(1);
  });

  it('keeps the 20 most frequent characters and cuts the preview at 500 code points', () => {
    const text = '😀'.repeat(600) + 'abcdefghijklmnopqrstuvwxyz';
    const s = corpusStats(text, [...'abcdefghijklmnopqrstuvwxyz', '😀']);
    expect(s.topChars.length).toBe(20);
    expect(s.topChars[0]).toEqual({ char: '😀', count: 600, fraction: 600 / 626 });
    expect(s.topChars[19].char).toBe('s'); // ties by code point
    expect(s.preview).toBe('😀'.repeat(500));
  });

  it('refuses a text with a character outside the vocabulary', () => {
    expect(() => corpusStats('abc', ['a', 'b'])).toThrow('"c" (U+0063)');
  });
});

describe('splitCorpus', () => {
  it('holds out the last fraction of the characters, in code points', () => {
    expect(splitCorpus('0123456789', 0.1)).toEqual({ train: '012345678', valid: '9', trainChars: 9, validChars: 1 });
    expect(splitCorpus('0123456789', 0.25)).toMatchObject({ train: '0123456', valid: '789' }); // round(2.5) = 3
    const emoji = '😀a😀b😀c😀d😀e'; // 10 code points
    expect(splitCorpus(emoji, 0.3)).toEqual({ train: '😀a😀b😀c😀', valid: 'd😀e', trainChars: 7, validChars: 3 });
    expect(splitCorpus(emoji, 0.2)).toMatchObject({ train: '😀a😀b😀c😀d', valid: '😀e' });
  });
});

describe('encodeUint16 and encodeShared', () => {
  it('give the ids of the vocabulary, the shared one backed by a SharedArrayBuffer', () => {
    const vocab = [' ', 'a', '한', '😀'];
    const text = '한 😀a😀';
    expect(Array.from(encodeUint16(text, vocab))).toEqual([2, 0, 3, 1, 3]);
    const shared = encodeShared(text, vocab);
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(shared)).toEqual([2, 0, 3, 1, 3]);
    expect(shared.length).toBe(5);
  });

  it('name the first character not in the vocabulary', () => {
    expect(() => encodeUint16('ab😀c', ['a', 'b', 'c'])).toThrow('character "😀" (U+1F600) at character 2 is not in the vocabulary');
  });
});
