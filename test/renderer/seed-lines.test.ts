/** Mean and band over seeds on the charts, and what their legend and figures say. */
import { describe, expect, it } from 'vitest';
import { alignBySteps, bandSegments, bucketMeans, seedLines, type MeanPoint } from '../../src-renderer/composables/chart-seeds.ts';
import { buildDatasets, chartLines, figureLegend } from '../../src-renderer/composables/chart-lines.ts';
import { appendEval, appendMetrics, emptySeries } from '../../src-renderer/stores/run-series.ts';
import { coverageName } from '../../src-renderer/composables/run-text.ts';
import { groupRuns, seedCoverage } from '../../src-shared/seed-groups.ts';
import { makeRun, metricRow } from './fake-client.ts';

describe('alignBySteps', () => {
  it('averages by step the seeds that have a value there, and counts them (to 1e-12)', () => {
    const cols = alignBySteps([
      { steps: [1, 2, 3, 4], xs: [10, 20, 30, 40], ys: [3, 2, 1.5, 1] },
      { steps: [1, 2, 3], xs: [12, 22, 32], ys: [5, 4, NaN] },
      // a third seed that logs every other step and is further behind
      { steps: [2], xs: [24], ys: [3] },
    ]);
    expect([...cols.step]).toEqual([1, 2, 3, 4]);
    expect([...cols.n]).toEqual([2, 3, 1, 1]);
    expect(cols.x[1]).toBeCloseTo(22, 12);
    expect(cols.mean[0]).toBeCloseTo(4, 12);
    expect(cols.mean[1]).toBeCloseTo(3, 12);
    expect(cols.mean[2]).toBe(1.5);
    expect(cols.mean[3]).toBe(1);
    expect(cols.sd[0]).toBeCloseTo(Math.SQRT2, 12); // values 3 and 5
    expect(cols.sd[1]).toBeCloseTo(1, 12); // values 2, 4, 3
    expect(cols.sd[2]).toBe(0);
  });

  it('gives one run as itself, with n = 1 and no spread', () => {
    const cols = alignBySteps([{ steps: [1, 2], xs: [1, 2], ys: [1.5, 1] }]);
    expect([...cols.mean]).toEqual([1.5, 1]);
    expect([...cols.n]).toEqual([1, 1]);
    expect([...cols.sd]).toEqual([0, 0]);
  });

  it('reads seeds that logged the same steps row by row, the longest beyond the others as itself', () => {
    const cols = alignBySteps([
      { steps: [10, 20, 30, 40], xs: [1, 2, 3, 4], ys: [4, 3, 2, 1] },
      { steps: [10, 20, 30], xs: [1, 2, 3], ys: [6, 5, NaN] },
      { steps: [10, 20], xs: [1, 2], ys: [5, 4] },
    ]);
    expect([...cols.step]).toEqual([10, 20, 30, 40]);
    expect([...cols.mean]).toEqual([5, 4, 2, 1]);
    expect([...cols.sd]).toEqual([1, 1, 0, 0]);
    expect([...cols.n]).toEqual([3, 3, 1, 1]);
  });
});

describe('bandSegments', () => {
  it('finds the stretches where two or more seeds have a value', () => {
    expect(bandSegments([2, 3, 1, 1, 2, 2, 1])).toEqual([[0, 2], [4, 6]]);
    expect(bandSegments([1, 1])).toEqual([]);
    expect(bandSegments([2, 2])).toEqual([[0, 2]]);
  });
});

function series(losses: number[], vals: [number, number][]) {
  const s = emptySeries();
  appendMetrics(s, losses.map((l, i) => metricRow(i + 1, l)));
  for (const [step, valLoss] of vals) appendEval(s, { step, valLoss, bitsPerChar: 0, accuracy: 0 });
  return s;
}

describe('bucketMeans', () => {
  it('averages x and y over buckets of consecutive rows, skipping values that are not numbers', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => i);
    const ys = xs.map((x) => (x === 5 ? NaN : 2 * x));
    const out = bucketMeans(xs, ys, 100);
    expect(out).toHaveLength(100);
    expect(out[1]).toEqual({ x: 14.5, y: 29 });
    expect(out[0].x).toBeCloseTo(40 / 9, 12); // rows 0-9 without row 5
    expect(bucketMeans([1, 2], [3, 4], 100)).toEqual([{ x: 1, y: 3 }, { x: 2, y: 4 }]);
  });
});

