// @vitest-environment happy-dom
/** The Inside the cells screen against the fake client: what it asks the lab, and what it shows. */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { ExperimentDetails, LabClient, MethodName, Run } from '../../src-main/api/contract.ts';
import { LabApiError } from '../../src-renderer/api/client.ts';
import TheInsideScreen from '../../src-renderer/components/TheInsideScreen.vue';
import { heatColor, lossScale } from '../../src-renderer/composables/heat-colors.ts';
import { lossPerChar } from '../../src-renderer/composables/passage.ts';
import { useExperimentsStore } from '../../src-renderer/stores/experiments.ts';
import { useInsideStore, type InsideSection } from '../../src-renderer/stores/inside.ts';
import { provideLabClient } from '../../src-renderer/stores/lab-client.ts';
import { useUiStore } from '../../src-renderer/stores/ui.ts';
import { baselinesReport, cellInspection, characterLossReport, fakeClient, gradientFlowReport, makeRun, metricRow } from './fake-client.ts';

// the LSTM's second seed was cancelled early: its "best" checkpoint is the lowest loss of 50 steps
const RUNS: Run[] = [
  makeRun({ id: 11, cell: 'rnn', seed: 1, status: 'completed', step: 500, steps: 500, bestValLoss: 1.8, config: { train: { clip: 1 } } }),
  makeRun({ id: 12, cell: 'lstm', seed: 1, status: 'completed', step: 500, steps: 500, bestValLoss: 1.5, config: { train: { clip: 1 } } }),
  makeRun({ id: 13, cell: 'lstm', seed: 2, status: 'cancelled', step: 50, steps: 500, bestValLoss: 1.2, config: { train: { clip: 0 } } }),
];
/** every run ticked in the gradient flow's picker, as a user may */
const ALL = RUNS.map((r) => r.id);

function details(runs: Run[]): ExperimentDetails {
  return {
    experiment: { id: 1, name: 'demo', corpusId: 4, spec: {} as ExperimentDetails['spec'], createdAt: 0 },
    spec: {} as ExperimentDetails['spec'],
    runs,
  };
}

type Overrides = Partial<{ [M in MethodName]: LabClient[M] }>;

async function setup(section: InsideSection, overrides: Overrides = {}, runs: Run[] = RUNS, flowRunIds: number[] = []) {
  const pinia = createPinia();
  setActivePinia(pinia);
  const client = fakeClient({
    getExperiment: async () => details(runs),
    getBaselines: async ({ corpusId }) => baselinesReport(corpusId),
    getRunData: async ({ id }) => ({ run: runs.find((r) => r.id === id)!, metrics: [1, 2, 3, 4].map((s) => ({ ...metricRow(s), gradNorm: s, clipped: s > 2 })), evals: [], samples: [] }),
    gradientFlow: async ({ runId, checkpoint }) => gradientFlowReport({ runId, checkpoint: checkpoint ?? 'best', cell: runs.find((r) => r.id === runId)!.cell as 'lstm', c: null }),
    ...overrides,
  });
  provideLabClient(client);
  const experiments = useExperimentsStore();
  experiments.experiments = [{ id: 1, name: 'demo', runs: runs.length } as (typeof experiments.experiments)[number]];
  experiments.loaded = true;
  useUiStore().selectedExperimentId = 1;
  useInsideStore().section = section;
  useInsideStore().flowRunIds = flowRunIds;
  const wrapper = mount(TheInsideScreen, { global: { plugins: [pinia] }, attachTo: document.body });
  await flushPromises();
  return { wrapper, client };
}

