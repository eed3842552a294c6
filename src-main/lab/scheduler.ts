/**
 * The scheduler: this process's queue of runs, handed to the executor first come first served
 * while their threads fit in its capacity, so the cores are never oversubscribed.
 *
 * The queue is kept in the database (runs.waiting_seq, with runs.owner_pid naming this process),
 * so every process and front end can see which runs wait, in whose queue and at which place, and
 * no other process can claim them meanwhile. Runs belong to the process that queued or claimed
 * them. Another process asks for a pause or cancel through runs.control, which the owner polls
 * here.
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
  /** the place each waiting run was last announced at: a run is announced again when it moves up */
  private readonly announced = new Map<number, number>();
  private readonly idle = new Set<() => void>();
  private readonly controlTimer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly store: LabStore,
    private readonly records: LabRecords,
    private readonly training: TrainingRecords,
    private executor: TrainingExecutor,
    private readonly opts: SchedulerOptions,
  ) {
    this.controlTimer = setInterval(() => this.pollControl(), opts.controlPollMs);
    this.controlTimer.unref();
    this.listenToCapacity(executor);
  }

  /** Trains what starts from now on with another executor; only while nothing runs or waits here. */
  useExecutor(executor: TrainingExecutor): void {
    if (!this.isIdle()) throw new LabError('bad-state', 'runs are running or waiting here');
    this.executor = executor;
    this.listenToCapacity(executor);
  }

  private listenToCapacity(executor: TrainingExecutor): void {
    // workers joined or left: what waits may fit now
    executor.onCapacityChange?.(() => {
      if (!this.closed && this.executor === executor) this.pump();
    });
  }

  /**
   * Queues runs behind those already waiting, and starts what fits. All or none: a run that needs
   * more threads than the executor has would wait forever, so it is refused, and every run is
   * left as it is. Returns the runs that joined the queue: not those already waiting or running
   * (here or in another process's queue), nor those that have ended.
   */
  enqueue(runs: Run[]): number[] {
    if (this.closed) throw new LabError('bad-state', 'the lab is closing');
    for (const r of runs) this.checkWidth(r);
    const joined = runs.filter((r) => this.store.runs.joinQueue(r.id, this.opts.pid)).map((r) => r.id);
    this.pump();
    return joined;
  }

  /**
   * Pauses or cancels a run if it is this process's: a running one is asked to stop; a waiting one
   * leaves the queue at once, cancelled, or back to what it was (paused if it had never started).
   * False when this process neither runs nor queues it.
   */
  stop(id: number, how: ControlRequest): boolean {
    const handle = this.active.get(id);
    if (handle) {
      if (how === 'pause') handle.pause();
      else handle.cancel();
      return true;
    }
    const run = this.store.runs.get(id);
    if (run?.status !== 'waiting' || run.ownerPid !== this.opts.pid) return false;
    if (how === 'cancel') {
      this.records.setStatus(id, 'cancelled');
    } else {
      this.store.runs.leaveQueue(id, this.opts.pid, { pause: true });
      this.records.announce(id);
    }
    this.announced.delete(id);
    // the runs behind it move up, and may fit now
    if (!this.closed) this.pump();
    return true;
  }

  /** Looks at the queue again after runs left it by other means (deleted with their experiment). */
  reconsider(): void {
    if (!this.closed) this.pump();
  }

  /** Resolves when this process has no run queued or running. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  /** Runs this process trains, then those it has queued, first in line first. */
  get busy(): number[] {
    return [...this.active.keys(), ...this.waitingIds()];
  }

  /**
   * Stops: running runs pause with a checkpoint (or are cancelled); waiting ones leave the queue,
   * back to what they were, for another day. Resolves when every run has settled.
   */
  async close(opts: { running?: 'pause' | 'cancel' }): Promise<void> {
    this.closed = true;
    clearInterval(this.controlTimer);
    const waiting = this.waitingIds();
    // no write when nothing waits: a lab that only reads the database closes without one
    if (waiting.length > 0) this.store.runs.releaseQueue(this.opts.pid);
    this.announced.clear();
    for (const id of waiting) this.records.announce(id);
    const pending = [...this.active.values()];
    for (const h of pending) (opts.running === 'cancel' ? h.cancel() : h.pause());
    await Promise.all(pending.map((h) => h.result));
    await this.whenIdle();
  }

  private checkWidth(r: Run): void {
    // capacity that comes and goes may grow to fit it
    if (this.executor.onCapacityChange) return;
    const threads = runThreads(r);
    const capacity = this.executor.threads;
    if (threads > capacity) {
      throw new LabError('bad-input', `run ${r.id} needs ${threads} threads but this lab trains on ${capacity}; open it with more workers (--workers ${threads})`);
    }
  }

  /**
   * Starts waiting runs, first come first served, while their threads fit in the free ones
   * (enqueue has refused runs wider than the executor, so the head always fits once enough runs
   * end); then tells of the runs whose place changed.
   */
  private pump(): void {
    let busy = 0;
    for (const n of this.activeThreads.values()) busy += n;
    for (const run of this.store.runs.waiting(this.opts.pid)) {
      const threads = runThreads(run);
      if (busy + threads > this.executor.threads) break;
      if (this.dispatch(run, threads)) busy += threads;
    }
    this.announceQueue();
    this.notifyIdle();
  }

  /** Claims a waiting run and hands it to the executor; false when it did not start. */
  private dispatch(before: Run, threads: number): boolean {
    const id = before.id;
    this.announced.delete(id);
    if (!this.store.runs.claim(id, this.opts.pid)) return false; // it ended meanwhile
    let handle: RunHandle;
    try {
      handle = this.executor.start(this.training.request(before), (ev) => {
        this.training.record(id, ev);
        // a sweep's run behind at a rung ends here, without a checkpoint; its result then leaves it 'stopped'
        if (ev.type === 'eval' && this.training.halts(id, ev.step)) this.active.get(id)?.cancel();
      });
    } catch (e) {
      this.records.setStatus(id, 'failed', { error: (e as Error).message });
      return false;
    }
    this.active.set(id, handle);
    this.activeThreads.set(id, threads);
    this.records.announce(id);
    void handle.result.then((result) => {
      this.active.delete(id);
      this.activeThreads.delete(id);
      this.records.setStatus(id, result.status, result.status === 'failed' ? { error: result.error } : {});
      if (this.closed) this.notifyIdle();
      else this.pump();
    });
    return true;
  }

  /** Announces every waiting run whose place is not the one last announced (new, or moved up). */
  private announceQueue(): void {
    const places = new Map(this.store.runs.waiting(this.opts.pid).map((r) => [r.id, r.queue?.position ?? 0]));
    for (const [id, place] of places) if (this.announced.get(id) !== place) this.records.announce(id);
    this.announced.clear();
    for (const [id, place] of places) this.announced.set(id, place);
  }

  private waitingIds(): number[] {
    return this.store.runs.waiting(this.opts.pid).map((r) => r.id);
  }

  private isIdle(): boolean {
    return this.active.size === 0 && this.waitingIds().length === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idle) resolve();
    this.idle.clear();
  }

  /** Pause and cancel requests that other processes left in the database for runs we train or queue. */
  private pollControl(): void {
    for (const id of this.store.runs.controlled(this.opts.pid)) {
      const request = this.store.runs.takeControl(id);
      if (request) this.stop(id, request);
    }
  }
}

/** Threads a run trains on (runs stored before threads existed have none: one). */
function runThreads(run: Run): number {
  return (run.config as RunConfig).train.threads ?? 1;
}
