/**
 * The runs table: one cell and seed of an experiment, its status and progress, the process that
 * trains it or whose queue it waits in, and the pause or cancel asked of that process.
 *
 * The stored status is not quite the wire's: 'queued' is stored for a run that has never started,
 * and a waiting run keeps its stored status (queued, paused or interrupted) with its place in
 * waiting_seq. Rows leave here with the status a user sees (RUN_STATUS_SQL).
 */
import type { ControlRequest, HaltDecision, Run, RunStatus } from '../../api/types.ts';
import type { NewRun, RunUpdate, SetStatus } from '../types.ts';
import { allRows, immediateTransaction, oneRow, prepareAll, Table } from './table.ts';

/** statuses as the runs table stores them */
type StoredStatus = 'queued' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

/** statuses a process may queue or claim a run from */
const CLAIMABLE: readonly StoredStatus[] = ['queued', 'paused', 'interrupted'];
/** statuses after which a run is over (finished_at is set, control cleared) */
const TERMINAL: readonly StoredStatus[] = ['completed', 'failed', 'cancelled'];

/** A run's status as the wire says it, from the stored status and its place in a queue. */
export const RUN_STATUS_SQL =
  "CASE WHEN waiting_seq IS NOT NULL THEN 'waiting' WHEN status = 'queued' THEN 'not-started' WHEN halted IS NOT NULL THEN 'stopped' ELSE status END";

interface RunRecord {
  id: number; experiment_id: number; cell: string; seed: number; config: string; params: number;
  status: RunStatus; error: string | null; step: number; steps: number; best_val_loss: number | null;
  elapsed: number; owner_pid: number | null; control: ControlRequest | null; created_at: number;
  started_at: number | null; finished_at: number | null;
  queue_position: number | null; threads: number | null; copy: number;
  trial: number | null; trial_values: string | null; halted: string | null; kernel_set: string | null;
}

const COLUMNS =
  `id, experiment_id, cell, seed, config, params, ${RUN_STATUS_SQL} AS status, error, step, steps, best_val_loss, elapsed, ` +
  'owner_pid, control, created_at, started_at, finished_at, trial, trial_values, halted, kernel_set, ' +
  // a waiting run's place: how many runs of the same queue joined it before it, and itself
  'CASE WHEN waiting_seq IS NULL THEN NULL ELSE (SELECT count(*) FROM runs w WHERE w.owner_pid = runs.owner_pid AND w.waiting_seq <= runs.waiting_seq) END AS queue_position, ' +
  "CASE WHEN waiting_seq IS NULL THEN NULL ELSE coalesce(json_extract(config, '$.train.threads'), 1) END AS threads, " +
  '(SELECT count(*) FROM runs d WHERE d.experiment_id = runs.experiment_id AND d.cell = runs.cell AND d.seed = runs.seed AND d.trial IS runs.trial AND d.id < runs.id) AS copy';
const STATUS_LIST = (statuses: readonly StoredStatus[]) => statuses.map((s) => `'${s}'`).join(', ');

