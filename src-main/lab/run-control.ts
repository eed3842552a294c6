/**
 * What a user does to runs: queue an experiment's, resume, pause and cancel one, queue a
 * duplicate, delete an experiment. A run this process trains or queues is the scheduler's to
 * stop; one that another process trains or queues gets a request in runs.control, which its owner
 * polls.
 */
import type { ControlRequest, Run, RunStatus } from '../api/types.ts';
import type { LabStore } from '../store/lab-store.ts';
import { LabError } from './errors.ts';
import type { LabRecords } from './records.ts';
import type { Scheduler } from './scheduler.ts';

/** what can be queued: runs that have not started, and stopped ones that can continue */
const STARTABLE: readonly RunStatus[] = ['not-started', 'paused', 'interrupted'];
/** runs that will not train again */
export const ENDED: readonly RunStatus[] = ['completed', 'failed', 'cancelled', 'stopped'];

export class RunControl {
  constructor(
    private readonly store: LabStore,
    private readonly records: LabRecords,
    private readonly scheduler: Scheduler,
    /** this process, as recorded in runs.owner_pid */
    private readonly pid: number,
  ) {}

  /**
   * Queues every run of the experiment that has not started, and every paused or interrupted one;
   * the scheduler starts what fits and the rest wait their turn. Returns the ids queued: none when
   * every run has ended, and refused when the runs that have not are all running or waiting.
   */
  runExperiment(id: number): number[] {
    const { runs } = this.records.experiment(id);
    const queued = this.scheduler.enqueue(runs.filter((r) => STARTABLE.includes(r.status)));
    if (queued.length === 0 && runs.some((r) => r.status === 'running' || r.status === 'waiting')) {
      throw new LabError('bad-state', `experiment ${id} is training already: each of its runs that has not ended is running or waiting for free threads`);
    }
    return queued;
  }

  /**
   * Queues a paused or interrupted run to continue from its last checkpoint (or a not-started one
   * to start); a waiting run stays where it is in line.
   */
  resumeRun(id: number): void {
    const r = this.records.run(id);
    if (r.status === 'waiting') return;
    if (!STARTABLE.includes(r.status)) {
      throw new LabError('bad-state', `run ${id} is ${r.status}; only not-started, paused or interrupted runs can be resumed`);
    }
    this.scheduler.enqueue([r]);
  }

  /**
   * Pauses a running run (it stops after writing a checkpoint), or takes a waiting one out of the
   * queue. Works on runs of other processes too.
   */
  pauseRun(id: number): void {
    const r = this.askToStop(id, 'pause');
    if (!r) return;
    if (r.status === 'not-started') throw new LabError('bad-state', `run ${id} has not started; there is nothing to pause`);
    throw new LabError('bad-state', `run ${id} is ${r.status}, not running or waiting`);
  }

  /**
   * Cancels a run; it keeps its metrics and checkpoints but will not continue. A run that has not
   * started is cancelled too: so a script drops it from the experiment's training.
   */
  cancelRun(id: number): void {
    const r = this.askToStop(id, 'cancel');
    if (!r) return;
    if (ENDED.includes(r.status)) throw new LabError('bad-state', `run ${id} has already ended (${r.status})`);
    this.records.setStatus(id, 'cancelled');
  }

  /**
   * A duplicate joins the training when its experiment is training here (a run of it running or
   * waiting in this process's queue), so it does not sit there with workers free; otherwise it is
   * left not started, to start with the experiment. Returns the duplicate as it is now.
   */
  queueDuplicate(copy: Run): Run {
    const { runs } = this.records.experiment(copy.experimentId);
    const training = runs.some((r) => (r.status === 'running' || r.status === 'waiting') && r.ownerPid === this.pid);
    if (training) this.scheduler.enqueue([copy]);
    return this.records.run(copy.id);
  }

  /** Asks whoever trains or queues the run to stop it; returns the run when nobody does. */
  private askToStop(id: number, how: ControlRequest): Run | null {
    const r = this.records.run(id);
    if (this.scheduler.stop(id, how)) return null;
    if (r.status !== 'running' && r.status !== 'waiting') return r;
    this.store.runs.requestControl(id, how);
    return null;
  }

  deleteExperiment(id: number): void {
    const runs = this.store.runs.list(id);
    if (runs.some((r) => r.status === 'running')) throw new LabError('bad-state', `experiment ${id} has running runs; pause or cancel them first`);
    if (!this.store.experiments.delete(id)) throw new LabError('not-found', `no experiment ${id}`);
    if (runs.some((r) => r.status === 'waiting')) this.scheduler.reconsider();
  }
}
