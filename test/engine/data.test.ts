import { describe, expect, it } from 'vitest';
import { StreamBatcher, Vocab } from '../../src-worker/engine/data.ts';
import { Rng } from '../../src-worker/engine/rng.ts';

describe('Vocab', () => {
  it('uses Unicode code points sorted by code point, so Korean and emoji are single characters', () => {
    const v = Vocab.fromText('한국어 😀 text 😀!');
    expect(v.chars).toEqual([' ', '!', 'e', 't', 'x', '국', '어', '한', '😀']);
    const ids = v.encode('😀한');
    expect(Array.from(ids)).toEqual([8, 7]);
    expect(v.decode(ids)).toBe('😀한');
  });

  it('refuses, naming the entry, what is not one distinct character per id (the check model files use too)', () => {
    const sparse = ['a', 'b', 'c'];
    delete sparse[1];
    const cases: [unknown, string][] = [
      [sparse, 'vocab: entry 1 is missing: every token id needs a character'],
      [['a', null], 'vocab: entry 1 must be a string (one character), got null'],
      [['a', 'bc'], 'vocab: entry 1 ("bc") must be one character (one Unicode code point), got 2'],
      [['a', ''], 'vocab: entry 1 ("") must be one character (one Unicode code point), got 0'],
      [['a', '\udc00'], 'vocab: entry 1 ("\\udc00") is a lone surrogate, not a character'],
      [['a', 'b', 'a'], 'vocab: entry 2 ("a") appears twice (also entry 0)'],
      [{ 0: 'a' }, 'vocab: must be an array of strings, one per token id'],
    ];
    for (const [chars, message] of cases) expect(() => new Vocab(chars as string[])).toThrow(message);
    expect(new Vocab(['😀', 'a', '\n']).size).toBe(3); // a character outside the BMP is one code point, two UTF-16 units
  });

  it('names the first character it lacks and where', () => {
    expect(() => Vocab.fromText('abc').encode('abd')).toThrow('text: character "d" (U+0064) at offset 2 is not in the vocabulary');
  });
});

describe('StreamBatcher', () => {
  it('cuts B contiguous streams, moves T characters a step, and wraps at a new shift', () => {
    const N = 50, T = 4, B = 3;
    const data = Int32Array.from({ length: N }, (_, i) => i);
    const batcher = new StreamBatcher(data, T, B, new Rng(1));
    const inputs = new Int32Array(T * B), targets = new Int32Array(T * B);
    expect(batcher.next(inputs, targets)).toBe(true);
    const { shift } = batcher.getState();
    expect(shift).toBeGreaterThanOrEqual(0);
    expect(shift).toBeLessThan(T);
    const L = Math.floor((N - 1 - shift) / B);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        expect(inputs[t * B + b]).toBe(shift + b * L + t);
        expect(targets[t * B + b]).toBe(shift + b * L + t + 1);
      }
    }
    // windows continue each stream where it stopped, until the stream is used up
    const windows = Math.floor(L / T);
    for (let w = 1; w < windows; w++) {
      expect(batcher.next(inputs, targets)).toBe(false);
      expect(inputs[0]).toBe(shift + w * T);
    }
    expect(batcher.next(inputs, targets)).toBe(true);
    expect(batcher.getState()).toMatchObject({ epoch: 1, pos: T });
  });
});
