// @vitest-environment happy-dom
/** A two-seed experiment on screen: the summary with its verdict and equations, and the charts' mean-and-band mode. */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { Run } from '../../src-main/api/contract.ts';
import RunCharts from '../../src-renderer/components/RunCharts.vue';
import SeedSummary from '../../src-renderer/components/SeedSummary.vue';
import { provideLabClient } from '../../src-renderer/stores/lab-client.ts';
import { useRunsStore } from '../../src-renderer/stores/runs.ts';
import { fakeClient, makeRun, metricRow } from './fake-client.ts';

const model = (cell: string) => ({ model: { cell, vocabSize: 30, hidden: 8, layers: 1, embedding: 0, dropout: 0, init: 'pytorch', forgetBias: 1 }, train: {} });

/** LSTM and RNN, two seeds each, finished, with these final validation losses */
function setup(final: Record<number, number>, over: Partial<Record<number, Partial<Run>>> = {}) {
  const pinia = createPinia();
  setActivePinia(pinia);
  provideLabClient(fakeClient());
  const store = useRunsStore();
  const cells = ['lstm', 'lstm', 'rnn', 'rnn'];
  const runs = cells.map((cell, i) => makeRun({ id: i + 1, cell, seed: (i % 2) + 1, status: 'completed', step: 100, steps: 100, config: model(cell), params: cell === 'lstm' ? 4 * 8 * 38 + 2 * 32 + 8 * 30 + 30 : 8 * 38 + 16 + 270, ...over[i + 1] }));
  for (const r of runs) {
    store.upsertRun(r);
    store.handleEvent({ type: 'metrics', runId: r.id, rows: [metricRow(50, 2.5), metricRow(100, 2)] });
    store.handleEvent({ type: 'eval', runId: r.id, step: 50, valLoss: 2.6, bitsPerChar: 0, accuracy: 0, predictableAccuracy: null, longRangeAccuracy: null });
    store.handleEvent({ type: 'eval', runId: r.id, step: 100, valLoss: final[r.id], bitsPerChar: 0, accuracy: 0, predictableAccuracy: null, longRangeAccuracy: null });
    // the metric events move the run's step; put back the state the test asks for
    if (over[r.id]) store.upsertRun({ ...store.runs[r.id], ...over[r.id] });
  }
  return { pinia, runs: runs.map((r) => store.runs[r.id]), store };
}

describe('the summary over seeds', () => {
  it('shows per cell the mean, sd and 95% interval of the final validation loss, and the verdict', async () => {
    const { pinia, runs } = setup({ 1: 1.5, 2: 1.52, 3: 1.9, 4: 1.93 });
    const w = mount(SeedSummary, { props: { runs, equations: true }, global: { plugins: [pinia] } });
    await flushPromises();
    const lstm = w.find('[data-cell="LSTM"]');
    expect(lstm.find('[data-testid="seed-mean"]').text()).toBe('1.510');
    expect(lstm.find('[data-testid="seed-sd"]').text()).toBe('0.014');
    // t(0.975, 1) = 12.706: 1.51 -+ 12.706 x 0.01414 / sqrt(2)
    expect(lstm.find('[data-testid="seed-ci"]').text()).toBe('95% interval of the mean: 1.383 to 1.637');
    expect(lstm.text()).toContain('2 of 2 seeds finished');
    expect(w.find('[data-testid="verdict"] li').text()).toMatch(/^LSTM beats RNN by 0\.405 nats per character over 2 seeds\. \(difference 0\.405, 95% interval 0\.\d{3} to 0\.\d{3}, Welch df 1\.\d\)$/);
    // the equations and the parameters per matrix, beside the numbers
    const panel = lstm.find('details');
    expect(panel.text()).toContain('Equations, sizes and parameters');
    expect(panel.findAll('.equations li').map((li) => li.text())[4]).toBe('ct = ft ⊙ ct−1 + it ⊙ gt');
    expect(panel.find('[data-tensor="1.W_x"]').text()).toContain('32 × 30');
    expect(panel.find('.total').text()).toBe(runs[0].params.toLocaleString('en-US'));
    expect(panel.find('.error-text').exists()).toBe(false);
  });

  it('says the seeds are within the spread, and does not count a run that has not finished', async () => {
    const { pinia, runs } = setup({ 1: 1.5, 2: 1.6, 3: 1.55, 4: 1.62 }, { 4: { status: 'running', step: 60 } });
    const w = mount(SeedSummary, { props: { runs }, global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.find('[data-testid="verdict"] li').text()).toBe('LSTM and RNN: RNN has one seed, no spread to compare against.');
    expect(w.find('[data-cell="RNN"]').text()).toContain('running at step 60 (not counted)');
    expect(w.find('[data-cell="RNN"]').text()).toContain('One seed: no spread to show.');
    expect(w.find('details').exists()).toBe(false);
  });
});

describe('the charts of a two-seed experiment', () => {
  it('default to mean and band, with one legend toggle per cell, and offer one line per run', async () => {
    const { pinia, runs } = setup({ 1: 1.5, 2: 1.52, 3: 1.9, 4: 1.93 });
    const w = mount(RunCharts, { props: { runs, fileBase: 'x' }, global: { plugins: [pinia] } });
    await flushPromises();
    const mean = w.find('input[value="mean"]');
    expect((mean.element as HTMLInputElement).checked).toBe(true);
    const legend = () => w.findAll('[aria-label="Show or hide runs"] button').map((b) => b.text());
    expect(legend()).toEqual(['LSTM 2 seeds', 'RNN 2 seeds']);
    expect(w.text()).toContain('line: mean of the seeds that have reached each step · band: ± 1 standard deviation where 2 or more have');
    expect(w.find('figure[data-metric="loss"]').attributes('data-mode')).toBe('mean');
    // hiding a cell hides its seeds, and the per-run view shows them hidden
    await w.find('[data-group="1:lstm"]').trigger('click');
    expect(w.find('[data-group="1:lstm"]').attributes('aria-pressed')).toBe('false');
    await w.find('input[value="runs"]').setValue(true);
    expect(w.find('figure[data-metric="loss"]').attributes('data-mode')).toBe('runs');
    expect(legend()).toEqual(['lstm s1 #1', 'lstm s2 #2', 'rnn s1 #3', 'rnn s2 #4']);
    expect(w.findAll('[aria-label="Show or hide runs"] button').map((b) => b.attributes('aria-pressed'))).toEqual(['false', 'false', 'true', 'true']);
  });

  it('offer no choice with one seed per cell', async () => {
    const { pinia, runs } = setup({ 1: 1.5, 2: 1.52, 3: 1.9, 4: 1.93 });
    const w = mount(RunCharts, { props: { runs: [runs[0], runs[2]], fileBase: 'x' }, global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.find('input[value="mean"]').exists()).toBe(false);
    expect(w.find('figure[data-metric="loss"]').attributes('data-mode')).toBe('runs');
  });
});
