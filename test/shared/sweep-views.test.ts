/**
 * The sweep views' data (src-shared/sweep-views.ts), which the app's charts and the report draw:
 * box statistics against hand-computed quartiles and NumPy's, deterministic jitter, which runs are
 * drawn and how, the settings' axes (log, linear, categories), parallel coordinates and importance.
 */
import { describe, expect, it } from 'vitest';
import {
  axisFraction, axisMarks, boxStats, endedTrials, expectedBestCurve, importanceBars, jitter, parallelCoordinates, quantile, scatterPanels, settingName,
  settingAxes, STRIP_WIDTH, stripPlot,
} from '../../src-shared/sweep-views.ts';
import { reportTranslator } from '../../src-main/report/report-i18n.ts';
import { CELLS, fixtureReport, trialLoss } from '../sweep-report-fixture.ts';

/** the settings' names and the rest bar's as English says them */
const label = (name: string) => settingName(name, reportTranslator('en'));
const REST = reportTranslator('en')('sweep.importance.interactions');

describe('box statistics', () => {
  it('match the quartiles NumPy gives (linear interpolation)', () => {
    // np.percentile([1, 2, 3, 4, 10], [25, 50, 75]) = [2, 3, 4]
    const b = boxStats([10, 3, 1, 4, 2])!;
    expect([b.q1, b.median, b.q3]).toEqual([2, 3, 4]);
    // IQR 2: 10 is beyond 4 + 3, so the upper whisker stops at 4 and 10 is an outlier
    expect([b.low, b.high]).toEqual([1, 4]);
    expect(b.outliers).toEqual([10]);
    // np.percentile([1, 2, 3, 4], [25, 50, 75]) = [1.75, 2.5, 3.25]
    const even = boxStats([4, 1, 3, 2])!;
    expect([even.q1, even.median, even.q3]).toEqual([1.75, 2.5, 3.25]);
    expect(even.outliers).toEqual([]);
  });

  it('of one value is that value everywhere; of none is null; a non-finite value is refused', () => {
    expect(boxStats([2.5])).toEqual({ n: 1, q1: 2.5, median: 2.5, q3: 2.5, low: 2.5, high: 2.5, outliers: [] });
    expect(boxStats([])).toBeNull();
    expect(() => boxStats([1, NaN])).toThrow(/finite/);
    expect(() => quantile([], 0.5)).toThrow(/no values/);
  });
});

describe('the strip', () => {
  it('puts each run at the same place every time, within its cell\'s strip, spread over it', () => {
    const ids = Array.from({ length: 200 }, (_, i) => i + 1);
    const first = ids.map(jitter);
    expect(ids.map(jitter)).toEqual(first);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(-0.5);
    expect(Math.max(...first)).toBeLessThan(0.5);
    // spread, not bunched: both halves of the strip are used about equally
    const left = first.filter((j) => j < 0).length;
    expect(left).toBeGreaterThan(70);
    expect(left).toBeLessThan(130);
    // neighbouring ids do not sit side by side
    expect(new Set(first.map((j) => j.toFixed(6))).size).toBe(200);
  });

  it('draws completed and stopped runs (stopped marked), not running ones; the box is over the completed', () => {
    const r = fixtureReport();
    const strip = stripPlot(CELLS, r.trials);
    expect(strip.map((c) => c.cell)).toEqual(CELLS);
    for (const c of strip) {
      expect(c.dots).toHaveLength(7);
      expect(c.dots.filter((d) => d.stopped).map((d) => d.trial)).toEqual([2, 5]);
      for (const d of c.dots) expect(Math.abs(d.x - c.index)).toBeLessThanOrEqual(STRIP_WIDTH / 2);
      const completed = [0, 1, 3, 4, 6].map((t) => trialLoss(c.index, t));
      expect(c.box).toEqual(boxStats(completed));
      expect(c.box!.n).toBe(5);
    }
  });

  it('leaves out a diverged run and a failed one', () => {
    const r = fixtureReport();
    r.trials[0].valLoss = NaN;
    r.trials[1].status = 'failed';
    expect(endedTrials(r.trials).map((t) => t.runId)).not.toContain(r.trials[0].runId);
    expect(stripPlot(CELLS, r.trials)[0].dots).toHaveLength(5);
  });
});

