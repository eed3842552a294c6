/** What a hovered step shows on every chart of an experiment: the snapped step and each line's value there. */
import { describe, expect, it } from 'vitest';
import { hoverRows, nearestIndex, snapX } from '../../src-renderer/composables/chart-hover.ts';
import type { LineDataset } from '../../src-renderer/composables/chart-lines.ts';

const line = (over: Partial<LineDataset>): LineDataset => ({ key: 'k', type: 'line', data: [], ...over }) as LineDataset;

describe('nearestIndex', () => {
  it('finds the point nearest x in an x-sorted line, the earlier one on a tie', () => {
    const pts = [1, 2, 4, 8].map((x) => ({ x, y: 0 }));
    expect([0, 1, 2.9, 3, 3.1, 6, 100].map((x) => nearestIndex(pts, x))).toEqual([0, 0, 1, 1, 2, 2, 3]);
    expect(nearestIndex([], 3)).toBe(-1);
  });
});

describe('hover', () => {
  const datasets = [
    line({ label: 'LSTM mean train', kind: 'train', borderColor: '#ef4444', data: [{ x: 1, y: 2, n: 2, sd: 0.1 }, { x: 2, y: 1.5, n: 2, sd: 0.05 }, { x: 3, y: 1.2, n: 1, sd: 0 }] as never }),
    line({ label: 'LSTM train +1 sd', kind: 'train', band: 'upper', data: [{ x: 1, y: 2.1 }, { x: 2, y: 1.55 }] }),
    line({ label: 'GRU s1 val', kind: 'val', borderColor: '#10b981', data: [{ x: 50, y: 1.4 }, { x: 100, y: 1.1 }] }),
    line({ label: 'hidden run', kind: 'train', hidden: true, data: [{ x: 2.4, y: 9 }] }),
    line({ label: 'chance 25%', reference: true, data: [{ x: 0, y: 0.25 }, { x: 100, y: 0.25 }] }),
    line({ label: 'RNN mean long-range accuracy', kind: 'longRange', borderColor: '#3b82f6', data: [{ x: 2, y: 0.263, n: 3, sd: 0.0123 }] as never }),
  ];

  it('snaps to the nearest logged x of the shown lines, not of bands, hidden or reference lines', () => {
    expect(snapX(datasets, 2.3)).toBe(2);
    expect(snapX(datasets, 70)).toBe(50);
    expect(snapX(datasets.slice(3, 5), 1)).toBeNull();
  });

  it("gives each shown line's nearest value where its points reach, with a mean's sd and seed count", () => {
    expect(hoverRows(datasets, 2, 0.5)).toEqual([
      { label: 'LSTM mean train', color: '#ef4444', text: '1.500 ± 0.050 (2 seeds)', x: 2, y: 1.5 },
      { label: 'RNN mean long-range accuracy', color: '#3b82f6', text: '26.3% ± 1.2% (3 seeds)', x: 2, y: 0.263 },
    ]);
    // past the LSTM's last step by more than the reach: it has no value there; the evaluations do
    expect(hoverRows(datasets, 3.2, 0.5).map((r) => r.text)).toEqual(['1.200 (1 seed)']);
    expect(hoverRows(datasets, 70, 0.5).map((r) => `${r.label} ${r.text} @${r.x}`)).toEqual(['GRU s1 val 1.400 @50']);
  });
});
