/** Reference lines on the loss charts: which lines, in which unit, across which x range, and their labels' places. */
import { describe, expect, it } from 'vitest';
import { allReferenceLines, DEFAULT_REFERENCE_CHOICE, referenceLines, referencePoints, spreadLabels, toUnit, xExtent, type Baselines } from '../../src-shared/reference-lines.ts';

/** a corpus's baselines, as much of them as the lines read (the lab's BaselinesReport has more) */
const baselines = (ngram: Baselines['ngram']): Baselines => ({ vocabSize: 30, uniform: Math.log(30), unigram: 2.9, ngram });
const b = baselines([1, 2, 3, 4, 5].map((order) => ({ order, loss: 3 - order * 0.25 })));

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
    expect(referenceLines(baselines([{ order: 1, loss: 2.9 }, { order: 3, loss: 2.1 }, { order: 5, loss: 1.9 }]), { shown: true, uniform: false, unigram: false, orders: [2, 3] }).map((l) => l.key)).toEqual(['ngram-3']);
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

  it('have their labels spread around close lines, in order, each as near its line as the others allow', () => {
    // 100 and 104 become one block centred on them: 95 and 109
    expect(spreadLabels([100, 50, 104, 200], 14)).toEqual([95, 50, 109, 200]);
    expect(spreadLabels([30, 31, 32], 10)).toEqual([21, 31, 41]);
    expect(spreadLabels([], 10)).toEqual([]);
    // a block that would leave the plot is moved back inside it
    expect(spreadLabels([12, 13], 14, 14, 300)).toEqual([14, 28]);
    expect(spreadLabels([298, 299, 300], 14, 14, 300)).toEqual([272, 286, 300]);
  });

  it('never overlap, inside the plot, however the lines fall (3-gram and 5-gram a hair apart, all at an edge)', () => {
    let state = 7;
    const random = (): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    const cases = [[150, 150.4, 90, 60], [14, 14, 14, 15], [320, 319, 318, 300], [200, 201, 202, 203, 204, 205]];
    for (let k = 0; k < 200; k++) cases.push(Array.from({ length: 1 + Math.floor(random() * 6) }, () => 14 + random() * 306));
    for (const ys of cases) {
      const at = spreadLabels(ys, 14, 14, 320);
      const sorted = [...at].sort((a, b) => a - b);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i] - sorted[i - 1]).toBeGreaterThanOrEqual(14 - 1e-9);
      for (const y of at) {
        expect(y).toBeGreaterThanOrEqual(14);
        expect(y).toBeLessThanOrEqual(320 + 1e-9);
      }
      // the labels keep their lines' order
      const byLine = ys.map((_, i) => i).sort((a, b) => ys[a] - ys[b] || a - b);
      for (let i = 1; i < byLine.length; i++) expect(at[byLine[i]]).toBeGreaterThan(at[byLine[i - 1]]);
    }
  });
});
