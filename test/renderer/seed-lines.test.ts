/** Mean and band over seeds on the charts. */
import { describe, expect, it } from 'vitest';
import { alignBySteps, bucketMeans, seedLines, type MeanPoint } from '../../src-renderer/composables/chart-data.ts';
import { buildDatasets, chartLines } from '../../src-renderer/composables/use-loss-chart.ts';
import { appendEval, appendMetrics, emptySeries } from '../../src-renderer/stores/run-series.ts';
import { groupRuns } from '../../src-shared/seed-groups.ts';
import { makeRun, metricRow } from './fake-client.ts';

describe('alignBySteps', () => {
  it('averages by step, only where at least two seeds have a value (to 1e-12)', () => {
    const cols = alignBySteps([
      { steps: [1, 2, 3, 4], xs: [10, 20, 30, 40], ys: [3, 2, 1.5, 1] },
      { steps: [1, 2, 3], xs: [12, 22, 32], ys: [5, 4, NaN] },
      // a third seed that logs every other step and is further behind
      { steps: [2], xs: [24], ys: [3] },
    ]);
    expect([...cols.step]).toEqual([1, 2]);
    expect([...cols.n]).toEqual([2, 3]);
    expect(cols.x[1]).toBeCloseTo(22, 12);
    expect(cols.mean[0]).toBeCloseTo(4, 12);
    expect(cols.mean[1]).toBeCloseTo(3, 12);
    expect(cols.sd[0]).toBeCloseTo(Math.SQRT2, 12); // values 3 and 5
    expect(cols.sd[1]).toBeCloseTo(1, 12); // values 2, 4, 3
  });

  it('gives nothing for one run', () => {
    expect(alignBySteps([{ steps: [1, 2], xs: [1, 2], ys: [1, 1] }]).step).toHaveLength(0);
  });

  it('reads seeds that logged the same steps row by row, the longest beyond the others left out', () => {
    const cols = alignBySteps([
      { steps: [10, 20, 30, 40], xs: [1, 2, 3, 4], ys: [4, 3, 2, 1] },
      { steps: [10, 20, 30], xs: [1, 2, 3], ys: [6, 5, NaN] },
      { steps: [10, 20], xs: [1, 2], ys: [5, 4] },
    ]);
    expect([...cols.step]).toEqual([10, 20]);
    expect([...cols.mean]).toEqual([5, 4]);
    expect([...cols.sd]).toEqual([1, 1]);
    expect([...cols.n]).toEqual([3, 3]);
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
    const [train, upper, lower, val] = lines;
    // step 4 has one seed: not drawn
    expect(train.points.map((p) => p.x)).toEqual([1, 2, 3]);
    expect(upper.points.map((p) => p.x)).toEqual([1, 2, 3]);
    const p2 = train.points[1] as MeanPoint;
    expect(p2.y).toBeCloseTo(3.1, 12);
    expect(p2.n).toBe(2);
    expect(p2.sd).toBeCloseTo(0.2 / Math.SQRT2, 12);
    expect(upper.points[1].y).toBeCloseTo(3.1 + p2.sd, 12);
    expect(lower.points[1].y).toBeCloseTo(3.1 - p2.sd, 12);
    expect(val.points).toHaveLength(1);
    expect(val.points[0].y).toBeCloseTo(2.6, 12);
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
});
