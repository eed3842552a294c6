/**
 * The scheduler and run control over an in-memory database and an in-memory executor (no Piscina,
 * no worker threads), for the tests of who starts when, what each run's state is, and what the
 * events say: a run the fake executor holds ends when the test says so, or at once when paused or
 * cancelled.
 */
import { CorpusService } from '../../src-main/lab/corpus-service.ts';
import { LabEvents } from '../../src-main/lab/events.ts';
import type { RunHandle, TrainingExecutor, TrainRequest } from '../../src-main/lab/executor.ts';
import { ExperimentService } from '../../src-main/lab/experiment-service.ts';
import { ModelService } from '../../src-main/lab/model-service.ts';
import { LabRecords } from '../../src-main/lab/records.ts';
import { RunControl } from '../../src-main/lab/run-control.ts';
import { Scheduler } from '../../src-main/lab/scheduler.ts';
import { TrainingRecords } from '../../src-main/lab/training-records.ts';
import type { LabEvent, Run } from '../../src-main/api/types.ts';
import { openDatabase } from '../../src-main/store/database.ts';
import { LabStore } from '../../src-main/store/lab-store.ts';
import type { TrainEvent, TrainResult } from '../../src-worker/train-report.ts';

interface FakeRun {
  request: TrainRequest;
  onEvent: (ev: TrainEvent) => void;
  calls: ('pause' | 'cancel')[];
  finish(r: TrainResult): void;
}

export class FakeExecutor implements TrainingExecutor {
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
export const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface TestLab {
  store: LabStore;
  executor: FakeExecutor;
  scheduler: Scheduler;
  control: RunControl;
  experiments: ExperimentService;
  records: LabRecords;
  corpusId: number;
  /** every event the lab sent, in order */
  events: LabEvent[];
  /** An experiment of `seeds` gru runs of `threads` threads each; its id and its runs' ids. */
  experiment(threads: number, seeds?: number): { id: number; runs: number[] };
  status(id: number): string;
  run(id: number): Run;
  /** ids of the runs the executor has started, in order */
  startedIds(): number[];
  close(): Promise<void>;
}

/** A lab of `capacity` threads, as process `pid`, over `store` (a new in-memory database unless given). */
export function openTestLab(capacity: number, opts: { pid?: number; store?: LabStore } = {}): TestLab {
  const pid = opts.pid ?? process.pid;
  const store = opts.store ?? new LabStore(openDatabase(':memory:'));
  const lab = new LabEvents();
  const events: LabEvent[] = [];
  lab.on((e) => events.push(e));
  const records = new LabRecords(store, lab);
  const corpora = new CorpusService(store);
  const models = new ModelService(store, records);
  // the experiments may plan runs wider than the executor, as a lab reopened with fewer workers finds them
  const experiments = new ExperimentService(store, records, models, 4);
  const executor = new FakeExecutor(capacity);
  const scheduler = new Scheduler(store, records, new TrainingRecords(store, lab, records, corpora, models), executor, { pid, controlPollMs: 5 });
  const control = new RunControl(store, records, scheduler, pid);
  const corpusId = corpora.importCorpus(new TextEncoder().encode('first come, first served. '.repeat(20)), { name: 'queue' }).corpus.id;
  return {
    store, executor, scheduler, control, experiments, records, events, corpusId,
    experiment(threads, seeds = 1) {
      const { experiment: e, runs } = experiments.createExperiment({
        corpusId,
        spec: { cells: ['gru'], seeds, budget: { mode: 'hidden', hidden: 4 }, train: { steps: 10, seqLen: 8, batch: 4, threads } },
      });
      return { id: e.id, runs: runs.map((r) => r.id) };
    },
    status: (id) => records.run(id).status,
    run: (id) => records.run(id),
    startedIds: () => executor.started.map((r) => r.request.runId),
    close: () => scheduler.close({}),
  };
}