describe('Inside the cells: gradient flow', () => {
  it("starts on each cell's best completed run, and marks the run that stopped early", async () => {
    const { wrapper, client } = await setup('flow');
    expect(client.gradientFlow.mock.calls.map(([req]) => req.runId)).toEqual([11, 12]);
    const cancelled = wrapper.find('.run-picker [data-run="13"]');
    expect(cancelled.text()).toBe('LSTM s2 (#13) · cancelled at step 50 of 500');
    expect(cancelled.classes()).toContain('stopped');
    expect((cancelled.find('input').element as HTMLInputElement).checked).toBe(false);
    expect(wrapper.find('.run-picker [data-run="12"]').text()).toBe('LSTM s1 (#12)');
    wrapper.unmount();
  });

  it('measures every chosen run at the chosen checkpoint and lists what it measured', async () => {
    const { wrapper, client } = await setup('flow', {}, RUNS, ALL);
    expect(client.gradientFlow.mock.calls.map(([req]) => req)).toEqual([
      { runId: 11, checkpoint: 'best' }, { runId: 12, checkpoint: 'best' }, { runId: 13, checkpoint: 'best' },
    ]);
    expect(wrapper.findAll('.flow-table tbody tr').map((tr) => tr.attributes('data-run'))).toEqual(['11', '12', '13']);
    // 0.9^10 of the lag-0 gradient is left at lag 10
    expect(wrapper.find('.flow-table tbody tr').text()).toContain(`${(0.9 ** 10 * 100).toFixed(1)}%`);
    expect(wrapper.find('.lag-chart').exists()).toBe(true);
    expect(wrapper.text()).toContain('training changes them');

    await wrapper.find('[data-testid="inside-checkpoint"]').setValue('last');
    await flushPromises();
    expect(client.gradientFlow).toHaveBeenLastCalledWith({ runId: 13, checkpoint: 'last' });
    wrapper.unmount();
  });

  it('measures over the window the user sets, and explains a window it cannot use', async () => {
    const { wrapper, client } = await setup('flow', {}, RUNS, ALL);
    const box = wrapper.find('[data-testid="flow-window"]');
    await box.setValue('500');
    await box.trigger('change');
    await flushPromises();
    expect(wrapper.find('[role="alert"]').text()).toContain('A window of 1 to 400 steps');
    expect(client.gradientFlow).toHaveBeenCalledTimes(3);
    await box.setValue('24');
    await box.trigger('change');
    await flushPromises();
    expect(client.gradientFlow.mock.calls.slice(3).map(([req]) => req)).toEqual([
      { runId: 11, checkpoint: 'best', window: 24 }, { runId: 12, checkpoint: 'best', window: 24 }, { runId: 13, checkpoint: 'best', window: 24 },
    ]);
    // back to each run's own length: measured before, so asked for nothing
    await box.setValue('');
    await box.trigger('change');
    await flushPromises();
    expect(client.gradientFlow).toHaveBeenCalledTimes(6);
    wrapper.unmount();
  });

  it('shows the clipped steps and the threshold of each run, and none where the run does not clip', async () => {
    const { wrapper } = await setup('flow', {}, RUNS, ALL);
    const figs = wrapper.findAll('.grad-history');
    expect(figs).toHaveLength(3);
    expect(figs[0].attributes('data-clipped')).toBe('2');
    expect(figs[0].text()).toContain('Clipped at 2 of 4 logged steps (50.0%); threshold 1.');
    expect(figs[2].text()).toContain('No clipping');
    wrapper.unmount();
  });

  it('measures only the runs the user keeps, and shows the lab\'s message for a run it cannot measure', async () => {
    const { wrapper, client } = await setup('flow', {
      gradientFlow: async ({ runId }) => {
        if (runId === 12) throw new LabApiError('bad-state', 'run 12 has no best checkpoint yet');
        return gradientFlowReport({ runId });
      },
    }, RUNS, ALL);
    expect(wrapper.find('[role="alert"]').text()).toBe('LSTM s1 (#12): run 12 has no best checkpoint yet');
    await wrapper.find('.run-picker [data-run="13"] input').setValue(false);
    await flushPromises();
    expect(wrapper.findAll('.flow-table tbody tr').map((tr) => tr.attributes('data-run'))).toEqual(['11']);
    expect(client.gradientFlow).toHaveBeenCalledTimes(3);
    wrapper.unmount();
  });
});

