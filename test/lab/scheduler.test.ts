// The scheduler against an in-memory executor (no Piscina, no worker threads) and an in-memory
// database: who starts when, how many threads are busy, and what pause and cancel leave behind.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorpusService } from '../../src-main/lab/corpus-service.ts';
import { LabEvents } from '../../src-main/lab/events.ts';
import type { RunHandle, TrainingExecutor, TrainRequest } from '../../src-main/lab/executor.ts';
import { ExperimentService } from '../../src-main/lab/experiment-service.ts';
import { ModelService } from '../../src-main/lab/model-service.ts';
import { LabRecords } from '../../src-main/lab/records.ts';
import { RunControl } from '../../src-main/lab/run-control.ts';
import { Scheduler } from '../../src-main/lab/scheduler.ts';
import { TrainingRecords } from '../../src-main/lab/training-records.ts';
import { openDatabase } from '../../src-main/store/database.ts';
import { LabStore } from '../../src-main/store/lab-store.ts';
import type { TrainEvent, TrainResult } from '../../src-worker/train-report.ts';

/** A run the fake executor holds: it ends when the test says so, or at once when paused or cancelled. */
interface FakeRun {
  request: TrainRequest;
  onEvent: (ev: TrainEvent) => void;
  calls: ('pause' | 'cancel')[];
  finish(r: TrainResult): void;
}

class FakeExecutor implements TrainingExecutor {
  readonly started: FakeRun[] = [];
  /** most threads taken at once */
  most = 0;
  private busy = 0;

  constructor(readonly threads: number) {}

  start(request: TrainRequest, onEvent: (ev: TrainEvent) => void): RunHandle {
    let resolve!: (r: TrainResult) => void;
    const result = new Promise<TrainResult>((r) => (resolve = r));
    let ended = false;
    this.busy += request.train.threads;
    this.most = Math.max(this.most, this.busy);
    const run: FakeRun = {
      request,
      onEvent,
      calls: [],
      finish: (r) => {
        if (ended) return; // the first ending wins, as the contract says
        ended = true;
        this.busy -= request.train.threads;
        resolve(r);
      },
    };
    this.started.push(run);
    return {
      result,
      pause: () => {
        run.calls.push('pause');
        run.finish({ status: 'paused', step: 0 });
      },
      cancel: () => {
        run.calls.push('cancel');
        run.finish({ status: 'cancelled', step: 0 });
      },
    };
  }

  /** the run started for this run id */
  of(runId: number): FakeRun {
    const run = this.started.find((r) => r.request.runId === runId);
    if (!run) throw new Error(`run ${runId} was not started`);
    return run;
  }
}

/** until the scheduler has heard the results that settled */
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

let store: LabStore;
let executor: FakeExecutor;
let scheduler: Scheduler;
let control: RunControl;
let experiments: ExperimentService;
let records: LabRecords;
let corpusId: number;

function open(capacity: number): void {
  store = new LabStore(openDatabase(':memory:'));
  const events = new LabEvents();
  records = new LabRecords(store, events);
  const corpora = new CorpusService(store);
  const models = new ModelService(store, records);
  // the experiments may plan runs wider than the executor, as a lab reopened with fewer workers finds them
  experiments = new ExperimentService(store, records, models, 4);
  executor = new FakeExecutor(capacity);
  scheduler = new Scheduler(store, records, new TrainingRecords(store, events, records, corpora, models), executor, { pid: process.pid, controlPollMs: 5 });
  control = new RunControl(store, records, scheduler);
  corpusId = corpora.importCorpus(new TextEncoder().encode('first come, first served. '.repeat(20)), { name: 'queue' }).corpus.id;
}

/** An experiment of `seeds` runs of `threads` threads each; returns its id and its runs' ids. */
function experiment(threads: number, seeds = 1): { id: number; runs: number[] } {
  const { experiment: e, runs } = experiments.createExperiment({
    corpusId,
    spec: { cells: ['gru'], seeds, budget: { mode: 'hidden', hidden: 4 }, train: { steps: 10, seqLen: 8, batch: 4, threads } },
  });
  return { id: e.id, runs: runs.map((r) => r.id) };
}

const status = (id: number): string => records.run(id).status;
const startedIds = (): number[] => executor.started.map((r) => r.request.runId);

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
    expect(a.runs.map(status)).toEqual(['queued', 'queued']);
    expect(scheduler.busy).toEqual([...b.runs, ...a.runs]);

    // what the executor hears from a run is written to the run's rows
    executor.of(b.runs[1]).onEvent({ type: 'metrics', rows: [{ step: 10, charsSeen: 320, wallSeconds: 1, trainLoss: 2, gradNorm: 1, clipped: false, lr: 0.01, charsPerSecond: 320 }] });
    expect(records.run(b.runs[1])).toMatchObject({ step: 10, elapsed: 1 });
    executor.of(b.runs[1]).finish({ status: 'completed', step: 10 });
    await settled();
    expect(status(b.runs[1])).toBe('completed');
    expect(startedIds()).toEqual([...b.runs, a.runs[0]]);
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
    expect([two, behind].map((e) => status(e.runs[0]))).toEqual(['queued', 'queued']);

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

    // resumed, a paused run waits behind the running ones as it is; paused again, it stays paused
    const more = experiment(1, 2);
    control.runExperiment(more.id);
    control.resumeRun(running1);
    expect(scheduler.busy).toEqual([...more.runs, running1]);
    expect(status(running1)).toBe('paused');
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
    expect([status(narrow), status(wide)]).toEqual(['queued', 'queued']);
    expect(scheduler.busy).toEqual([]);
    expect(startedIds()).toEqual([]);
    control.resumeRun(narrow);
    expect(startedIds()).toEqual([narrow]);
  });
});
