/**
 * The report's summary over seeds on a task corpus: beside the loss verdict, a verdict on the final
 * long-range accuracy (higher is better) and its table, saying exactly what the app's seed-stats.ts
 * says. The runs' final evaluations are written straight into the store, so nothing trains.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../../src-main/lab/lab.ts';
import { buildReport } from '../../src-main/report/report.ts';
import { escapeHtml } from '../../src-main/report/svg-chart.ts';
import { LONG_RANGE_ACCURACY, verdictItems } from '../../src-shared/seed-stats.ts';

let lab: Lab;
let html: string;
/** per cell, each seed's final (validation loss, long-range accuracy) */
const FINALS: Record<string, [number, number][]> = {
  rnn: [[1.27, 0.24], [1.28, 0.25], [1.26, 0.26]],
  gru: [[1.2, 0.95], [1.21, 0.97], [1.19, 0.99]],
};

function section(page: string, title: string): string {
  const start = page.indexOf(`<h2>${title}</h2>`);
  return page.slice(start, page.indexOf('</section>', start));
}

beforeAll(() => {
  lab = Lab.open({ db: ':memory:', workers: 1 });
  const { corpus } = lab.createTaskCorpus('recall', { lag: 6, length: 3000 });
  const { experiment, runs } = lab.createExperiment({
    corpusId: corpus.id,
    spec: { cells: ['rnn', 'gru'], seeds: 3, firstSeed: 7, budget: { mode: 'hidden', hidden: 4 }, train: { seqLen: 8, batch: 2, steps: 20 } },
  });
  for (const run of runs) {
    const [valLoss, longRangeAccuracy] = FINALS[run.cell][run.seed - 7];
    lab.store.evals.insert(run.id, { step: 10, valLoss: 1.4, bitsPerChar: 2, accuracy: 0.2, predictableAccuracy: 0.3, longRangeAccuracy: 0.25, chars: 300 });
    lab.store.evals.insert(run.id, { step: 20, valLoss, bitsPerChar: valLoss / Math.LN2, accuracy: 0.3, predictableAccuracy: 0.5, longRangeAccuracy, chars: 300 });
    lab.store.runs.update(run.id, { step: 20 });
    lab.store.runs.setStatus(run.id, 'completed');
  }
  html = buildReport(lab, experiment.id, { now: new Date(0), baselines: null });
});

afterAll(() => lab?.close());

describe('the report of a task corpus experiment', () => {
  it('gives the verdict on long-range accuracy as the app computes it, before the loss verdict', () => {
    const seeds = section(html, 'Summary over seeds');
    const cells = ['rnn', 'gru'].map((c) => ({ name: c === 'rnn' ? 'RNN' : 'GRU', values: FINALS[c].map((f) => f[1]) }));
    const [item] = verdictItems(cells, LONG_RANGE_ACCURACY);
    expect(item.sentence).toBe('GRU beats RNN on long-range accuracy by 72.0 percentage points over 3 seeds.');
    const longRange = seeds.indexOf('<div class="verdict" data-metric="long-range"><h3>Verdict on long-range accuracy</h3>');
    const loss = seeds.indexOf('<div class="verdict" data-metric="loss"><h3>Verdict on validation loss</h3>');
    expect(longRange).toBeGreaterThan(0);
    expect(loss).toBeGreaterThan(longRange);
    expect(seeds).toContain(`<li><strong>${escapeHtml(item.sentence)}</strong> <span class="muted">(${escapeHtml(item.detail!)})</span></li>`);
    expect(seeds.slice(loss)).toMatch(/<li><strong>GRU beats RNN by 0\.070 nats per character over 3 seeds\.<\/strong>/);
  });

  it('tabulates the final long-range accuracy per cell in percent, each seed by its own seed number', () => {
    const table = section(html, 'Summary over seeds').split('<h3>Final long-range accuracy</h3>')[1];
    // 0.97 -+ t(0.975, 2) x 0.02 / sqrt(3)
    expect(table).toMatch(/<tr data-cell="gru">[\s\S]*?<td>3 of 3<\/td><td>97\.0%<\/td><td>2\.0%<\/td><td>92\.0% to 102\.0%<\/td>/);
    expect(table).toContain('<td class="left"><span class="muted">s7</span> 95.0% · <span class="muted">s8</span> 97.0% · <span class="muted">s9</span> 99.0%</td>');
    expect(html).toContain('<dt>Seeds</dt><dd>3 (seeds 7 to 9)</dd>');
  });
});
