/**
 * The runs table: one cell and seed of an experiment, its status and progress, the process that
 * owns it while it trains, and the pause or cancel asked of that owner.
 */
import type { ControlRequest, Run, RunStatus } from '../../api/types.ts';
import type { NewRun, RunUpdate } from '../types.ts';
import { allRows, immediateTransaction, oneRow, prepareAll, Table } from './table.ts';

/** statuses a process may claim a run from */
const CLAIMABLE: readonly RunStatus[] = ['queued', 'paused', 'interrupted'];
/** statuses after which a run is over (finished_at is set, control cleared) */
const TERMINAL: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

interface RunRecord {
  id: number; experiment_id: number; cell: string; seed: number; config: string; params: number;
  status: RunStatus; error: string | null; step: number; steps: number; best_val_loss: number | null;
  elapsed: number; owner_pid: number | null; control: ControlRequest | null; created_at: number;
  started_at: number | null; finished_at: number | null;
}

const COLUMNS =
  'id, experiment_id, cell, seed, config, params, status, error, step, steps, best_val_loss, elapsed, ' +
  'owner_pid, control, created_at, started_at, finished_at';
const STATUS_LIST = (statuses: readonly RunStatus[]) => statuses.map((s) => `'${s}'`).join(', ');

const SQL = {
  insert: `INSERT INTO runs (experiment_id, cell, seed, config, params, steps, created_at)
    VALUES (@experimentId, @cell, @seed, @config, @params, @steps, @createdAt)`,
  get: `SELECT ${COLUMNS} FROM runs WHERE id = ?`,
  list: `SELECT ${COLUMNS} FROM runs WHERE experiment_id = ? ORDER BY id`,
  listByStatus: `SELECT ${COLUMNS} FROM runs WHERE status = ? ORDER BY id`,
  update: `UPDATE runs SET
    step          = CASE WHEN @hasStep    THEN @step        ELSE step          END,
    steps         = CASE WHEN @hasSteps   THEN @steps       ELSE steps         END,
    best_val_loss = CASE WHEN @hasBest    THEN @bestValLoss ELSE best_val_loss END,
    elapsed       = CASE WHEN @hasElapsed THEN @elapsed     ELSE elapsed       END,
    error         = CASE WHEN @hasError   THEN @error       ELSE error         END,
    config        = CASE WHEN @hasConfig  THEN @config      ELSE config        END,
    params        = CASE WHEN @hasParams  THEN @params      ELSE params        END
    WHERE id = @id`,
  claim: `UPDATE runs SET status = 'running', owner_pid = @pid, error = NULL,
    started_at = coalesce(started_at, @now), finished_at = NULL
    WHERE id = @id AND status IN (${STATUS_LIST(CLAIMABLE)})`,
  setStatus: `UPDATE runs SET status = @status, owner_pid = NULL,
    finished_at = CASE WHEN @terminal THEN @now ELSE finished_at END,
    control     = CASE WHEN @terminal THEN NULL ELSE control END,
    error       = CASE WHEN @hasError THEN @error ELSE error END
    WHERE id = @id`,
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
   * queued | paused | interrupted -> running, owned by pid. One conditional UPDATE, so of two
   * processes claiming the same run exactly one gets true.
   */
  claim(id: number, pid: number): boolean {
    return this.sql.claim.run({ id, pid, now: this.now() }).changes > 0;
  }

  /**
   * Sets a run's status. Leaving 'running' releases the owner; a terminal status (completed,
   * failed, cancelled) sets finished_at and drops any pending control request. `error` is
   * written when given (pass null to clear it). To enter 'running' use claim.
   */
  setStatus(id: number, status: RunStatus, opts: { error?: string | null } = {}): boolean {
    // the message predates the split into tables, and is kept word for word
    if (status === 'running') throw new Error('setRunStatus cannot set running; use claimRun');
    return (
      this.sql.setStatus.run({
        id, status, now: this.now(),
        terminal: TERMINAL.includes(status) ? 1 : 0,
        hasError: opts.error !== undefined ? 1 : 0, error: opts.error ?? null,
      }).changes > 0
    );
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
}

function toRun(r: RunRecord): Run {
  return {
    id: r.id, experimentId: r.experiment_id, cell: r.cell, seed: r.seed, config: JSON.parse(r.config),
    params: r.params, status: r.status, error: r.error, step: r.step, steps: r.steps,
    bestValLoss: r.best_val_loss, elapsed: r.elapsed, ownerPid: r.owner_pid, control: r.control,
    createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
  };
}
