// @vitest-environment happy-dom
/** A task corpus's summary over seeds: the final long-range accuracy per cell and its own verdict, beside the loss's. */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import SeedSummary from '../../src-renderer/components/SeedSummary.vue';
import { provideLabClient } from '../../src-renderer/stores/lab-client.ts';
import { useRunsStore } from '../../src-renderer/stores/runs.ts';
import { fakeClient, makeRun, metricRow } from './fake-client.ts';

const model = (cell: string) => ({ model: { cell, vocabSize: 6, hidden: 8, layers: 1, embedding: 0, dropout: 0, init: 'pytorch', forgetBias: 1 }, train: {} });

/** GRU and RNN, three seeds each, finished, with these final (loss, long-range accuracy); null: no accuracy (a text corpus) */
function mountSummary(finals: [number, number | null][], status: (i: number) => string = () => 'completed') {
  const pinia = createPinia();
  setActivePinia(pinia);
  provideLabClient(fakeClient());
  const store = useRunsStore();
  const runs = finals.map((_, i) => makeRun({ id: i + 1, cell: i < 3 ? 'gru' : 'rnn', seed: (i % 3) + 1, status: 'completed', step: 100, steps: 100, config: model(i < 3 ? 'gru' : 'rnn') }));
  runs.forEach((r, i) => {
    store.upsertRun(r);
    store.handleEvent({ type: 'metrics', runId: r.id, rows: [metricRow(100, 1.3)] });
    store.handleEvent({ type: 'eval', runId: r.id, step: 50, valLoss: 1.3, bitsPerChar: 0, accuracy: 0, predictableAccuracy: null, longRangeAccuracy: finals[i][1] === null ? null : 0.25 });
    store.handleEvent({ type: 'eval', runId: r.id, step: 100, valLoss: finals[i][0], bitsPerChar: 0, accuracy: 0, predictableAccuracy: null, longRangeAccuracy: finals[i][1] });
    store.upsertRun({ ...store.runs[r.id], status: status(i) as never, step: status(i) === 'completed' ? 100 : 60 });
  });
  return mount(SeedSummary, { props: { runs: runs.map((r) => store.runs[r.id]) }, global: { plugins: [pinia] } });
}

describe('the summary over seeds on a task corpus', () => {
  it('shows each cell\'s final long-range accuracy over seeds and a verdict on it, higher being better', async () => {
    const w = mountSummary([[1.2, 0.95], [1.21, 0.97], [1.19, 0.99], [1.27, 0.24], [1.28, 0.25], [1.26, 0.26]]);
    await flushPromises();
    const gru = w.find('[data-cell="GRU"]');
    expect(gru.find('[data-testid="seed-long-range-mean"]').text()).toBe('97.0%');
    expect(gru.find('[data-testid="seed-long-range-sd"]').text()).toBe('2.0%');
    // 0.97 -+ t(0.975, 2) x 0.02 / sqrt(3) = 0.97 -+ 0.0497
    expect(gru.find('[data-testid="seed-long-range-ci"]').text()).toBe('95% interval of the mean: 92.0% to 102.0%');
    expect(gru.find('.seed-list').text()).toContain('1.200, 95.0%');
    expect(w.find('[data-testid="verdict-long-range"] h3').text()).toBe('Verdict on long-range accuracy');
    expect(w.find('[data-testid="verdict-long-range"] li').text()).toBe('GRU beats RNN on long-range accuracy by 72.0 percentage points over 3 seeds. (difference 72.0, 95% interval 67.8 to 76.2 percentage points, Welch df 2.9)');
    // the loss verdict is still there, and still about the loss
    expect(w.find('[data-testid="verdict"] h3').text()).toBe('Verdict on validation loss');
    expect(w.find('[data-testid="verdict"] li').text()).toMatch(/^GRU beats RNN by 0\.070 nats per character over 3 seeds\./);
    expect(w.text()).toContain('final accuracy on the positions that need long-range memory (higher is better)');
  });

  it('counts only finished seeds, as the loss does', async () => {
    const w = mountSummary([[1.2, 0.95], [1.21, 0.97], [1.19, 0.99], [1.27, 0.24], [1.28, 0.25], [1.26, 0.26]], (i) => (i === 5 ? 'paused' : 'completed'));
    await flushPromises();
    const rnn = w.find('[data-cell="RNN"]');
    expect(rnn.find('[data-testid="seed-long-range-mean"]').text()).toBe('24.5%');
    expect(w.find('[data-testid="verdict-long-range"] li').text()).toMatch(/^GRU beats RNN on long-range accuracy by 72\.5 percentage points over 3 and 2 seeds\./);
  });

  it('has no accuracy and no second verdict on a corpus without long-range positions', async () => {
    const w = mountSummary([[1.2, null], [1.21, null], [1.19, null], [1.27, null], [1.28, null], [1.26, null]]);
    await flushPromises();
    expect(w.find('[data-testid="verdict-long-range"]').exists()).toBe(false);
    expect(w.find('[data-testid="seed-long-range-mean"]').exists()).toBe(false);
    expect(w.find('[data-testid="verdict"] h3').text()).toBe('Verdict');
    expect(w.text()).not.toContain('long-range');
  });
});
