import { describe, expect, it, vi } from 'vitest';
import { ema, evalX, runLines, thinMinMax } from '../../src-renderer/composables/chart-data.ts';
import { createRedrawScheduler } from '../../src-renderer/composables/redraw-scheduler.ts';
import { buildDatasets } from '../../src-renderer/composables/chart-lines.ts';
import { appendEval, appendMetrics, emptySeries } from '../../src-renderer/stores/run-series.ts';
import { metricRow } from './fake-client.ts';

/** a deterministic noisy loss curve with a few spikes */
function curve(n: number): { xs: number[]; ys: number[] } {
  const xs: number[] = [];
  const ys: number[] = [];
  let state = 12345;
  for (let i = 0; i < n; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    xs.push(i + 1);
    ys.push(4 * Math.exp(-i / 20000) + 0.5 * (state / 2147483648) + (i % 9973 === 0 ? 5 : 0));
  }
  return { xs, ys };
}

describe('thinMinMax', () => {
  it('turns 100,000 points into at most N, keeping the min and max of every bucket', () => {
    const { xs, ys } = curve(100_000);
    const N = 1000;
    const out = thinMinMax(xs, ys, N);
    expect(out.length).toBeLessThanOrEqual(N);
    expect(out.length).toBeGreaterThan(N * 0.9);
    const kept = new Set(out.map((p) => p.x));
    const buckets = N / 2;
    for (let b = 0; b < buckets; b++) {
      const start = Math.floor((b * xs.length) / buckets);
      const end = Math.floor(((b + 1) * xs.length) / buckets);
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = start; i < end; i++) {
        lo = Math.min(lo, ys[i]);
        hi = Math.max(hi, ys[i]);
      }
      const inBucket = out.filter((p) => p.x >= xs[start] && p.x <= xs[end - 1]);
      expect(inBucket.map((p) => p.y)).toContain(lo);
      expect(inBucket.map((p) => p.y)).toContain(hi);
    }
    // the global extremes (the spikes) survive, and points stay in x order
    expect(Math.max(...out.map((p) => p.y))).toBe(Math.max(...ys));
    expect(Math.min(...out.map((p) => p.y))).toBe(Math.min(...ys));
    for (let i = 1; i < out.length; i++) expect(out[i].x).toBeGreaterThan(out[i - 1].x);
    expect(kept.size).toBe(out.length);
  });

  it('leaves short series alone and drops non-finite values', () => {
    expect(thinMinMax([1, 2, 3], [1, NaN, 3], 10)).toEqual([{ x: 1, y: 1 }, { x: 3, y: 3 }]);
  });
});

describe('ema', () => {
  it('is the identity at 0 and unbiased at the start', () => {
    expect(ema([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const out = ema([2, 2, 2], 0.9);
    for (const v of out) expect(v).toBeCloseTo(2, 12);
  });

  it('smooths a step', () => {
    const out = ema([0, 0, 0, 10, 10, 10], 0.5);
    expect(out[3]).toBeGreaterThan(0);
    expect(out[3]).toBeLessThan(10);
    expect(out[5]).toBeGreaterThan(out[3]);
  });
});

describe('series for the charts', () => {
  it('places evaluations on the characters-seen and time axes through the metric rows', () => {
    const s = emptySeries();
    appendMetrics(s, [1, 2, 3, 4].map((i) => metricRow(i)));
    appendEval(s, { step: 2, valLoss: 1.5, bitsPerChar: 2, accuracy: 0.5 });
    expect(evalX(s, 'step')).toEqual([2]);
    expect(evalX(s, 'chars')).toEqual([200]);
    expect(evalX(s, 'time')).toEqual([0.2]);
    const [train, val] = runLines(1, s, 'loss', 'chars', 0, 100);
    expect(train.points.map((p) => p.x)).toEqual([100, 200, 300, 400]);
    expect(val.points).toEqual([{ x: 200, y: 1.5 }]);
  });

  it('reuses dataset objects across redraws, so Chart.js updates in place', () => {
    const spec = { key: '1:train', kind: 'train' as const, points: [{ x: 1, y: 2 }] };
    const first = buildDatasets([], [{ spec, color: '#f00', label: 'a', entity: 'run 1', hidden: false }]);
    const second = buildDatasets(first, [{ spec: { ...spec, points: [{ x: 1, y: 2 }, { x: 2, y: 1 }] }, color: '#f00', label: 'a', entity: 'run 1', hidden: true }]);
    expect(second[0]).toBe(first[0]);
    expect(second[0].data).toHaveLength(2);
    expect(second[0].hidden).toBe(true);
    expect(second[0].parsing).toBe(false);
  });
});

describe('createRedrawScheduler', () => {
  it('coalesces a burst of requests into at most one draw per interval', () => {
    vi.useFakeTimers();
    try {
      const draw = vi.fn();
      const s = createRedrawScheduler(draw, 250, {
        now: () => Date.now(),
        setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as number,
        clearTimeout: (id) => clearTimeout(id),
      });
      // 1,000 metric events over 1 second
      for (let i = 0; i < 1000; i++) {
        s.request();
        vi.advanceTimersByTime(1);
      }
      vi.advanceTimersByTime(300);
      expect(draw.mock.calls.length).toBeGreaterThanOrEqual(4);
      expect(draw.mock.calls.length).toBeLessThanOrEqual(6);
      // the last request is always drawn
      const before = draw.mock.calls.length;
      s.request();
      vi.advanceTimersByTime(300);
      expect(draw.mock.calls.length).toBe(before + 1);
      s.dispose();
      s.request();
      vi.advanceTimersByTime(300);
      expect(draw.mock.calls.length).toBe(before + 1);
    } finally {
      vi.useRealTimers();
    }
  });
});
