// @vitest-environment happy-dom
// The Experiment screen's part in run states: what Start says it does, the note on waiting runs,
// duplicates and pauses explained, and the picker's run counts kept current by run events.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { ExperimentDetails, ExperimentSummary, Run, RunStatus } from '../../src-main/api/contract.ts';
import TheExperimentScreen from '../../src-renderer/components/TheExperimentScreen.vue';
import { useExperimentsStore } from '../../src-renderer/stores/experiments.ts';
import { provideLabClient } from '../../src-renderer/stores/lab-client.ts';
import { useRunsStore } from '../../src-renderer/stores/runs.ts';
import { useUiStore } from '../../src-renderer/stores/ui.ts';
import { fakeClient, makeRun, type FakeClient } from './fake-client.ts';

const SPEC = { cells: ['lstm'], seeds: 3, budget: { mode: 'hidden', hidden: 8 }, model: {}, train: {}, overrides: {}, cadence: {} };

function details(runs: Run[]): ExperimentDetails {
  return { experiment: { id: 1, name: 'queue test', corpusId: 1, spec: SPEC, createdAt: 0 }, spec: SPEC as never, runs };
}

/** the summary the lab would list for these runs */
function summary(runs: Run[]): ExperimentSummary {
  const runCounts = Object.fromEntries(['not-started', 'waiting', 'running', 'paused', 'completed', 'failed', 'cancelled', 'interrupted'].map((s) => [s, runs.filter((r) => r.status === s).length])) as Record<RunStatus, number>;
  return { id: 1, name: 'queue test', corpusId: 1, spec: SPEC, createdAt: 0, corpusName: 'c', runs: runs.length, runCounts };
}

async function open(runs: Run[], lab: { runs: Run[] } = { runs }): Promise<{ wrapper: ReturnType<typeof mount>; client: FakeClient }> {
  setActivePinia(createPinia());
  const client = fakeClient({
    listExperiments: async () => [summary(lab.runs)],
    runExperiment: async () => ({ queued: runs.map((r) => r.id) }),
  });
  provideLabClient(client);
  const experiments = useExperimentsStore();
  await experiments.load();
  experiments.current = details(runs);
  for (const r of runs) useRunsStore().upsertRun(r);
  const wrapper = mount(TheExperimentScreen, { global: { stubs: { RunCharts: true, SeedSummary: true, SampleBoard: true } } });
  await flushPromises();
  return { wrapper, client };
}

const startButton = (w: ReturnType<typeof mount>) => w.find('button.start');

describe('the Experiment screen and run states', () => {
  it('says Start when nothing has started, and what it queues once some runs have', async () => {
    const first = await open([1, 2, 3].map((id) => makeRun({ id })));
    expect(startButton(first.wrapper).text()).toBe('Start');
    await startButton(first.wrapper).trigger('click');
    expect(first.client.runExperiment).toHaveBeenCalledWith({ id: 1 });

    const some = await open([makeRun({ id: 1, status: 'completed' }), makeRun({ id: 2 }), makeRun({ id: 3 }), makeRun({ id: 4, status: 'paused', step: 40 })]);
    expect(startButton(some.wrapper).text()).toBe('Start 2, resume 1');
    const one = await open([makeRun({ id: 1, status: 'running' }), makeRun({ id: 2 })]);
    expect(startButton(one.wrapper).text()).toBe('Start the run not started');
    const stopped = await open([makeRun({ id: 1, status: 'interrupted', step: 5 }), makeRun({ id: 2, status: 'paused', step: 5 })]);
    expect(startButton(stopped.wrapper).text()).toBe('Resume the 2 stopped runs');
  });

  it('offers no Start while the rest wait their turn, and says they start by themselves', async () => {
    const { wrapper } = await open([
      makeRun({ id: 1, status: 'running' }), makeRun({ id: 2, status: 'running' }),
      makeRun({ id: 3, status: 'waiting', queue: { position: 1, threads: 1 } }), makeRun({ id: 4, status: 'waiting', queue: { position: 2, threads: 1 } }),
    ]);
    expect(startButton(wrapper).exists()).toBe(false);
    expect(wrapper.find('.waiting-note').text()).toBe('2 runs wait in the queue for free worker threads; each starts by itself when its turn comes.');
  });

  it('keeps the picker\'s run counts current as runs are added and change state', async () => {
    const runs = [makeRun({ id: 1 }), makeRun({ id: 2 })];
    const lab = { runs: [...runs] };
    const { wrapper, client } = await open(runs, lab);
    const option = () => wrapper.find('select[aria-label="Experiment"] option[value="1"]').text();
    expect(option()).toBe('queue test (2 runs)');

    lab.runs = [makeRun({ id: 1, status: 'running' }), makeRun({ id: 2, status: 'waiting', queue: { position: 1, threads: 1 } })];
    for (const r of lab.runs) useRunsStore().handleEvent({ type: 'run', run: r });
    await flushPromises();
    expect(option()).toBe('queue test (2 runs, 1 running, 1 waiting)');

    // a duplicate made elsewhere (another window) is a run this window has not seen
    lab.runs = [...lab.runs, makeRun({ id: 3, copy: 1 })];
    useRunsStore().handleEvent({ type: 'run', run: lab.runs[2] });
    await flushPromises();
    expect(option()).toBe('queue test (3 runs, 1 running, 1 waiting)');
    // a run event that changes no state (a waiting run moving up) asks nothing
    const asked = client.listExperiments.mock.calls.length;
    useRunsStore().handleEvent({ type: 'run', run: { ...lab.runs[1], queue: { position: 1, threads: 1 } } });
    await flushPromises();
    expect(client.listExperiments.mock.calls.length).toBe(asked);
  });

  it('turns a resumed run\'s row to waiting at once, from the answer, before any event', async () => {
    setActivePinia(createPinia());
    provideLabClient(fakeClient({ resumeRun: async ({ id }) => makeRun({ id, status: 'waiting', step: 40, queue: { position: 2, threads: 1 } }) }));
    const runs = useRunsStore();
    runs.upsertRun(makeRun({ id: 4, status: 'paused', step: 40 }));
    await runs.runAction(4, 'resume');
    expect(runs.runs[4]).toMatchObject({ status: 'waiting', queue: { position: 2, threads: 1 } });
  });

  it('tells where a duplicate stands and that a paused waiting run left the queue', async () => {
    setActivePinia(createPinia());
    const client = fakeClient({
      duplicateRun: async () => makeRun({ id: 9, status: 'waiting', seed: 2, copy: 1, queue: { position: 3, threads: 1 } }),
      pauseRun: async ({ id }) => makeRun({ id, status: 'paused' }),
    });
    provideLabClient(client);
    const runs = useRunsStore();
    runs.upsertRun(makeRun({ id: 4, status: 'waiting', seed: 2, queue: { position: 1, threads: 1 } }));
    await runs.runAction(4, 'duplicate');
    await runs.runAction(4, 'pause');
    expect(useUiStore().toasts.map((t) => t.text)).toEqual([
      'Run 9 (lstm s2 (copy 1)), a copy of run 4, waits in the queue: 3rd in line.',
      'Run 4 left the queue; Resume puts it back in line.',
    ]);
  });
});
