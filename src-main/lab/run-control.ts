/**
 * What a user does to runs: queue an experiment's, resume, pause and cancel one, delete an
 * experiment. A run this process trains or queues is the scheduler's to stop; one that another
 * process trains gets a request in runs.control, which its owner polls.
 */
import type { ControlRequest, Run } from '../api/types.ts';
import type { LabStore } from '../store/lab-store.ts';
import { LabError } from './errors.ts';
import type { LabRecords } from './records.ts';
import type { Scheduler } from './scheduler.ts';

export class RunControl {
  constructor(private readonly store: LabStore, private readonly records: LabRecords, private readonly scheduler: Scheduler) {}

  /** Queues every run of the experiment that has not ended (queued, paused, interrupted). Returns their ids. */
  runExperiment(id: number): number[] {
    const { runs } = this.records.experiment(id);
    const waiting = runs.filter((r) => r.status === 'queued' || r.status === 'paused' || r.status === 'interrupted');
    this.scheduler.enqueue(waiting);
    return waiting.map((r) => r.id);
  }

  /** Continues a paused or interrupted run from its last checkpoint (or a queued one from the start). */
  resumeRun(id: number): void {
    const r = this.records.run(id);
    if (!['queued', 'paused', 'interrupted'].includes(r.status)) {
      throw new LabError('bad-state', `run ${id} is ${r.status}; only queued, paused or interrupted runs can be resumed`);
    }
    this.scheduler.enqueue([r]);
  }

  /** Pauses a run: it stops after writing a checkpoint. Works on runs of other processes too. */
  pauseRun(id: number): void {
    const r = this.askToStop(id, 'pause');
    if (!r) return;
    if (r.status !== 'queued') throw new LabError('bad-state', `run ${id} is ${r.status}, not running`);
    this.records.setStatus(id, 'paused');
  }

  /** Cancels a run; it keeps its metrics and checkpoints but will not continue. */
  cancelRun(id: number): void {
    const r = this.askToStop(id, 'cancel');
    if (!r) return;
    if (['completed', 'failed', 'cancelled'].includes(r.status)) throw new LabError('bad-state', `run ${id} has already ended (${r.status})`);
    this.records.setStatus(id, 'cancelled');
  }

  /** Asks whoever trains or queues the run to stop it; returns the run when nobody does. */
  private askToStop(id: number, how: ControlRequest): Run | null {
    const r = this.records.run(id);
    if (this.scheduler.stop(id, how)) return null;
    if (r.status !== 'running') return r;
    this.store.runs.requestControl(id, how);
    return null;
  }

  deleteExperiment(id: number): void {
    const runs = this.store.runs.list(id);
    if (runs.some((r) => r.status === 'running')) throw new LabError('bad-state', `experiment ${id} has running runs; pause or cancel them first`);
    if (!this.store.experiments.delete(id)) throw new LabError('not-found', `no experiment ${id}`);
    for (const r of runs) this.scheduler.dequeue(r.id);
  }
}