describe('the settings\' axes', () => {
  const r = fixtureReport();
  const axes = settingAxes(r.sweep.ranges, r.trials, label);

  it('put the learning rate on a log axis, a list of numbers on a linear one, and text on categories', () => {
    expect(axes.map((a) => [a.name, a.kind])).toEqual([['lr', 'log'], ['dropout', 'linear'], ['optimizer', 'category']]);
    expect([axes[0].min, axes[0].max]).toEqual([1e-4, 3e-2]);
    expect(axes[2].categories).toEqual(['adam', 'sgd']);
  });

  it('place values by their logarithm on a log axis', () => {
    const lr = axes[0];
    expect(axisFraction(lr, 1e-4)).toBe(0);
    expect(axisFraction(lr, 3e-2)).toBeCloseTo(1, 12);
    expect(axisFraction(lr, Math.sqrt(1e-4 * 3e-2))).toBeCloseTo(0.5, 12);
    // round values between the ends: the powers of ten inside
    expect(axisMarks(lr).map((m) => m[1])).toEqual(['0.0001', '0.001', '0.01', '0.03']);
    expect(axisMarks(lr)[1][0]).toBeCloseTo(axisFraction(lr, 1e-3), 12);
    // within a decade, 1, 2 and 5 times them
    const [narrow] = settingAxes([{ name: 'lr', scale: 'log', min: 1.5e-3, max: 8e-3 }], [], label);
    expect(axisMarks(narrow).map((m) => m[1])).toEqual(['0.0015', '0.002', '0.005', '0.008']);
    expect(axisFraction(axes[1], 0.1)).toBeCloseTo(0.4, 12);
    expect(axisFraction(axes[2], 'sgd')).toBe(1);
    expect(() => axisFraction(axes[2], 'rmsprop')).toThrow(/rmsprop is not one of its values \(adam, sgd\)/);
  });

  it('keep a log range linear when it reaches 0, and any range named log logarithmic', () => {
    const [wd, clip] = settingAxes([{ name: 'weightDecay', scale: 'log', min: 0, max: 0.1 }, { name: 'clip', scale: 'log', min: 0.5, max: 5 }], [], label);
    expect(wd.kind).toBe('linear');
    expect(clip.kind).toBe('log');
  });

  it('give per setting and cell the points of loss against it, the category index for choices', () => {
    const panels = scatterPanels(axes, CELLS, r.trials);
    expect(panels).toHaveLength(3);
    const opt = panels[2].cells[1];
    expect(opt.points).toHaveLength(7);
    expect(opt.points.map((p) => p.x)).toEqual([0, 1, 0, 1, 0, 1, 0]);
    expect(opt.points[0].y).toBe(trialLoss(1, 0));
    expect(panels[0].cells[0].points[0].x).toBe(1e-4);
  });
});

describe('parallel coordinates', () => {
  it('give each ended run a line over every setting and the loss, coloured by its cell', () => {
    const r = fixtureReport();
    const axes = settingAxes(r.sweep.ranges, r.trials, label);
    const p = parallelCoordinates(axes, CELLS, r.trials, 'validation loss');
    expect(p.axes.map((a) => a.name)).toEqual(['lr', 'dropout', 'optimizer', 'valLoss']);
    expect(p.lines).toHaveLength(21);
    expect(new Set(p.lines.filter((l) => l.cell === 'gru').map((l) => l.index))).toEqual(new Set([2]));
    const all = p.lines.flatMap((l) => l.at);
    expect(Math.min(...all)).toBe(0);
    expect(Math.max(...all)).toBeCloseTo(1, 12);
    const losses = endedTrials(r.trials).map((t) => t.valLoss);
    const lowest = p.lines.find((l) => l.at[3] === 0)!;
    expect(r.trials.find((t) => t.runId === lowest.runId)!.valLoss).toBe(Math.min(...losses));
  });
});

describe('expected best and importance', () => {
  it('the band is one sd each side; lengths must agree', () => {
    expect(expectedBestCurve([2, 1.5], [0.2, 0.1])).toEqual([{ n: 1, mean: 2, lo: 1.8, hi: 2.2 }, { n: 2, mean: 1.5, lo: 1.4, hi: 1.6 }]);
    expect(() => expectedBestCurve([2], [])).toThrow(/1 values but its sd 0/);
  });

  it('settings largest first, then what no setting explains alone; a share of a setting not swept is refused', () => {
    const bars = importanceBars({ optimizer: 0.05, lr: 0.6, dropout: 0.25 }, ['lr', 'dropout', 'optimizer'], label, REST);
    expect(bars.map((b) => [b.label, b.interaction])).toEqual([
      ['learning rate', false], ['dropout', false], ['optimizer', false], ['interactions (no setting alone)', true],
    ]);
    expect(bars.map((b) => b.share)).toEqual([0.6, 0.25, 0.05, expect.closeTo(0.1, 12)]);
    expect(importanceBars({}, ['lr'], label, REST)).toEqual([]);
    expect(() => importanceBars({ hidden: 0.5 }, ['lr'], label, REST)).toThrow(/importance of hidden, which the sweep does not vary \(lr\)/);
  });
});