describe('Inside the cells: gates and memory', () => {
  const PASSAGE = 'say "hi" (now)\nok';

  it('reads the passage with a gated run and colours each character by the chosen unit', async () => {
    const { wrapper, client } = await setup('gates', { inspectCells: async ({ runId }) => cellInspection(PASSAGE, { runId }) });
    // the LSTM, not the plain RNN, is the default; the default passage is the validation text's start
    expect(client.inspectCells).toHaveBeenCalledWith({ runId: 12, checkpoint: 'best', start: 0, length: 400 });
    const spans = () => wrapper.findAll('[data-testid="gates-passage"] .heatmap > span');
    expect(spans()).toHaveLength(Array.from(PASSAGE).length);
    // it starts on the unit most correlated with a text feature: h unit 2, (t + 2) / 100 at step t, on the tanh scale
    expect((wrapper.find('[data-testid="gates-unit"]').element as HTMLInputElement).value).toBe('2');
    const scale = { kind: 'diverging' as const, min: -1, max: 1 };
    expect(spans()[5].attributes('style')).toContain(`background: ${heatColor(scale, 0.07)!.background}`);

    // a gate is drawn on the sigmoid scale
    await wrapper.find('[data-testid="gates-what"]').setValue('1');
    expect(wrapper.find('.heat-legend').attributes('aria-label')).toContain('forget gate (f): colour scale from 0 to 1');
    // choosing a correlated unit shows it
    await wrapper.find('[data-feature="inQuotes"] button').trigger('click');
    expect((wrapper.find('[data-testid="gates-unit"]').element as HTMLInputElement).value).toBe('1');
    expect((wrapper.find('[data-testid="gates-what"]').element as HTMLSelectElement).value).toBe('c');
    expect(wrapper.find('[data-feature="inQuotes"] button').attributes('aria-pressed')).toBe('true');
    // saturation: one histogram per gate, with its fractions
    expect(wrapper.findAll('.saturation')).toHaveLength(2);
    expect(wrapper.find('[data-gate="f"]').text()).toContain('above 0.9: 60.0%');
    wrapper.unmount();
  });

  it('shows the lab\'s message when the passage cannot be read', async () => {
    const { wrapper } = await setup('gates', { inspectCells: async () => { throw new LabApiError('bad-request', 'the character "€" is not in the vocabulary'); } });
    expect(wrapper.find('[role="alert"]').text()).toBe('the character "€" is not in the vocabulary');
    wrapper.unmount();
  });

  it('says so when the lab\'s trace does not fit the passage', async () => {
    const bad = cellInspection(PASSAGE);
    const { wrapper } = await setup('gates', { inspectCells: async ({ runId }) => ({ ...bad, runId, passage: `${PASSAGE}xyz` }) });
    expect(wrapper.find('[role="alert"]').text()).toContain('does not fit the passage');
    wrapper.unmount();
  });
});

describe('Inside the cells: loss where it happens', () => {
  it('scores the passage with one run per cell and colours character i + 1 by nll[i], on one scale', async () => {
    const passage = 'the cat';
    const { wrapper, client } = await setup('losses', {
      characterLosses: async ({ runIds }) => characterLossReport(passage, runIds.map((runId, k) => ({ runId, cell: 'lstm', nll: Array.from({ length: 6 }, (_, i) => (i + 1) * (k + 1) * 0.3) }))),
    });
    expect(client.characterLosses).toHaveBeenCalledWith({ runIds: [11, 12], checkpoint: 'best', topK: 5, start: 0, length: 400 });
    const rows = wrapper.findAll('.run-row');
    expect(rows.map((r) => r.attributes('data-run'))).toEqual(['11', '12']);
    const report = characterLossReport(passage, [{ runId: 11, cell: 'rnn', nll: [0.3, 0.6, 0.9, 1.2, 1.5, 1.8] }, { runId: 12, cell: 'lstm', nll: [0.6, 1.2, 1.8, 2.4, 3, 3.6] }]);
    const scale = lossScale(report.runs.map((r) => lossPerChar(7, r.nll)));
    const spans = rows[1].findAll('.heatmap > span');
    expect(spans[0].attributes('style')).toBeUndefined();
    expect(spans[1].attributes('style')).toContain(`background: ${heatColor(scale, 0.6)!.background}`);
    expect(rows[1].find('[data-testid="passage-mean-loss"]').text()).toContain('2.100');
    expect(wrapper.find('[data-testid="baselines"]').text()).toContain('a 5-gram model 1.900');

    // hovering a character shows the run's guesses and the actual character's loss
    await spans[2].trigger('mouseover');
    const tip = rows[1].find('.tip');
    expect(tip.text()).toContain('actual e: loss 1.200 nats (p = 0.301)');
    expect(tip.findAll('.guesses tr')).toHaveLength(3);
    // and so does the keyboard
    await rows[0].find('.heatmap').trigger('focus');
    await rows[0].find('.heatmap').trigger('keydown', { key: 'ArrowRight' });
    expect(rows[0].find('.tip').text()).toContain('actual h: loss 0.300 nats');
    wrapper.unmount();
  });

  it('draws a long passage a page at a time', async () => {
    const passage = 'abcde'.repeat(500);
    const { wrapper } = await setup('losses', { characterLosses: async ({ runIds }) => characterLossReport(passage, runIds.map((runId) => ({ runId, cell: 'lstm' }))) });
    const row = () => wrapper.find('.run-row');
    expect(row().findAll('.heatmap > span')).toHaveLength(1000);
    expect(wrapper.text()).toContain('characters 1–1,000 of 2,500');
    await wrapper.findAll('.pager button')[1].trigger('click');
    expect(wrapper.text()).toContain('characters 1,001–2,000 of 2,500');
    expect(row().find('.heatmap > span').attributes('data-i')).toBe('1000');
    wrapper.unmount();
  });

  it('refuses an own text that is too long before asking the lab', async () => {
    const { wrapper, client } = await setup('losses', { characterLosses: async () => characterLossReport('ab', []) });
    const calls = client.characterLosses.mock.calls.length;
    await wrapper.find('input[value="own"]').setValue(true);
    await wrapper.find('textarea').setValue('x'.repeat(5001));
    expect(wrapper.find('.passage-picker').text()).toContain('At most 5,000 characters');
    expect(wrapper.find('.passage-picker button[type="submit"]').attributes('disabled')).toBeDefined();
    await wrapper.find('.passage-picker').trigger('submit');
    expect(client.characterLosses.mock.calls.length).toBe(calls);
    wrapper.unmount();
  });
});

