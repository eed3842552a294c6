// @vitest-environment happy-dom
/**
 * The sweep panel's parts that are not charts, mounted: Confirm the best says why it cannot be
 * pressed yet (runs not ended, a cell without a completed trial) and, once pressed, links the
 * confirmation; the best configurations; the importance with its method, what it rests on, or why
 * there is none.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { ExperimentDetails, Run } from '../../src-main/api/contract.ts';
import SweepBestTable from '../../src-renderer/components/SweepBestTable.vue';
import SweepConfirm from '../../src-renderer/components/SweepConfirm.vue';
import SweepImportance from '../../src-renderer/components/SweepImportance.vue';
import { provideLabClient } from '../../src-renderer/stores/lab-client.ts';
import { useRunsStore } from '../../src-renderer/stores/runs.ts';
import { fixtureReport } from '../sweep-report-fixture.ts';
import { fakeClient, makeRun, type FakeClient } from './fake-client.ts';

function setup(client: FakeClient = fakeClient()) {
  const pinia = createPinia();
  setActivePinia(pinia);
  provideLabClient(client);
  return { pinia, client };
}

const runsOf = (statuses: Run['status'][]): Run[] => statuses.map((status, i) => makeRun({ id: 100 + i, experimentId: 7, status }));

describe('Confirm the best', () => {
  it('says why it waits while a run of the sweep has not ended, and that the sweep gives no verdict', () => {
    const { pinia } = setup();
    const w = mount(SweepConfirm, { props: { report: fixtureReport(), runs: runsOf(['completed', 'running', 'waiting', 'stopped']) }, global: { plugins: [pinia] } });
    const button = w.find('[data-testid="confirm-sweep"]');
    expect(button.attributes('disabled')).toBeDefined();
    expect(w.text()).toContain('2 runs of the sweep have not ended yet');
    expect(w.text()).toContain('The sweep itself gives no verdict between the cells');
  });

  it('says which cell has no completed trial', () => {
    const { pinia } = setup();
    const report = fixtureReport();
    report.cells[1].best = null;
    const w = mount(SweepConfirm, { props: { report, runs: runsOf(['completed', 'stopped']) }, global: { plugins: [pinia] } });
    expect(w.find('[data-testid="confirm-sweep"]').attributes('disabled')).toBeDefined();
    expect(w.text()).toContain('No completed trial yet for lstm');
  });

  it('once every run has ended, makes the confirmation and links it with its runs\' progress', async () => {
    const confirmRuns = [makeRun({ id: 500, experimentId: 9, status: 'completed' }), makeRun({ id: 501, experimentId: 9, status: 'running' })];
    const details = { experiment: { id: 9, name: 'confirm', corpusId: 1, spec: {}, createdAt: 0 }, spec: {}, runs: confirmRuns } as unknown as ExperimentDetails;
    let confirmed = false;
    const { pinia, client } = setup(fakeClient({
      confirmSweep: async () => { confirmed = true; return details; },
      sweepReport: async () => fixtureReport({ confirm: confirmed ? { experimentId: 9 } : null }),
      runExperiment: async () => ({ queued: [501] }),
      listExperiments: async () => [],
      getExperiment: async () => details,
      getRunData: async ({ id }) => ({ run: confirmRuns.find((r) => r.id === id)!, metrics: [], evals: [], samples: [] }),
    }));
    const w = mount(SweepConfirm, { props: { report: fixtureReport(), runs: runsOf(['completed', 'stopped', 'failed']) }, global: { plugins: [pinia] } });
    const button = w.find('[data-testid="confirm-sweep"]');
    expect(button.attributes('disabled')).toBeUndefined();
    await button.trigger('click');
    await flushPromises();
    expect(client.confirmSweep).toHaveBeenCalledWith({ experimentId: 7 });
    await w.setProps({ report: fixtureReport({ confirm: { experimentId: 9 } }) });
    expect(w.find('[data-testid="confirm-link"]').text()).toContain('The confirmation: experiment #9, 1 of 2 runs ended.');
    expect(useRunsStore().runsOfExperiment(9)).toHaveLength(2);
    expect(w.find('.seed-summary').exists()).toBe(true);
  });
});

describe('best configurations and importance', () => {
  it('list each cell\'s best settings and loss, or that it has none yet', () => {
    const { pinia } = setup();
    const report = fixtureReport();
    report.cells[2].best = null;
    const w = mount(SweepBestTable, { props: { report }, global: { plugins: [pinia] } });
    const rnn = w.find('tr[data-cell="rnn"]').text();
    const best = report.cells[0].best!;
    expect(rnn).toContain(best.valLoss.toFixed(3));
    expect(rnn).toContain(`#${best.runId}, trial ${best.trial}, seed 1`);
    expect(rnn).toContain(String(best.values.optimizer));
    expect(w.find('tr[data-cell="gru"]').text()).toContain('no completed trial yet');
  });

  it('name the method and what it rests on, bars as wide as the shares, or why there is none', () => {
    const { pinia } = setup();
    const report = fixtureReport();
    const settings = report.sweep.ranges.map((r) => r.name);
    const w = mount(SweepImportance, { props: { cell: report.cells[0], index: 0, settings }, global: { plugins: [pinia] } });
    expect(w.find('.method').text()).toBe('By functional ANOVA of a random forest (Hutter et al. 2014), fitted to the final validation losses of 5 runs that completed.');
    const widths = w.findAll('.bar').map((b) => Number(/width: ([\d.]+)%/.exec(b.attributes('style') ?? '')?.[1]));
    expect(widths).toEqual([60, 25, 5, expect.closeTo(10, 9)]);
    const none = mount(SweepImportance, { props: { cell: report.cells[2], index: 2, settings }, global: { plugins: [pinia] } });
    expect(none.text()).toContain('Not enough finished trials yet to estimate it.');
  });
});
