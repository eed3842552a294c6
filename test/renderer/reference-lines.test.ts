/** Reference lines on the loss chart: which lines, in which unit, across which x range, and their labels' places. */
import { describe, expect, it } from 'vitest';
import { allReferenceLines, DEFAULT_REFERENCE_CHOICE, referenceLines, referencePoints, spreadLabels, toUnit, xExtent } from '../../src-renderer/composables/reference-lines.ts';
import { buildReferenceDatasets } from '../../src-renderer/composables/use-loss-chart.ts';
import { baselinesReport } from './fake-client.ts';

const b = { ...baselinesReport(1), ngram: [1, 2, 3, 4, 5].map((order) => ({ order, loss: 3 - order * 0.25 })) };

describe('reference lines', () => {
  it('convert nats to bits per character by dividing by ln 2 (tolerance 1e-12)', () => {
    expect(toUnit(Math.LN2, 'bits')).toBeCloseTo(1, 12);
    expect(toUnit(Math.log(30), 'bits')).toBeCloseTo(Math.log2(30), 12);
    expect(toUnit(1.58, 'nats')).toBe(1.58);
  });

  it('are by default uniform, unigram, the 3-gram and the 5-gram, labelled with their values', () => {
    const lines = referenceLines(b, DEFAULT_REFERENCE_CHOICE);
    expect(lines.map((l) => l.label)).toEqual(['uniform (ln 30) 3.40', 'unigram 2.90', '3-gram (Kneser-Ney) 2.25', '5-gram (Kneser-Ney) 1.75']);
    expect(lines.map((l) => l.key)).toEqual(['uniform', 'unigram', 'ngram-3', 'ngram-5']);
    expect(lines[0].value).toBe(Math.log(30));
  });

  it('follow the choice: any orders, none at all, or nothing without baselines', () => {
    expect(referenceLines(b, { shown: true, uniform: false, unigram: false, orders: [1, 4] }).map((l) => l.key)).toEqual(['ngram-1', 'ngram-4']);
    expect(referenceLines(b, { ...DEFAULT_REFERENCE_CHOICE, shown: false })).toEqual([]);
    expect(referenceLines(null, DEFAULT_REFERENCE_CHOICE)).toEqual([]);
    // an order the corpus has no value for is simply absent
    expect(referenceLines(baselinesReport(1), { shown: true, uniform: false, unigram: false, orders: [2, 3] }).map((l) => l.key)).toEqual(['ngram-3']);
  });

  it('carry values and labels in bits when the chart shows bits', () => {
    const [uniform] = allReferenceLines(b, 'bits');
    expect(uniform.value).toBeCloseTo(Math.log2(30), 12);
    expect(uniform.label).toBe(`uniform (ln 30) ${Math.log2(30).toFixed(2)}`);
  });

  it('span the x range of the shown lines, whatever the x axis', () => {
    const lines = [
      { data: [{ x: 10, y: 2 }, { x: 500, y: 1 }] },
      { data: [{ x: 5, y: NaN }, { x: 20, y: 3 }, { x: 900, y: 1 }], hidden: true },
    ];
    expect(xExtent(lines)).toEqual({ min: 10, max: 500 });
    // every line hidden: still the range of all of them, so the chart keeps its frame
    expect(xExtent(lines.map((l) => ({ ...l, hidden: true })))).toEqual({ min: 10, max: 900 });
    expect(xExtent([{ data: [] }])).toBeNull();
    expect(referencePoints(1.75, { min: 0.5, max: 12.25 })).toEqual([{ x: 0.5, y: 1.75 }, { x: 12.25, y: 1.75 }]);
  });

  it('become grey dotted datasets (drawn by the plugin across the plot), reused by key, and none before any point', () => {
    const refs = referenceLines(b, DEFAULT_REFERENCE_CHOICE);
    const first = buildReferenceDatasets([], refs, { min: 1, max: 100 }, '#5b6170');
    expect(first.map((d) => d.key)).toEqual(['ref:uniform', 'ref:unigram', 'ref:ngram-3', 'ref:ngram-5']);
    expect(first[3]).toMatchObject({ label: '5-gram (Kneser-Ney) 1.75', reference: true, showLine: false, borderColor: '#5b6170', pointRadius: 0, fill: false, data: [{ x: 1, y: 1.75 }, { x: 100, y: 1.75 }] });
    expect(first[3].borderDash).toEqual([2, 3]);
    const second = buildReferenceDatasets(first, refs.slice(2), { min: 1, max: 200 }, '#a0a7b4');
    expect(second[0]).toBe(first[2]);
    expect(second[1].data).toEqual([{ x: 1, y: 1.75 }, { x: 200, y: 1.75 }]);
    expect(second[1].borderColor).toBe('#a0a7b4');
    expect(buildReferenceDatasets(first, refs, null, '#000')).toEqual([]);
  });

  it('have their labels pushed apart when lines are close, keeping their order', () => {
    expect(spreadLabels([100, 50, 104, 200], 14)).toEqual([100, 50, 114, 200]);
    expect(spreadLabels([30, 31, 32], 10)).toEqual([30, 40, 50]);
    expect(spreadLabels([], 10)).toEqual([]);
  });
});