describe('Inside the cells: nothing to look at', () => {
  it('says what to do when there is no experiment', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    provideLabClient(fakeClient());
    const experiments = useExperimentsStore();
    experiments.loaded = true;
    const wrapper = mount(TheInsideScreen, { global: { plugins: [pinia] } });
    expect(wrapper.text()).toContain('No experiment yet');
  });

  it('asks to train first when no run has a checkpoint', async () => {
    const { wrapper, client } = await setup('flow', {}, [makeRun({ id: 11, cell: 'rnn', step: 0 })]);
    expect(wrapper.text()).toContain('Nothing trained yet');
    expect(client.gradientFlow).not.toHaveBeenCalled();
    wrapper.unmount();
  });
});

describe('Inside the cells: the runs it starts on', () => {
  /** the inside store opened on experiment 1 as it is each time: the runs change between visits */
  function visits(...states: Run[][]) {
    setActivePinia(createPinia());
    let visit = 0;
    provideLabClient(fakeClient({ getExperiment: async () => details(states[Math.min(visit++, states.length - 1)]), getBaselines: async ({ corpusId }) => baselinesReport(corpusId) }));
    return useInsideStore();
  }
  const lstm = (id: number, seed: number, over: Partial<Run>) => makeRun({ id, cell: 'lstm', seed, steps: 500, ...over });

  it('moves a default to the run that completed since the last visit', async () => {
    const cancelled = lstm(13, 1, { status: 'cancelled', step: 50, bestValLoss: 1.2 });
    const inside = visits([cancelled, lstm(14, 2, { status: 'running', step: 20, bestValLoss: 2 })], [cancelled, lstm(14, 2, { status: 'completed', step: 500, bestValLoss: 1.4 })]);
    await inside.open(1);
    // nothing completed yet: the run that trained furthest
    expect([inside.flowRunIds, inside.gateRunId, inside.lossRunIds]).toEqual([[13], 13, [13]]);
    await inside.open(1);
    expect([inside.flowRunIds, inside.gateRunId, inside.lossRunIds]).toEqual([[14], 14, [14]]);
  });

  it("keeps the user's own choice from one visit to the next", async () => {
    const runs = [lstm(13, 1, { status: 'cancelled', step: 50, bestValLoss: 1.2 }), lstm(14, 2, { status: 'completed', step: 500, bestValLoss: 1.4 })];
    const inside = visits(runs);
    await inside.open(1);
    expect([inside.flowRunIds, inside.gateRunId]).toEqual([[14], 14]);
    inside.flowRunIds = [13, 14];
    inside.gateRunId = 13;
    await inside.open(1);
    expect([inside.flowRunIds, inside.gateRunId, inside.lossRunIds]).toEqual([[13, 14], 13, [14]]);
  });
});
