// @vitest-environment happy-dom
/** The charts of an experiment on screen: a cell with a seed still running, the accuracy chart's chance line, the zoom control. */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import RunCharts from '../../src-renderer/components/RunCharts.vue';
import { useCorporaStore } from '../../src-renderer/stores/corpora.ts';
import { useExperimentsStore } from '../../src-renderer/stores/experiments.ts';
import { provideLabClient } from '../../src-renderer/stores/lab-client.ts';
import { useRunsStore } from '../../src-renderer/stores/runs.ts';
import { baselinesReport, fakeClient, makeRun, metricRow } from './fake-client.ts';

/** LSTM and GRU, two seeds each, on a recall task; the second GRU seed is running at step 60 of 100 */
function setup() {
  const pinia = createPinia();
  setActivePinia(pinia);
  provideLabClient(fakeClient({ getBaselines: async () => baselinesReport(7) }));
  useExperimentsStore().experiments = [{ id: 1, name: 'Recall', corpusId: 7 }] as never;
  useCorporaStore().corpora = [{ id: 7, name: 'recall', kind: 'task', task: { name: 'recall', params: { lag: 16, symbols: 4, length: 1000, seed: 1 } } }] as never;
  const store = useRunsStore();
  const runs = ['lstm', 'lstm', 'gru', 'gru'].map((cell, i) => makeRun({ id: i + 1, cell, seed: (i % 2) + 1, status: i === 3 ? 'running' : 'completed', steps: 100 }));
  for (const r of runs) {
    store.upsertRun(r);
    const last = r.id === 4 ? 60 : 100;
    store.handleEvent({ type: 'metrics', runId: r.id, rows: Array.from({ length: last / 10 }, (_, k) => metricRow(10 * (k + 1), 2 - k / 20)) });
    for (let step = 20; step <= last; step += 20) {
      store.handleEvent({ type: 'eval', runId: r.id, step, valLoss: 2, bitsPerChar: 0, accuracy: 0.5, predictableAccuracy: 0.6, longRangeAccuracy: 0.3 });
    }
  }
  return { pinia, runs: runs.map((r) => store.runs[r.id]) };
}

describe('the charts of an experiment', () => {
  it('say over how many seeds each mean averages where a seed is behind', async () => {
    const { pinia, runs } = setup();
    const w = mount(RunCharts, { props: { runs, fileBase: 'Recall' }, global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.find('[data-testid="seed-coverage"]').text()).toBe('seeds in each mean: GRU: 2 seeds to step 60, 1 to step 100');
    // per run, there is nothing to say
    await w.find('input[value="runs"]').setValue(true);
    expect(w.find('[data-testid="seed-coverage"]').exists()).toBe(false);
  });

  it("draw the task's chance on the long-range accuracy chart, and smooth it with the others", async () => {
    const { pinia, runs } = setup();
    const w = mount(RunCharts, { props: { runs, fileBase: 'Recall' }, global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.find('figure[data-metric="longRange"]').attributes('data-references')).toBe('1');
    const charts = w.findAllComponents({ name: 'LossChart' });
    const chance = charts.find((c) => c.props('metric') === 'longRange')!;
    expect(chance.props('references')).toEqual([{ key: 'chance', name: 'chance', label: 'chance 25% (1 of 4 letters)', value: 0.25 }]);
    expect(chance.props('logScale')).toBe(false);
    expect(charts.map((c) => c.props('smoothing'))).toEqual([0.6, 0.6, 0.6]);
    expect(chance.props('notes')).toEqual(['Seeds in each mean: GRU: 2 seeds to step 60, 1 to step 100', 'accuracy smoothed by an exponential moving average of 0.60']);
  });

  it('offer to reset the zoom only while zoomed, and otherwise say how to zoom', async () => {
    const { pinia, runs } = setup();
    const w = mount(RunCharts, { props: { runs, fileBase: 'Recall' }, global: { plugins: [pinia] } });
    await flushPromises();
    const reset = () => w.findAll('button').find((b) => b.text() === 'Reset zoom');
    expect(w.text()).toContain('drag across a chart to zoom; double-click to reset');
    expect(reset()).toBeUndefined();
    // the charts share one link: a zoom on any of them is a zoom of all
    const links = new Set(w.findAllComponents({ name: 'LossChart' }).map((c) => c.props('link')));
    expect(links.size).toBe(1);
    const [link] = links;
    link!.zoom({ min: 10, max: 50 }, null, null);
    await flushPromises();
    expect(link!.zoomed).toBe(true);
    await reset()!.trigger('click');
    expect(link!.zoomed).toBe(false);
    expect(reset()).toBeUndefined();
    expect(w.text()).toContain('drag across a chart to zoom');
  });
});
