// The Hangul probe's decision (the e2e test in Korean sees it in Chromium, with and without a Korean font).
import { describe, expect, it } from 'vitest';
import { drawsHangul } from '../../src-renderer/composables/hangul-font.ts';

describe('drawsHangul', () => {
  it('is false when two different syllables come out as the same pixels (one missing-glyph box)', () => {
    const box = new Uint8ClampedArray([0, 0, 255, 255, 0, 0]);
    expect(drawsHangul(() => box.slice())).toBe(false);
  });

  it('is true when they differ, and asks for the two syllables it compares', () => {
    const asked: string[] = [];
    const glyphs: Record<string, number[]> = { 가: [0, 255, 0, 0], 힣: [0, 255, 255, 0] };
    expect(drawsHangul((text) => {
      asked.push(text);
      return new Uint8ClampedArray(glyphs[text]);
    })).toBe(true);
    expect(asked).toEqual(['가', '힣']);
  });
});
