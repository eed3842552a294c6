// @vitest-environment happy-dom
/**
 * The address and the stores in step, against the fake client: a reload opens what the address
 * names, a stale id leaves the screen empty with a notice (never an error), moves write history
 * entries or update the current one, and Back opens the previous place.
 */
import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExperimentDetails, ExperimentSummary, Run } from '../../src-main/api/contract.ts';
import { useExperimentsStore } from '../../src-renderer/stores/experiments.ts';
import { useInsideStore } from '../../src-renderer/stores/inside.ts';
import { startLab } from '../../src-renderer/stores/lab.ts';
import { useUiStore } from '../../src-renderer/stores/ui.ts';
import { fakeClient, makeRun, type FakeClient } from './fake-client.ts';

const summary = (id: number, createdAt: number): ExperimentSummary => ({ id, name: `exp ${id}`, corpusId: 1, spec: {}, createdAt, corpusName: 'c', runs: 2, runCounts: {} as ExperimentSummary['runCounts'] });
const RUNS: Record<number, Run[]> = {
  1: [makeRun({ id: 10, experimentId: 1, cell: 'rnn', status: 'completed', step: 100, steps: 100 }), makeRun({ id: 11, experimentId: 1, cell: 'lstm', status: 'completed', step: 100, steps: 100 })],
  2: [makeRun({ id: 20, experimentId: 2, cell: 'rnn', status: 'completed', step: 100, steps: 100 })],
};

function client(): FakeClient {
  return fakeClient({
    listCorpora: async () => [],
    listTasks: async () => [],
    listExperiments: async () => [summary(1, 1), summary(2, 2)],
    listModels: async () => [],
    getExperiment: async ({ id }): Promise<ExperimentDetails> => {
      if (!RUNS[id]) throw new Error(`no experiment ${id}`);
      return { experiment: { id, name: `exp ${id}`, corpusId: 1, spec: {}, createdAt: id }, spec: { cells: ['rnn'] } as never, runs: RUNS[id] };
    },
    getRunData: async ({ id }) => ({ run: Object.values(RUNS).flat().find((r) => r.id === id)!, metrics: [], evals: [], samples: [] }),
    compareRuns: async ({ ids }) => ({ runs: [], differences: ids.length ? [] : [] }),
    getBaselines: async () => {
      throw new Error('no baselines here');
    },
  });
}

let stop: (() => void) | null = null;

async function open(hash: string): Promise<FakeClient> {
  history.replaceState(null, '', `/${hash}`);
  const c = client();
  stop = await startLab(c);
  await flushPromises();
  return c;
}

beforeEach(() => {
  setActivePinia(createPinia());
});
afterEach(() => {
  stop?.();
  stop = null;
});

describe('a reload', () => {
  it('opens the screen and experiment the address names, not the newest', async () => {
    await open('#/experiment/1');
    expect(useUiStore().screen).toBe('experiment');
    expect(useExperimentsStore().current?.experiment.id).toBe(1);
    expect(location.hash).toBe('#/experiment/1');
  });

  it('opens the compared runs', async () => {
    await open('#/compare?runs=20,10');
    expect(useUiStore().screen).toBe('compare');
    expect(useUiStore().compareRunIds).toEqual([20, 10]);
    expect(useUiStore().addressNotice).toBeNull();
  });

  it('opens Inside the cells on the experiment, view, runs and checkpoint it names', async () => {
    await open('#/inside/1?view=losses&runs=11&checkpoint=last');
    const inside = useInsideStore();
    expect([inside.experimentId, inside.section, inside.checkpoint, inside.lossRunIds]).toEqual([1, 'losses', 'last', [11]]);
    expect(location.hash).toBe('#/inside/1?view=losses&runs=11&checkpoint=last');
  });

  it('with no screen in the address opens the newest experiment and writes it down', async () => {
    await open('');
    expect(useExperimentsStore().current?.experiment.id).toBe(2);
    expect(location.hash).toBe('#/experiment/2');
  });
});

describe('an address naming what is gone', () => {
  it('shows the Experiment screen empty, with a notice and no error', async () => {
    const c = await open('#/experiment/999');
    const ui = useUiStore();
    expect(ui.screen).toBe('experiment');
    expect(useExperimentsStore().current).toBeNull();
    expect(ui.selectedExperimentId).toBeNull();
    expect(ui.addressNotice).toBe('The address names experiment #999, which is not in this lab (it may have been deleted). Choose an experiment above.');
    expect(ui.toasts).toEqual([]);
    expect(c.getExperiment).not.toHaveBeenCalledWith({ id: 999 });
    // the list was asked again before saying so: another window may have made it
    expect(c.listExperiments).toHaveBeenCalledTimes(2);
    expect(location.hash).toBe('#/experiment');
  });

  it('compares the runs that are still there and names the others', async () => {
    await open('#/compare?runs=10,404,20');
    const ui = useUiStore();
    expect(ui.compareRunIds).toEqual([10, 20]);
    expect(ui.addressNotice).toBe('The address names run #404, not in this lab (deleted with an experiment?); the others are compared.');
    expect(ui.toasts).toEqual([]);
    expect(location.hash).toBe('#/compare?runs=10,20');
  });

  it('leaves Inside the cells on no experiment, and Generate on no model', async () => {
    await open('#/inside/77');
    expect(useInsideStore().experimentId).toBeNull();
    expect(useUiStore().addressNotice).toMatch(/^The address names experiment #77, which is not in this lab/);
    stop?.();
    setActivePinia(createPinia());
    await open('#/generate?model=5');
    expect(useUiStore().generateModelId).toBeNull();
    expect(useUiStore().addressNotice).toMatch(/^The address names imported model #5, which is not in this lab/);
    expect(useUiStore().toasts).toEqual([]);
  });
});

describe('moving around', () => {
  it('adds a history entry for another screen and updates it in place for runs ticked', async () => {
    await open('#/experiment/1');
    const ui = useUiStore();
    const before = history.length;
    ui.show('compare');
    await flushPromises();
    expect(location.hash).toBe('#/compare');
    expect(history.length).toBe(before + 1);
    ui.toggleCompare(10, true);
    ui.toggleCompare(11, true);
    await flushPromises();
    expect(location.hash).toBe('#/compare?runs=10,11');
    expect(history.length).toBe(before + 1);
  });

  it('keeps the path and query, so no token comes back into the address', async () => {
    history.replaceState(null, '', '/index.html?lang=en');
    const c = client();
    stop = await startLab(c);
    useUiStore().show('compare');
    await flushPromises();
    expect(location.pathname + location.search + location.hash).toBe('/index.html?lang=en#/compare');
  });

  it('Back opens the previous place, and the notice of a stale address goes with a new place', async () => {
    await open('#/experiment/999');
    const ui = useUiStore();
    expect(ui.addressNotice).not.toBeNull();
    await useExperimentsStore().open(1);
    ui.show('compare');
    await flushPromises();
    expect(ui.addressNotice).toBeNull();
    expect(location.hash).toBe('#/compare');
    history.back();
    await new Promise((r) => setTimeout(r, 20));
    await flushPromises();
    expect(ui.screen).toBe('experiment');
    expect(location.hash).toBe('#/experiment/1');
    expect(useExperimentsStore().current?.experiment.id).toBe(1);
  });

  it('opens what a hash typed by hand names', async () => {
    await open('#/experiment/1');
    location.hash = '#/experiment/2';
    await new Promise((r) => setTimeout(r, 20));
    await flushPromises();
    expect(useExperimentsStore().current?.experiment.id).toBe(2);
    expect(useUiStore().selectedExperimentId).toBe(2);
  });
});
