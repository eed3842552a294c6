// @vitest-environment happy-dom
/**
 * The sweeps store: a report is fetched, fetched again when one of its sweep's runs changes state
 * (not on every progress event), one request at a time with one more after it; Confirm the best
 * creates the confirmation, queues it and loads its runs for the summary over seeds.
 */
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExperimentDetails, SweepReport } from '../../src-main/api/contract.ts';
import { provideLabClient } from '../../src-renderer/stores/lab-client.ts';
import { useRunsStore } from '../../src-renderer/stores/runs.ts';
import { useSweepsStore } from '../../src-renderer/stores/sweeps.ts';
import { fixtureReport } from '../sweep-report-fixture.ts';
import { fakeClient, makeRun } from './fake-client.ts';

beforeEach(() => setActivePinia(createPinia()));

/** a promise and the function that settles it */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('sweeps store', () => {
  it('fetches again when a run of the sweep changes state, not when it only reports progress', async () => {
    const client = fakeClient({ sweepReport: async () => fixtureReport() });
    provideLabClient(client);
    const sweeps = useSweepsStore();
    const runs = useRunsStore();
    runs.upsertRun(makeRun({ id: 107, experimentId: 7, status: 'running' }));
    await sweeps.refresh(7);
    expect(sweeps.reports[7].cells).toHaveLength(3);
    expect(client.sweepReport).toHaveBeenCalledWith({ experimentId: 7 });
    runs.handleEvent({ type: 'run', run: makeRun({ id: 107, experimentId: 7, status: 'running', step: 40 }) });
    expect(client.sweepReport).toHaveBeenCalledTimes(1);
    runs.handleEvent({ type: 'run', run: makeRun({ id: 107, experimentId: 7, status: 'completed', step: 200 }) });
    expect(client.sweepReport).toHaveBeenCalledTimes(2);
    // another experiment's runs are none of its business
    runs.handleEvent({ type: 'run', run: makeRun({ id: 300, experimentId: 8, status: 'completed' }) });
    expect(client.sweepReport).toHaveBeenCalledTimes(2);
  });

  it('asks once at a time, and once more after it when asked meanwhile, ending with the latest answer', async () => {
    const answers = [deferred<SweepReport>(), deferred<SweepReport>()];
    let calls = 0;
    const client = fakeClient({ sweepReport: () => answers[calls++].promise });
    provideLabClient(client);
    const sweeps = useSweepsStore();
    const first = sweeps.refresh(7);
    void sweeps.refresh(7);
    void sweeps.refresh(7);
    expect(calls).toBe(1);
    answers[0].resolve(fixtureReport({ confirm: null }));
    await first;
    expect(calls).toBe(2);
    answers[1].resolve(fixtureReport({ experimentId: 7, trials: [] }));
    await answers[1].promise;
    await new Promise((r) => setTimeout(r, 0));
    expect(sweeps.reports[7].trials).toEqual([]);
  });

  it('keeps what went wrong for the panel to say', async () => {
    provideLabClient(fakeClient({ sweepReport: async () => { throw new Error('experiment 7 is not a sweep'); } }));
    const sweeps = useSweepsStore();
    await sweeps.refresh(7);
    expect(sweeps.problems[7]).toBe('experiment 7 is not a sweep');
    expect(sweeps.reports[7]).toBeUndefined();
  });

  it('confirms: creates the confirmation, queues it, and loads its runs', async () => {
    const confirmRuns = [makeRun({ id: 500, experimentId: 9, cell: 'rnn', seed: 4 }), makeRun({ id: 501, experimentId: 9, cell: 'lstm', seed: 4 })];
    const details = { experiment: { id: 9, name: 'confirm', corpusId: 1, spec: {}, createdAt: 0 }, spec: {}, runs: confirmRuns } as unknown as ExperimentDetails;
    let confirmed = false;
    const client = fakeClient({
      confirmSweep: async () => {
        confirmed = true;
        return details;
      },
      sweepReport: async () => fixtureReport({ confirm: confirmed ? { experimentId: 9 } : null }),
      runExperiment: async () => ({ queued: [500, 501] }),
      listExperiments: async () => [],
      getExperiment: async () => details,
      getRunData: async ({ id }) => ({ run: confirmRuns.find((r) => r.id === id)!, metrics: [], evals: [], samples: [] }),
    });
    provideLabClient(client);
    const sweeps = useSweepsStore();
    await sweeps.refresh(7);
    expect(sweeps.reports[7].confirm).toBeNull();
    expect(await sweeps.confirm(7)).toBe(9);
    expect(client.confirmSweep).toHaveBeenCalledWith({ experimentId: 7 });
    expect(client.runExperiment).toHaveBeenCalledWith({ id: 9 });
    expect(sweeps.reports[7].confirm).toEqual({ experimentId: 9 });
    expect(client.getRunData).toHaveBeenCalledTimes(2);
    expect(useRunsStore().runsOfExperiment(9).map((r) => r.id)).toEqual([500, 501]);
    expect(sweeps.confirming[7]).toBe(false);
  });
});
