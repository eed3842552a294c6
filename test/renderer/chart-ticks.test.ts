/** Log axes: a few readable ticks instead of every 1..9 of each decade. */
import { describe, expect, it } from 'vitest';
import { logTick, logTicks, MIN_TICK_GAP_PX } from '../../src-renderer/composables/chart-ticks.ts';

/** pixel gaps between consecutive ticks on a log axis of `length` px from min to max */
function gaps(ticks: number[], min: number, max: number, length: number): number[] {
  const px = (v: number): number => (length * Math.log(v / min)) / Math.log(max / min);
  return ticks.slice(1).map((t, i) => px(t) - px(ticks[i]));
}

describe('logTicks', () => {
  it('gives a loss axis from 0.85 to 2 round steps, not 0.9 1.0 1.1 ... 2.0 piled up', () => {
    expect(logTicks(0.85, 2, 260)).toEqual([1, 1.2, 1.4, 1.6, 1.8, 2]);
  });

  it('gives a gradient-norm axis over a decade and more 1-2-3-5 per decade', () => {
    expect(logTicks(0.2, 3, 260)).toEqual([0.2, 0.3, 0.5, 1, 2, 3]);
    // shorter: fewer
    expect(logTicks(0.2, 3, 120)).toEqual([0.3, 1, 3]);
  });

  it('gives wide ranges one tick per decade, or per few decades', () => {
    expect(logTicks(1e-6, 10, 400)).toEqual([1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10]);
    expect(logTicks(1e-6, 10, 200)).toEqual([1e-6, 1e-4, 0.01, 1]);
    expect(logTicks(1e-6, 10, 150)).toEqual([1e-6, 1e-3, 1]);
  });

  it('keeps every label apart and at most one per 40 px, over many ranges and lengths', () => {
    for (const [min, max] of [[0.17, 0.8], [0.9, 1.1], [0.01, 5], [3, 4000], [1e-9, 1e3], [1, 1.0001]]) {
      for (const length of [80, 160, 260, 400, 700]) {
        const ticks = logTicks(min, max, length);
        // two ticks wherever two fit; a decade and more over 80 px may have room for one
        expect(ticks.length, `${min}..${max} over ${length}px`).toBeGreaterThanOrEqual(length >= 160 ? 2 : 1);
        expect(ticks.length).toBeLessThanOrEqual(Math.max(2, Math.floor(length / 40)));
        for (const g of gaps(ticks, min, max, length)) expect(g).toBeGreaterThanOrEqual(MIN_TICK_GAP_PX);
        for (const t of ticks) {
          expect(t).toBeGreaterThanOrEqual(min * (1 - 1e-12));
          expect(t).toBeLessThanOrEqual(max * (1 + 1e-12));
        }
      }
    }
  });

  it('labels a horizontal learning-rate axis 1e-4..3e-2 with only ticks whose labels fit, at any width', () => {
    // about 6.5 px a character, as the 12 px sans-serif tick font draws digits
    const width = (v: number, ticks: readonly number[]): number => 6.5 * logTick(v, 0, ticks.map((value) => ({ value }))).length;
    const [min, max] = [1e-4, 3e-2];
    // a wide plot of a 1,920 px window: 1-2-3-5 per decade, not 1..9 (9e-4 and 0.001 ran together)
    const oneTwoThreeFive = [1e-4, 2e-4, 3e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 0.01, 0.02, 0.03];
    expect(logTicks(min, max, 1700, width)).toEqual(oneTwoThreeFive);
    expect(logTicks(min, max, 900, width)).toEqual(oneTwoThreeFive);
    expect(logTicks(min, max, 400, width)).toEqual([1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02]);
    expect(logTicks(min, max, 200, width)).toEqual([1e-4, 1e-3, 0.01]);
    for (const length of [200, 400, 600, 900, 1300, 1700, 2400]) {
      const ticks = logTicks(min, max, length, width);
      expect(ticks.length, `${length}px`).toBeGreaterThanOrEqual(2);
      const px = (v: number): number => (length * Math.log(v / min)) / Math.log(max / min);
      // no two labels overlap: centre gap at least the two half widths
      for (let i = 1; i < ticks.length; i++) expect(px(ticks[i]) - px(ticks[i - 1])).toBeGreaterThan((width(ticks[i], ticks) + width(ticks[i - 1], ticks)) / 2);
    }
    // without widths (a vertical axis) the labels' height alone spaces them: denser
    expect(logTicks(min, max, 1700).length).toBeGreaterThan(logTicks(min, max, 1700, width).length);
  });

  it('leaves a range that is not positive to Chart.js', () => {
    expect(logTicks(0, 1, 200)).toEqual([]);
    expect(logTicks(2, 1, 200)).toEqual([]);
  });
});

describe('logTick', () => {
  it('writes each tick with the digits it needs, and enough to tell the axis\' ticks apart', () => {
    expect(logTick(0.3)).toBe('0.3');
    expect(logTick(0.003)).toBe('0.003');
    expect(logTick(0.00001)).toBe('1e-5');
    expect(logTick(2)).toBe('2');
    expect(logTick(1.05)).toBe('1.05');
    const ticks = [1, 1.00002, 1.00004].map((value) => ({ value }));
    expect(ticks.map((t, i) => logTick(t.value, i, ticks))).toEqual(['1', '1.00002', '1.00004']);
  });
});
