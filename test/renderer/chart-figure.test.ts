/** Saved and copied charts: a figure with its title, the chart, and a legend drawn into the image. */
import { describe, expect, it } from 'vitest';
import { datasetLegend, drawFigure, figureLayout, type FigureContext, type FigureText } from '../../src-renderer/composables/chart-image.ts';
import type { Chart } from 'chart.js';

/** every text is 7 px per character at 12 px */
const measure = (text: string, px: number): number => (text.length * 7 * px) / 12;

const text: FigureText = {
  title: 'Demo: loss',
  legend: [
    { label: 'RNN (tanh), mean of 3 seeds', color: '#3b82f6' },
    { label: 'LSTM, mean of 3 seeds', color: '#ef4444' },
    { label: 'GRU, mean of 3 seeds', color: '#10b981' },
    { label: 'training loss', color: '#7c8190' },
    { label: 'validation loss', color: '#7c8190', dash: [6, 4] },
    { label: '± 1 sd over seeds', color: '#7c8190', mark: 'band' },
  ],
  notes: ['Seeds in each mean: LSTM: 3 seeds to step 1,000, 2 to step 2,500'],
};

/** A context that records what is drawn. */
function recorder() {
  const calls: { op: string; args: unknown[]; fillStyle?: unknown }[] = [];
  const ctx = {
    fillStyle: '', strokeStyle: '', lineWidth: 1, font: '', textBaseline: 'alphabetic', globalAlpha: 1,
    measureText: (t: string) => ({ width: measure(t, 12) }),
  } as Record<string, unknown>;
  for (const op of ['fillRect', 'fillText', 'drawImage', 'beginPath', 'moveTo', 'lineTo', 'stroke', 'setLineDash', 'scale']) {
    ctx[op] = (...args: unknown[]) => calls.push({ op, args, fillStyle: ctx.fillStyle });
  }
  return { ctx: ctx as unknown as FigureContext, calls };
}

describe('figureLayout', () => {
  it('puts the title above the plot and the legend and notes under it, so the figure is taller than the plot', () => {
    const layout = figureLayout(600, 320, text, measure);
    expect(layout.width).toBe(600);
    expect(layout.titleY).toBeLessThan(layout.plotY);
    expect(layout.plotHeight).toBe(320);
    const plotBottom = layout.plotY + layout.plotHeight;
    for (const { y } of layout.items) expect(y).toBeGreaterThan(plotBottom);
    expect(layout.notes[0].y).toBeGreaterThan(Math.max(...layout.items.map((i) => i.y)));
    expect(layout.height).toBeGreaterThan(layout.notes[0].y);
    expect(layout.height - 320).toBeGreaterThan(60);
  });

  it('wraps the legend to new rows where a key would not fit, every key inside the figure', () => {
    const narrow = figureLayout(400, 200, text, measure);
    const rows = new Set(narrow.items.map((i) => i.y));
    expect(rows.size).toBeGreaterThan(1);
    for (const { item, x } of narrow.items) {
      // the first key of a row may be wider than the figure; every other one fits
      if (x > 12) expect(x + 28 + measure(item.label, 12)).toBeLessThanOrEqual(400 - 12);
    }
    expect(figureLayout(2000, 200, text, measure).items.every((i, _, all) => i.y === all[0].y)).toBe(true);
  });

  it('without a legend or notes is the title and the plot', () => {
    const bare = figureLayout(300, 100, { title: 'x', legend: [] }, measure);
    expect(bare.items).toEqual([]);
    expect(bare.height).toBe(bare.plotY + 100 + 12);
  });
});

describe('drawFigure', () => {
  it('draws the background, the title, the chart under it, and every legend key and note', () => {
    const layout = figureLayout(600, 320, text, measure);
    const { ctx, calls } = recorder();
    const plot = { id: 'the chart canvas' } as unknown as CanvasImageSource;
    drawFigure(ctx, layout, text, plot, 2, { background: '#ffffff', text: '#1d1f23' });
    expect(calls[0]).toEqual({ op: 'scale', args: [2, 2], fillStyle: '' });
    expect(calls[1]).toMatchObject({ op: 'fillRect', args: [0, 0, 600, layout.height], fillStyle: '#ffffff' });
    const texts = calls.filter((c) => c.op === 'fillText').map((c) => c.args[0]);
    expect(texts).toEqual(['Demo: loss', ...text.legend.map((i) => i.label), text.notes![0]]);
    expect(calls.find((c) => c.op === 'drawImage')!.args).toEqual([plot, 0, layout.plotY, 600, 320]);
    // the dashed key is dashed, the band a translucent box in the key's colour
    expect(calls.filter((c) => c.op === 'setLineDash').map((c) => c.args[0])).toContainEqual([6, 4]);
    expect(calls.filter((c) => c.op === 'fillRect' && c.fillStyle === '#7c8190')).toHaveLength(1);
    expect(calls.filter((c) => c.op === 'stroke')).toHaveLength(5);
  });
});

describe('datasetLegend', () => {
  it("takes a chart's shown, labelled datasets, not bands' edges or reference lines", () => {
    const chart = {
      config: { type: 'line' },
      data: {
        datasets: [
          { label: 'gradient norm', borderColor: '#3b82f6' },
          { label: 'clipped', borderColor: '#dc2626', showLine: false },
          { label: 'clip threshold 1', borderColor: '#dc2626', borderDash: [6, 4] },
          { label: 'hidden one', borderColor: '#000' },
          { label: 'band', band: 'upper', borderColor: '#000' },
          { label: 'uniform 3.4', reference: true, borderColor: '#666' },
          { borderColor: '#000' },
        ],
      },
      isDatasetVisible: (i: number) => i !== 3,
    } as unknown as Chart;
    expect(datasetLegend(chart)).toEqual([
      { label: 'gradient norm', color: '#3b82f6', dash: [], mark: 'line' },
      { label: 'clipped', color: '#dc2626', dash: [], mark: 'box' },
      { label: 'clip threshold 1', color: '#dc2626', dash: [6, 4], mark: 'line' },
    ]);
  });
});
