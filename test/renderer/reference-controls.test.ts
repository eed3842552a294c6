// @vitest-environment happy-dom
/** The loss chart's reference lines on screen: fetched once per corpus in the background, chosen by order, hidden at will. */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { BaselinesReport, ExperimentSummary } from '../../src-main/api/contract.ts';
import RunCharts from '../../src-renderer/components/RunCharts.vue';
import { useExperimentsStore } from '../../src-renderer/stores/experiments.ts';
import { provideLabClient } from '../../src-renderer/stores/lab-client.ts';
import { useRunsStore } from '../../src-renderer/stores/runs.ts';
import { baselinesReport, fakeClient, makeRun, metricRow } from './fake-client.ts';

const summary = (id: number, corpusId: number) => ({ id, name: `exp ${id}`, corpusId, spec: {}, createdAt: 0, corpusName: `corpus ${corpusId}`, runs: 1, runCounts: {} }) as unknown as ExperimentSummary;

/** two runs of experiment 1 (corpus 7), one of experiment 2 (corpus 8); getBaselines answers when `release` is called */
function setup() {
  const pinia = createPinia();
  setActivePinia(pinia);
  let release: (() => void) | null = null;
  const client = fakeClient({
    getBaselines: ({ corpusId }) => new Promise<BaselinesReport>((resolve) => {
      release = () => resolve(baselinesReport(corpusId));
    }),
  });
  provideLabClient(client);
  useExperimentsStore().experiments = [summary(1, 7), summary(2, 8)];
  const store = useRunsStore();
  const runs = [makeRun({ id: 1, cell: 'lstm' }), makeRun({ id: 2, cell: 'gru' }), makeRun({ id: 3, experimentId: 2, cell: 'rnn' })];
  for (const r of runs) {
    store.upsertRun(r);
    store.handleEvent({ type: 'metrics', runId: r.id, rows: [metricRow(10, 3), metricRow(20, 2.5)] });
  }
  return { pinia, client, runs: runs.map((r) => store.runs[r.id]), release: () => release?.() };
}

const references = (w: ReturnType<typeof mount>) => Number(w.find('figure[data-metric="loss"]').attributes('data-references'));

describe('reference lines on the loss chart', () => {
  it('arrive after the chart is drawn, once per corpus, and follow the chosen orders', async () => {
    const { pinia, client, runs, release } = setup();
    const w = mount(RunCharts, { props: { runs: runs.slice(0, 2), fileBase: 'x' }, global: { plugins: [pinia] } });
    await flushPromises();
    // the chart is there while the baselines are computed
    expect(client.getBaselines).toHaveBeenCalledExactlyOnceWith({ corpusId: 7 });
    expect(w.find('figure[data-metric="loss"]').exists()).toBe(true);
    expect(references(w)).toBe(0);
    expect(w.find('[data-testid="reference-controls"]').text()).toContain('computing');
    release();
    await flushPromises();
    // uniform, unigram, 3-gram and 5-gram by default; the gradient-norm chart has none
    expect(references(w)).toBe(4);
    expect(w.find('figure[data-metric="gradNorm"]').attributes('data-references')).toBe('0');
    const controls = w.find('[data-testid="reference-controls"]');
    expect(controls.text()).toContain(`uniform (ln 30) ${Math.log(30).toFixed(3)}`);
    expect(controls.text()).toContain('unigram 2.900');
    expect(controls.findAll('[data-order]').map((l) => l.text())).toEqual(['1 2.900', '3 2.100', '5 1.900']);

    await controls.find('input[aria-label="1-gram"]').setValue(true);
    await controls.find('input[aria-label="5-gram"]').setValue(false);
    expect(references(w)).toBe(4);
    await controls.findAll('input[type="checkbox"]')[1].setValue(false); // uniform
    expect(references(w)).toBe(3);
    // hide them all, and bring them back as they were
    await controls.find('input[type="checkbox"]').setValue(false);
    expect(references(w)).toBe(0);
    expect(controls.find('[data-order]').exists()).toBe(false);
    await controls.find('input[type="checkbox"]').setValue(true);
    expect(references(w)).toBe(3);

    // another chart of the same corpus (the Compare screen) asks no more
    const again = mount(RunCharts, { props: { runs: runs.slice(1, 2), fileBase: 'y' }, global: { plugins: [pinia] } });
    await flushPromises();
    expect(references(again)).toBe(3);
    expect(client.getBaselines).toHaveBeenCalledTimes(1);
  });

  it('are not drawn for runs of different corpora', async () => {
    const { pinia, client, runs } = setup();
    const w = mount(RunCharts, { props: { runs, fileBase: 'x' }, global: { plugins: [pinia] } });
    await flushPromises();
    expect(client.getBaselines).not.toHaveBeenCalled();
    expect(w.find('[data-testid="reference-controls"]').exists()).toBe(false);
    expect(references(w)).toBe(0);
  });

  it('say so when the lab cannot compute them, and the chart stays', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    provideLabClient(fakeClient({ getBaselines: async () => { throw new Error('the model worker stopped'); } }));
    useExperimentsStore().experiments = [summary(1, 7)];
    const run = makeRun({ id: 1 });
    useRunsStore().upsertRun(run);
    const w = mount(RunCharts, { props: { runs: [run], fileBase: 'x' }, global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.find('[data-testid="reference-controls"]').text()).toContain('not available: the model worker stopped');
    expect(references(w)).toBe(0);
    expect(w.find('figure[data-metric="loss"]').exists()).toBe(true);
  });
});
