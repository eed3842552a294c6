/** Reference lines on the app's loss chart: the Chart.js datasets they become. */
import { describe, expect, it } from 'vitest';
import { buildReferenceDatasets } from '../../src-renderer/composables/chart-lines.ts';
import { DEFAULT_REFERENCE_CHOICE, referenceLines } from '../../src-shared/reference-lines.ts';
import { baselinesReport } from './fake-client.ts';

const b = { ...baselinesReport(1), ngram: [1, 2, 3, 4, 5].map((order) => ({ order, loss: 3 - order * 0.25 })) };

describe('reference lines', () => {
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
});