const SQL = {
  insert: `INSERT INTO runs (experiment_id, cell, seed, config, params, steps, trial, trial_values, created_at)
    VALUES (@experimentId, @cell, @seed, @config, @params, @steps, @trial, @trialValues, @createdAt)`,
  get: `SELECT ${COLUMNS} FROM runs WHERE id = ?`,
  list: `SELECT ${COLUMNS} FROM runs WHERE experiment_id = ? ORDER BY id`,
  listByStatus: `SELECT ${COLUMNS} FROM runs WHERE ${RUN_STATUS_SQL} = ? ORDER BY id`,
  waiting: `SELECT ${COLUMNS} FROM runs WHERE owner_pid = ? AND waiting_seq IS NOT NULL ORDER BY waiting_seq`,
  update: `UPDATE runs SET
    step          = CASE WHEN @hasStep    THEN @step        ELSE step          END,
    steps         = CASE WHEN @hasSteps   THEN @steps       ELSE steps         END,
    best_val_loss = CASE WHEN @hasBest    THEN @bestValLoss ELSE best_val_loss END,
    elapsed       = CASE WHEN @hasElapsed THEN @elapsed     ELSE elapsed       END,
    error         = CASE WHEN @hasError   THEN @error       ELSE error         END,
    config        = CASE WHEN @hasConfig  THEN @config      ELSE config        END,
    params        = CASE WHEN @hasParams  THEN @params      ELSE params        END
    WHERE id = @id`,
  claim: `UPDATE runs SET status = 'running', owner_pid = @pid, waiting_seq = NULL, error = NULL,
    started_at = coalesce(started_at, @now), finished_at = NULL
    WHERE id = @id AND status IN (${STATUS_LIST(CLAIMABLE)}) AND (waiting_seq IS NULL OR owner_pid = @pid)`,
  // the place behind every run waiting in any queue: a process's own runs keep the order it queued them in
  joinQueue: `UPDATE runs SET owner_pid = @pid, waiting_seq = (SELECT coalesce(max(waiting_seq), 0) + 1 FROM runs)
    WHERE id = @id AND status IN (${STATUS_LIST(CLAIMABLE)}) AND waiting_seq IS NULL`,
  leaveQueue: `UPDATE runs SET waiting_seq = NULL, owner_pid = NULL,
    status = CASE WHEN @pause AND status = 'queued' THEN 'paused' ELSE status END
    WHERE id = @id AND owner_pid = @pid AND waiting_seq IS NOT NULL`,
  releaseQueue: 'UPDATE runs SET waiting_seq = NULL, owner_pid = NULL WHERE owner_pid = ? AND waiting_seq IS NOT NULL',
  queueOwners: 'SELECT DISTINCT owner_pid FROM runs WHERE waiting_seq IS NOT NULL ORDER BY owner_pid',
  controlled: 'SELECT id FROM runs WHERE owner_pid = ? AND control IS NOT NULL ORDER BY id',
  setStatus: `UPDATE runs SET status = @status, owner_pid = NULL, waiting_seq = NULL,
    finished_at = CASE WHEN @terminal THEN @now ELSE finished_at END,
    control     = CASE WHEN @terminal THEN NULL ELSE control END,
    error       = CASE WHEN @hasError THEN @error ELSE error END
    WHERE id = @id AND halted IS NULL`,
  halt: `UPDATE runs SET status = 'cancelled', halted = @halted, owner_pid = NULL, waiting_seq = NULL,
    finished_at = @now, control = NULL
    WHERE id = @id AND status NOT IN (${STATUS_LIST(TERMINAL)})`,
  setKernelSet: 'UPDATE runs SET kernel_set = @kernelSet WHERE id = @id AND kernel_set IS NULL',
  requestControl: `UPDATE runs SET control = CASE WHEN control = 'cancel' THEN 'cancel' ELSE @request END
    WHERE id = @id AND status NOT IN (${STATUS_LIST(TERMINAL)})`,
  getControl: 'SELECT control FROM runs WHERE id = ?',
  clearControl: 'UPDATE runs SET control = NULL WHERE id = ? AND control IS NOT NULL',
  runningOwners: `SELECT id, owner_pid FROM runs WHERE status = 'running' ORDER BY id`,
  interrupt: `UPDATE runs SET status = 'interrupted', owner_pid = NULL
    WHERE id = @id AND status = 'running' AND owner_pid = @pid`,
};

export class RunsTable extends Table {
  private readonly sql = prepareAll(this.db, SQL);

  /** Inserts queued runs in one transaction; returns their ids in order. */
  insert(experimentId: number, rows: readonly NewRun[]): number[] {
    const createdAt = this.now();
    return immediateTransaction(this.db, () =>
      rows.map((r) =>
        Number(
          this.sql.insert.run({
            experimentId, cell: r.cell, seed: r.seed, config: JSON.stringify(r.config),
            params: r.params, steps: r.steps, createdAt,
            trial: r.trial?.index ?? null, trialValues: r.trial ? JSON.stringify(r.trial.values) : null,
          }).lastInsertRowid,
        ),
      ),
    );
  }

  get(id: number): Run | null {
    return oneRow(this.sql.get, toRun, id);
  }

  list(experimentId: number): Run[] {
    return allRows(this.sql.list, toRun, experimentId);
  }

  listByStatus(status: RunStatus): Run[] {
    return allRows(this.sql.listByStatus, toRun, status);
  }

  /** The runs waiting in process pid's queue, first in line first. */
  waiting(pid: number): Run[] {
    return allRows(this.sql.waiting, toRun, pid);
  }

  /** Updates the given progress fields only; false if there is no such run. */
  update(id: number, u: RunUpdate): boolean {
    const has = (k: keyof RunUpdate) => (k in u && u[k] !== undefined ? 1 : 0);
    return (
      this.sql.update.run({
        id,
        hasStep: has('step'), step: u.step ?? null,
        hasSteps: has('steps'), steps: u.steps ?? null,
        hasBest: has('bestValLoss'), bestValLoss: u.bestValLoss ?? null,
        hasElapsed: has('elapsed'), elapsed: u.elapsed ?? null,
        hasError: has('error'), error: u.error ?? null,
        hasConfig: has('config'), config: u.config === undefined ? null : JSON.stringify(u.config),
        hasParams: has('params'), params: u.params ?? null,
      }).changes > 0
    );
  }

  /**
   * queued | paused | interrupted -> running, owned by pid, unless the run waits in another
   * process's queue. One conditional UPDATE, so of two processes claiming the same run exactly one
   * gets true.
   */
  claim(id: number, pid: number): boolean {
    return this.sql.claim.run({ id, pid, now: this.now() }).changes > 0;
  }

