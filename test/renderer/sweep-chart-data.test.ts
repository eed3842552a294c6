/**
 * The sweep's Chart.js datasets (src-renderer/composables/sweep-chart-data.ts) from the synthetic
 * report: dots in their cell's colour, rings (no fill) for stopped runs in their own dataset, the
 * box's segments at the quartiles, median and whiskers, the expected best's band around its line,
 * and the axes (the learning rate's log, the optimizer's categories).
 */
import { describe, expect, it } from 'vitest';
import { runColor } from '../../src-shared/run-colors.ts';
import { scatterPanels, settingAxes, settingName, stripPlot } from '../../src-shared/sweep-views.ts';
import { tr } from '../../src-renderer/i18n.ts';
import { expectedBestDatasets, scatterDatasets, settingAxis, stripAxes, stripDatasets } from '../../src-renderer/composables/sweep-chart-data.ts';
import { CELLS, fixtureReport } from '../sweep-report-fixture.ts';

const report = fixtureReport();
const strip = stripPlot(CELLS, report.trials);

describe('the strip chart\'s datasets', () => {
  const sets = stripDatasets(strip);

  it('give each cell a box, its completed dots and its stopped ones as rings, all in the cell\'s colour', () => {
    const parts = ['bottom', 'top', 'left', 'right', 'median', 'high', 'high-cap', 'low', 'low-cap'];
    expect(sets.map((d) => d.key)).toEqual(CELLS.flatMap((c) => [...parts.map((p) => `box:${c}:${p}`), `strip:${c}:done`, `strip:${c}:stopped`]));
    CELLS.forEach((cell, i) => {
      const mine = sets.filter((d) => d.key.includes(`:${cell}:`));
      for (const d of mine) expect(d.color).toBe(runColor(i));
      const done = mine.find((d) => d.key.endsWith(':done'))!;
      const stopped = mine.find((d) => d.key.endsWith(':stopped'))!;
      expect(done.data).toHaveLength(5);
      expect(done.fill).toBe(runColor(i));
      expect(stopped.data).toHaveLength(2);
      expect(stopped.fill).toBe('transparent');
      expect(stopped.label).toContain('stopped by halving');
      expect(stopped.data.every((p) => p.stopped)).toBe(true);
    });
  });

  it('keep every dataset\'s points in x order (Chart.js looks for the visible ones as if sorted)', () => {
    for (const d of sets) for (let i = 1; i < d.data.length; i++) expect(d.data[i].x).toBeGreaterThanOrEqual(d.data[i - 1].x);
  });

  it('draw the box at the quartiles, the median and the whiskers', () => {
    const b = strip[0].box!;
    const box = sets.filter((d) => d.key.startsWith('box:rnn:'));
    for (const d of box) expect(d.quiet).toBe(true);
    const ys = Object.fromEntries(box.map((d) => [d.key.slice('box:rnn:'.length), d.data.map((p) => p.y)]));
    expect(ys).toEqual({
      bottom: [b.q1, b.q1], top: [b.q3, b.q3], left: [b.q1, b.q3], right: [b.q1, b.q3], median: [b.median, b.median],
      high: [b.q3, b.high], 'high-cap': [b.high, b.high], low: [b.q1, b.low], 'low-cap': [b.low, b.low],
    });
  });

  it('name the cells on a category axis', () => {
    expect(stripAxes(strip).x).toEqual({ kind: 'category', title: 'cell', categories: ['RNN', 'LSTM', 'GRU'] });
  });

  it('have the same dots each time they are made', () => {
    expect(stripDatasets(stripPlot(CELLS, fixtureReport().trials))).toEqual(sets);
  });
});

describe('expected best and loss against each setting', () => {
  it('put a band between mean - sd and mean + sd under each cell\'s line', () => {
    const sets = expectedBestDatasets(report.cells);
    expect(sets).toHaveLength(9);
    const [lo, hi, line] = sets.slice(3, 6);
    expect(hi.band).toBe(true);
    expect(lo.band).toBeUndefined();
    expect(line.color).toBe(runColor(1));
    const c = report.cells[1];
    expect(line.data).toEqual(c.expectedBest.map((y, i) => ({ x: i + 1, y })));
    expect(lo.data.map((p) => p.y)).toEqual(c.expectedBest.map((y, i) => y - c.expectedBestSd[i]));
    expect(hi.data.map((p) => p.y)).toEqual(c.expectedBest.map((y, i) => y + c.expectedBestSd[i]));
  });

  it('put the learning rate on a log axis and the optimizer on categories, dots by cell', () => {
    const axes = settingAxes(report.sweep.ranges, report.trials, (name) => settingName(name, tr));
    expect(settingAxis(axes[0])).toEqual({ kind: 'log', title: 'learning rate (log scale)', min: 1e-4, max: 3e-2 });
    expect(settingAxis(axes[2])).toEqual({ kind: 'category', title: 'optimizer', categories: ['adam', 'sgd'] });
    const panels = scatterPanels(axes, CELLS, report.trials);
    const sets = scatterDatasets(panels[0]);
    expect(sets.map((d) => d.key)).toEqual(CELLS.flatMap((c) => [`scatter:lr:${c}:done`, `scatter:lr:${c}:stopped`]));
    expect(sets[0].data.map((p) => p.x)).toEqual([1e-4, 3e-4, 2e-3, 5e-3, 2e-2]);
    expect(sets[1].data.map((p) => p.x)).toEqual([1e-3, 1e-2]);
  });
});