describe('seedLines', () => {
  it('keeps the band of a long run to a few hundred points', () => {
    const long = (k: number) => series(Array.from({ length: 20_000 }, (_, i) => 3 - i / 10_000 + 0.01 * k), []);
    const [mean, upper, lower] = seedLines('1:gru', [long(0), long(1)], 'loss', 'step', 0, 2000);
    expect(mean.points.length).toBeLessThanOrEqual(2000);
    expect(upper.points).toHaveLength(250);
    expect(lower.points.map((p) => p.x)).toEqual(upper.points.map((p) => p.x));
    expect(upper.points[0].y - lower.points[0].y).toBeCloseTo(2 * 0.01 / Math.SQRT2, 9);
  });

  it('draws per kind a mean with its sd and seed count, and a band of mean -+ sd at the same x', () => {
    const a = series([4, 3, 2, 1.5], [[2, 2.5], [4, 1.8]]);
    const b = series([4, 3.2, 2.2], [[2, 2.7]]);
    const lines = seedLines('1:lstm', [a, b], 'loss', 'step', 0, 1000);
    expect(lines.map((l) => `${l.key}${l.band ? ` ${l.band}` : ''}`)).toEqual([
      '1:lstm:train:mean', '1:lstm:train:upper upper', '1:lstm:train:lower lower',
      '1:lstm:val:mean', '1:lstm:val:upper upper', '1:lstm:val:lower lower',
    ]);
    const [train, upper, lower, val, valUpper] = lines;
    // step 4 has one seed: drawn as that seed's value, outside the band
    expect(train.points.map((p) => p.x)).toEqual([1, 2, 3, 4]);
    expect((train.points[3] as MeanPoint)).toEqual({ x: 4, y: 1.5, sd: 0, n: 1 });
    expect(upper.points.map((p) => p.x)).toEqual([1, 2, 3]);
    const p2 = train.points[1] as MeanPoint;
    expect(p2.y).toBeCloseTo(3.1, 12);
    expect(p2.n).toBe(2);
    expect(p2.sd).toBeCloseTo(0.2 / Math.SQRT2, 12);
    expect(upper.points[1].y).toBeCloseTo(3.1 + p2.sd, 12);
    expect(lower.points[1].y).toBeCloseTo(3.1 - p2.sd, 12);
    expect(val.points.map((p) => [p.x, (p as MeanPoint).n])).toEqual([[2, 2], [4, 1]]);
    expect(val.points[0].y).toBeCloseTo(2.6, 12);
    expect(val.points[1].y).toBe(1.8);
    expect(valUpper.points.map((p) => p.x)).toEqual([2]);
  });

  it('draws a cell with one finished and one running seed over the whole range, the band only where both are', () => {
    // 100 steps finished, the other seed at step 40; losses of known values
    const finished = series(Array.from({ length: 100 }, (_, i) => 3 - i / 100), []);
    const running = series(Array.from({ length: 40 }, (_, i) => 3 - i / 100 + 0.2), []);
    const [mean, upper, lower] = seedLines('1:gru', [finished, running], 'loss', 'step', 0, 1000);
    expect(mean.points).toHaveLength(100);
    expect(mean.points[0].x).toBe(1);
    expect(mean.points[99].x).toBe(100);
    for (const p of mean.points as MeanPoint[]) {
      const both = p.x <= 40;
      expect(p.n).toBe(both ? 2 : 1);
      expect(p.y).toBeCloseTo(3 - (p.x - 1) / 100 + (both ? 0.1 : 0), 12);
      expect(p.sd).toBeCloseTo(both ? 0.2 / Math.SQRT2 : 0, 12);
    }
    expect(upper.points.map((p) => p.x)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(lower.points.map((p) => p.x)).toEqual(upper.points.map((p) => p.x));
    expect(upper.points[10].y - lower.points[10].y).toBeCloseTo(0.4 / Math.SQRT2, 12);
  });

  it("keeps the band within what the metric can be: a norm's not below 0, an accuracy's within 0 and 1", () => {
    const norms = (g: number[]) => {
      const s = series(g.map(() => 2), []);
      s.gradNorm = g;
      return s;
    };
    const [, upper, lower] = seedLines('1:rnn', [norms([0.1, 5]), norms([3, 5])], 'gradNorm', 'step', 0, 1000);
    // values 0.1 and 3: mean 1.55, sd 2.05
    expect(lower.points[0].y).toBe(0);
    expect(upper.points[0].y).toBeCloseTo(1.55 + 2.9 / Math.SQRT2, 12);
    const accuracy = (a: number) => {
      const s = series([2, 2], [[1, 1]]);
      s.longRangeAccuracy = [a];
      return s;
    };
    const [, accUpper, accLower] = seedLines('1:gru', [accuracy(0.98), accuracy(0.5)], 'longRange', 'step', 0, 1000);
    expect(accUpper.points[0].y).toBe(1);
    expect(accLower.points[0].y).toBeCloseTo(0.74 - 0.48 / Math.SQRT2, 12);
  });

  it('breaks the band where only one seed has a value between stretches of two', () => {
    const a = series([2, 2, 2, 2, 2], []);
    const b = series([3, NaN, NaN, 3, 3], []);
    const [mean, upper] = seedLines('1:rnn', [a, b], 'loss', 'step', 0, 1000);
    expect(mean.points.map((p) => (p as MeanPoint).n)).toEqual([2, 1, 1, 2, 2]);
    expect(upper.points.map((p) => p.x)).toEqual([1, 2.5, 4, 5]);
    expect(upper.points[1].y).toBeNaN();
    expect(buildDatasets([], [{ spec: upper, color: '#3b82f6', label: 'x', entity: 'RNN', hidden: false }])[0].spanGaps).toBe(false);
  });
});

describe('chartLines', () => {
  const runs = [
    makeRun({ id: 1, cell: 'lstm', seed: 1 }), makeRun({ id: 2, cell: 'lstm', seed: 2 }),
    makeRun({ id: 3, cell: 'rnn', seed: 1 }), makeRun({ id: 4, cell: 'rnn', seed: 2 }),
    makeRun({ id: 5, cell: 'gru', seed: 1 }),
  ];
  const groups = groupRuns(runs);
  const fake = (rs: { id: number }[], key: string | null) => (key === null
    ? [{ key: `${rs[0].id}:train`, kind: 'train' as const, points: [] }]
    : (['mean', 'upper', 'lower'] as const).map((b) => ({ key: `${key}:train:${b}`, kind: 'train' as const, ...(b === 'mean' ? {} : { band: b }), points: [] })));

  it('in mean mode draws each cell once in its own colour, its band after its mean, a one-seed cell as its run', () => {
    const lines = chartLines(runs, groups, 'mean', new Set([3, 4]), fake);
    expect(lines.map((l) => `${l.label}|${l.color}|${l.hidden}`)).toEqual([
      'LSTM mean train|#3b82f6|false', 'LSTM train +1 sd|#3b82f6|false', 'LSTM train −1 sd|#3b82f6|false',
      'RNN mean train|#ef4444|true', 'RNN train +1 sd|#ef4444|true', 'RNN train −1 sd|#ef4444|true',
      'GRU s1 train|#10b981|false',
    ]);
    const ds = buildDatasets([], lines);
    expect(ds[2].fill).toBe('-1');
    expect(ds[1].fill).toBe(false);
    expect(ds[2].backgroundColor).toBe('#3b82f633');
    expect(ds[0].borderWidth).toBe(1.5);
    expect(ds[1].borderWidth).toBe(0);
  });

  it("in per-run mode draws every run, in its cell's colour", () => {
    expect(chartLines(runs, groups, 'runs', new Set([3]), fake).map((l) => `${l.label}|${l.color}|${l.hidden}`)).toEqual([
      '1 lstm s1 train|#3b82f6|false', '2 lstm s2 train|#3b82f6|false', '3 rnn s1 train|#ef4444|true', '4 rnn s2 train|#ef4444|false', '5 gru s1 train|#10b981|false',
    ]);
  });

  it('give a saved figure a legend: each shown cell in its colour, then what the line styles and the band mean', () => {
    const withPoints = (rs: { id: number }[], key: string | null) => fake(rs, key).map((spec) => ({ ...spec, points: [{ x: 1, y: 1 }] }));
    const lines = chartLines(runs, groups, 'mean', new Set([3, 4]), withPoints);
    expect(figureLegend(lines)).toEqual([
      { label: 'LSTM, mean of 2 seeds', color: '#3b82f6' },
      { label: 'GRU s1', color: '#10b981' },
      { label: 'training loss', color: '#7c8190' },
      { label: '± 1 sd over seeds', color: '#7c8190', mark: 'band' },
    ]);
    expect(figureLegend(chartLines(runs, groups, 'runs', new Set(), fake)).map((i) => i.label)).toEqual(['lstm s1 #1', 'lstm s2 #2', 'rnn s1 #3', 'rnn s2 #4', 'gru s1 #5', 'training loss']);
  });
});

describe('seed coverage', () => {
  it('says over how many seeds a mean averages up to which step', () => {
    expect(seedCoverage([2000, 1000])).toEqual([{ seeds: 2, to: 1000 }, { seeds: 1, to: 2000 }]);
    expect(seedCoverage([500, 1500, 1500])).toEqual([{ seeds: 3, to: 500 }, { seeds: 2, to: 1500 }]);
    expect(seedCoverage([300, 0])).toEqual([{ seeds: 1, to: 300 }]);
    expect(coverageName('LSTM', 2, seedCoverage([2000, 1000]))).toBe('LSTM: 2 seeds to step 1,000, 1 to step 2,000');
    expect(coverageName('GRU', 3, seedCoverage([400, 400, 0]))).toBe('GRU: 2 seeds to step 400 (1 not started)');
    expect(coverageName('GRU', 2, seedCoverage([400, 400]))).toBeNull();
    expect(coverageName('RNN', 2, seedCoverage([0, 0]))).toBe('RNN: no seed has a step yet');
  });
});