  /**
   * Puts a run that could start (never started, paused or interrupted) at the back of process
   * pid's queue. False when it cannot start or already waits in a queue (this one or another).
   */
  joinQueue(id: number, pid: number): boolean {
    return this.sql.joinQueue.run({ id, pid }).changes > 0;
  }

  /**
   * Takes a run out of pid's queue, back to the status it had; with `pause`, one that had never
   * started is paused, so that it is not taken for a run nobody ever queued. False if it was not
   * waiting there.
   */
  leaveQueue(id: number, pid: number, opts: { pause: boolean }): boolean {
    return this.sql.leaveQueue.run({ id, pid, pause: opts.pause ? 1 : 0 }).changes > 0;
  }

  /** Empties pid's queue (the process is closing), every run back to the status it had. */
  releaseQueue(pid: number): void {
    this.sql.releaseQueue.run(pid);
  }

  /** The runs of pid (training or waiting) that another process asked to pause or cancel. */
  controlled(pid: number): number[] {
    return (this.sql.controlled.all(pid) as { id: number }[]).map((r) => r.id);
  }

  /**
   * Sets a run's status. It releases the owner and the run's place in a queue; a terminal status (completed,
   * failed, cancelled) sets finished_at and drops any pending control request. `error` is
   * written when given (pass null to clear it). To enter 'running' use claim. A run the halving
   * rule stopped stays stopped: its worker may still finish or cancel before the cancel reaches it.
   */
  setStatus(id: number, status: SetStatus, opts: { error?: string | null } = {}): boolean {
    if ((status as StoredStatus) === 'running') throw new Error('runs.setStatus cannot set running; use runs.claim');
    return (
      this.sql.setStatus.run({
        id, status, now: this.now(),
        terminal: TERMINAL.includes(status) ? 1 : 0,
        hasError: opts.error !== undefined ? 1 : 0, error: opts.error ?? null,
      }).changes > 0
    );
  }

  /**
   * Ends a run that has not ended as stopped by the halving rule (stored 'cancelled' with the
   * decision); false if it had ended already.
   */
  halt(id: number, decision: HaltDecision): boolean {
    return this.sql.halt.run({ id, halted: JSON.stringify(decision), now: this.now() }).changes > 0;
  }

  /** Records the kernels a run trains with, the first time only (a resume must keep them). */
  setKernelSet(id: number, kernelSet: string): boolean {
    return this.sql.setKernelSet.run({ id, kernelSet }).changes > 0;
  }

  /**
   * Asks whoever runs it to pause or cancel (the owner polls takeControl). A cancel is never
   * downgraded to a pause. False if the run is over or missing.
   */
  requestControl(id: number, request: ControlRequest): boolean {
    return this.sql.requestControl.run({ id, request }).changes > 0;
  }

  /** Reads and clears the pending control request, atomically. */
  takeControl(id: number): ControlRequest | null {
    return immediateTransaction(this.db, () => {
      const r = this.sql.getControl.get(id) as { control: ControlRequest | null } | undefined;
      if (!r?.control) return null;
      this.sql.clearControl.run(id);
      return r.control;
    });
  }

  /**
   * At start-up: every 'running' run whose owner process is gone becomes 'interrupted'.
   * Returns their ids.
   */
  markInterrupted(isAlive: (pid: number) => boolean): number[] {
    return immediateTransaction(this.db, () => {
      const running = this.sql.runningOwners.all() as { id: number; owner_pid: number }[];
      const ids: number[] = [];
      for (const r of running) {
        if (isAlive(r.owner_pid)) continue;
        if (this.sql.interrupt.run({ id: r.id, pid: r.owner_pid }).changes > 0) ids.push(r.id);
      }
      return ids;
    });
  }

  /** At start-up: the queues of processes that are gone are emptied. Returns those processes. */
  releaseDeadQueues(isAlive: (pid: number) => boolean): number[] {
    return immediateTransaction(this.db, () => {
      const owners = (this.sql.queueOwners.all() as { owner_pid: number }[]).map((r) => r.owner_pid);
      const dead = owners.filter((pid) => !isAlive(pid));
      for (const pid of dead) this.sql.releaseQueue.run(pid);
      return dead;
    });
  }
}

function toRun(r: RunRecord): Run {
  return {
    id: r.id, experimentId: r.experiment_id, cell: r.cell, seed: r.seed, config: JSON.parse(r.config),
    params: r.params, status: r.status,
    queue: r.queue_position === null ? null : { position: r.queue_position, threads: r.threads ?? 1 },
    copy: r.copy,
    trial: r.trial === null ? null : { index: r.trial, values: JSON.parse(r.trial_values ?? '{}') },
    halted: r.halted === null ? null : JSON.parse(r.halted),
    kernelSet: r.kernel_set,
    error: r.error, step: r.step, steps: r.steps,
    bestValLoss: r.best_val_loss, elapsed: r.elapsed, ownerPid: r.owner_pid, control: r.control,
    createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
  };
}
