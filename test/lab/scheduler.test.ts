// The scheduler against an in-memory executor (no Piscina, no worker threads) and an in-memory
// database: who starts when, how many threads are busy, and what pause and cancel leave behind.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestLab, settled, type FakeExecutor, type TestLab } from './scheduler-fixture.ts';

let lab: TestLab;
let executor: FakeExecutor;
let control: TestLab['control'];
let scheduler: TestLab['scheduler'];
let experiments: TestLab['experiments'];
let records: TestLab['records'];
let store: TestLab['store'];
let corpusId: number;

function open(capacity: number): void {
  lab = openTestLab(capacity);
  ({ executor, control, scheduler, experiments, records, store, corpusId } = lab);
}

const experiment = (threads: number, seeds = 1) => lab.experiment(threads, seeds);
const status = (id: number): string => lab.status(id);
const startedIds = (): number[] => lab.startedIds();

afterEach(async () => {
  await scheduler.close({});
  store.close();
});

describe('Scheduler on two threads', () => {
  beforeEach(() => open(2));

  it('starts runs first come first served, and a finished run lets the next one start', async () => {
    const a = experiment(1, 2);
    const b = experiment(1, 2);
    control.runExperiment(b.id);
    control.runExperiment(a.id);
    expect(startedIds()).toEqual(b.runs);
    expect(b.runs.map(status)).toEqual(['running', 'running']);
    expect(a.runs.map(status)).toEqual(['waiting', 'waiting']);
    expect(a.runs.map((id) => lab.run(id).queue)).toEqual([{ position: 1, threads: 1 }, { position: 2, threads: 1 }]);
    expect(scheduler.busy).toEqual([...b.runs, ...a.runs]);

    // what the executor hears from a run is written to the run's rows
    executor.of(b.runs[1]).onEvent({ type: 'metrics', rows: [{ step: 10, charsSeen: 320, wallSeconds: 1, trainLoss: 2, gradNorm: 1, clipped: false, lr: 0.01, charsPerSecond: 320 }] });
    expect(records.run(b.runs[1])).toMatchObject({ step: 10, elapsed: 1 });
    executor.of(b.runs[1]).finish({ status: 'completed', step: 10 });
    await settled();
    expect(status(b.runs[1])).toBe('completed');
    expect(startedIds()).toEqual([...b.runs, a.runs[0]]);
    expect(lab.run(a.runs[1]).queue).toEqual({ position: 1, threads: 1 });
    executor.of(b.runs[0]).finish({ status: 'failed', step: 3, error: 'diverged at step 3' });
    await settled();
    expect(records.run(b.runs[0])).toMatchObject({ status: 'failed', error: 'diverged at step 3' });
    expect(startedIds()).toEqual([...b.runs, ...a.runs]);

    const idle = scheduler.whenIdle();
    for (const id of a.runs) executor.of(id).finish({ status: 'completed', step: 10 });
    await idle;
    expect(a.runs.map(status)).toEqual(['completed', 'completed']);
    expect(scheduler.busy).toEqual([]);
  });

  it('never takes more threads than it has, and a wide run at the head waits rather than being overtaken', async () => {
    const one = experiment(1);
    const two = experiment(2);
    const behind = experiment(1);
    for (const e of [one, two, behind]) control.runExperiment(e.id);
    expect(startedIds()).toEqual(one.runs);
    expect([two, behind].map((e) => status(e.runs[0]))).toEqual(['waiting', 'waiting']);
    // the wide run at the head waits for both threads; the one behind it, for its turn
    expect([two, behind].map((e) => lab.run(e.runs[0]).queue)).toEqual([{ position: 1, threads: 2 }, { position: 2, threads: 1 }]);

    executor.of(one.runs[0]).finish({ status: 'completed', step: 10 });
    await settled();
    expect(startedIds()).toEqual([...one.runs, ...two.runs]);
    executor.of(two.runs[0]).finish({ status: 'completed', step: 10 });
    await settled();
    expect(startedIds()).toEqual([...one.runs, ...two.runs, ...behind.runs]);
    executor.of(behind.runs[0]).finish({ status: 'completed', step: 10 });
    await scheduler.whenIdle();
    expect(executor.most).toBe(2);
  });

  it('pauses and cancels running runs through the executor, and waiting ones without starting them', async () => {
    const e = experiment(1, 4);
    const [running1, running2, waiting1, waiting2] = e.runs;
    control.runExperiment(e.id);
    expect(startedIds()).toEqual([running1, running2]);

    control.pauseRun(waiting1);
    control.cancelRun(waiting2);
    expect([status(waiting1), status(waiting2)]).toEqual(['paused', 'cancelled']);
    expect(scheduler.busy).toEqual([running1, running2]);

    control.pauseRun(running1);
    control.cancelRun(running2);
    expect([executor.of(running1).calls, executor.of(running2).calls]).toEqual([['pause'], ['cancel']]);
    await scheduler.whenIdle();
    expect([status(running1), status(running2)]).toEqual(['paused', 'cancelled']);
    expect(startedIds()).toEqual([running1, running2]);

    // resumed, a paused run waits behind the running ones, and says so; paused again, it is paused
    const more = experiment(1, 2);
    control.runExperiment(more.id);
    control.resumeRun(running1);
    expect(scheduler.busy).toEqual([...more.runs, running1]);
    expect(lab.run(running1)).toMatchObject({ status: 'waiting', queue: { position: 1, threads: 1 } });
    control.pauseRun(running1);
    expect(scheduler.busy).toEqual(more.runs);
    expect(status(running1)).toBe('paused');
    expect(startedIds()).toEqual([running1, running2, ...more.runs]);
  });

  it('hears a pause that another process asks for in the database', async () => {
    const e = experiment(1);
    control.runExperiment(e.id);
    store.runs.requestControl(e.runs[0], 'pause');
    await scheduler.whenIdle();
    expect(executor.of(e.runs[0]).calls).toEqual(['pause']);
    expect(status(e.runs[0])).toBe('paused');
  });

  it('refuses an experiment with a run wider than its threads, queueing none of its runs and leaving each as it was', () => {
    const { experiment: e, runs } = experiments.createExperiment({
      corpusId,
      spec: { cells: ['gru', 'rnn'], budget: { mode: 'hidden', hidden: 4 }, train: { steps: 10, seqLen: 8, batch: 4 }, overrides: { rnn: { train: { threads: 3 } } } },
    });
    const [narrow, wide] = runs.map((r) => r.id);
    expect(() => control.runExperiment(e.id)).toThrow(/run \d+ needs 3 threads but this lab trains on 2; open it with more workers \(--workers 3\)/);
    expect(() => control.resumeRun(wide)).toThrow(/needs 3 threads/);
    expect([status(narrow), status(wide)]).toEqual(['not-started', 'not-started']);
    expect(scheduler.busy).toEqual([]);
    expect(startedIds()).toEqual([]);
    control.resumeRun(narrow);
    expect(startedIds()).toEqual([narrow]);
  });
});
