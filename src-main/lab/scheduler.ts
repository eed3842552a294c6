/**
 * The scheduler: this process's queue of runs, handed to the executor first come first served
 * while their threads fit in its capacity, so the cores are never oversubscribed.
 *
 * Runs belong to the process that claimed them (runs.owner_pid). Another process asks for a pause
 * or cancel through runs.control, which the owner polls here.
 */
import type { ControlRequest, Run } from '../api/types.ts';
import type { LabStore } from '../store/lab-store.ts';
import { LabError } from './errors.ts';
import type { RunHandle, TrainingExecutor } from './executor.ts';
import type { RunConfig } from './experiments.ts';
import type { LabRecords } from './records.ts';
import type { TrainingRecords } from './training-records.ts';

interface SchedulerOptions {
  /** this process, as recorded in runs.owner_pid */
  pid: number;
  /** how often to look for pause/cancel requests from other processes, ms */
  controlPollMs: number;
}

export class Scheduler {
  private readonly active = new Map<number, RunHandle>();
  /** threads each active run uses */
  private readonly activeThreads = new Map<number, number>();
  private readonly queue: number[] = [];
  private readonly idle = new Set<() => void>();
  private readonly controlTimer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly store: LabStore,
    private readonly records: LabRecords,
    private readonly training: TrainingRecords,
    private readonly executor: TrainingExecutor,
    private readonly opts: SchedulerOptions,
  ) {
    this.controlTimer = setInterval(() => this.pollControl(), opts.controlPollMs);
    this.controlTimer.unref();
  }

  /**
   * Queues runs behind those already waiting. All or none: a run that needs more threads than the
   * executor has would wait forever, so it is refused, and every run is left as it is.
   */
  enqueue(runs: Run[]): void {
    for (const r of runs) this.checkWidth(r);
    for (const r of runs) {
      if (this.closed) throw new LabError('bad-state', 'the lab is closing');
      if (this.active.has(r.id) || this.queue.includes(r.id)) continue;
      this.queue.push(r.id);
      this.pump();
    }
  }

  /**
   * Pauses or cancels a run if it is this process's: a running one is asked to stop, a waiting one
   * leaves the queue at once. False when this process neither runs nor queues it.
   */
  stop(id: number, how: ControlRequest): boolean {
    const handle = this.active.get(id);
    if (handle) {
      if (how === 'pause') handle.pause();
      else handle.cancel();
      return true;
    }
    if (!this.dequeue(id)) return false;
    // a paused or interrupted run that waited to resume stays as it was when it is paused again
    if (how === 'cancel' || this.records.run(id).status === 'queued') this.records.setStatus(id, how === 'pause' ? 'paused' : 'cancelled');
    return true;
  }

  /** Takes a run out of the queue; the runs behind it may fit now. */
  dequeue(id: number): boolean {
    const i = this.queue.indexOf(id);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    if (!this.closed) this.pump();
    this.notifyIdle();
    return true;
  }

  /** Resolves when this process has no run queued or running. */
  whenIdle(): Promise<void> {
    if (this.active.size === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  /** Runs this process owns or has queued. */
  get busy(): number[] {
    return [...this.active.keys(), ...this.queue];
  }

  /**
   * Stops: running runs pause with a checkpoint (or are cancelled), queued ones stay queued in
   * the database for another day. Resolves when every run has settled.
   */
  async close(opts: { running?: 'pause' | 'cancel' }): Promise<void> {
    this.closed = true;
    clearInterval(this.controlTimer);
    this.queue.length = 0;
    const pending = [...this.active.values()];
    for (const h of pending) (opts.running === 'cancel' ? h.cancel() : h.pause());
    await Promise.all(pending.map((h) => h.result));
    await this.whenIdle();
  }

  private checkWidth(r: Run): void {
    const threads = runThreads(r);
    const capacity = this.executor.threads;
    if (threads > capacity) {
      throw new LabError('bad-input', `run ${r.id} needs ${threads} threads but this lab trains on ${capacity}; open it with more workers (--workers ${threads})`);
    }
  }

  /**
   * Starts queued runs, first come first served, while their threads fit in the free ones (enqueue
   * has refused runs wider than the executor, so the head always fits once enough runs end).
   */
  private pump(): void {
    while (this.queue.length > 0) {
      const id = this.queue[0];
      const run = this.store.runs.get(id);
      if (!run) {
        this.queue.shift(); // deleted while it waited
        continue;
      }
      const threads = runThreads(run);
      let busy = 0;
      for (const n of this.activeThreads.values()) busy += n;
      if (busy + threads > this.executor.threads) break;
      this.queue.shift();
      try {
        this.dispatch(id, threads);
      } catch (e) {
        this.records.setStatus(id, 'failed', { error: (e as Error).message });
      }
    }
    this.notifyIdle();
  }

  private dispatch(id: number, threads: number): void {
    const before = this.records.run(id);
    if (!this.store.runs.claim(id, this.opts.pid)) return; // another process has it, or it ended meanwhile
    const handle = this.executor.start(this.training.request(before), (ev) => this.training.record(id, ev));
    this.active.set(id, handle);
    this.activeThreads.set(id, threads);
    this.records.announce(id);
    void handle.result.then((result) => {
      this.active.delete(id);
      this.activeThreads.delete(id);
      this.records.setStatus(id, result.status, result.status === 'failed' ? { error: result.error } : {});
      if (!this.closed) this.pump();
      this.notifyIdle();
    });
  }

  private notifyIdle(): void {
    if (this.active.size > 0 || this.queue.length > 0) return;
    for (const resolve of this.idle) resolve();
    this.idle.clear();
  }

  /** Pause and cancel requests that other processes left in the database for runs we own. */
  private pollControl(): void {
    for (const [id, handle] of this.active) {
      const request = this.store.runs.takeControl(id);
      if (request === 'pause') handle.pause();
      else if (request === 'cancel') handle.cancel();
    }
  }
}

/** Threads a run trains on (runs stored before threads existed have none: one). */
function runThreads(run: Run): number {
  return (run.config as RunConfig).train.threads ?? 1;
}
