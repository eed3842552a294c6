/** The checkpoints table: a run's whole training state, at most one 'last' and one 'best'. */
import type { CheckpointKind } from '../../api/types.ts';
import type { Checkpoint } from '../types.ts';
import { oneRow, ownBytes, prepareAll, Table } from './table.ts';

interface CheckpointRecord { step: number; val_loss: number | null; state: Buffer; created_at: number }

const SQL = {
  put: `INSERT INTO checkpoints (run_id, kind, step, val_loss, state, created_at)
    VALUES (@runId, @kind, @step, @valLoss, @state, @createdAt)
    ON CONFLICT (run_id, kind) DO UPDATE SET
      step = excluded.step, val_loss = excluded.val_loss, state = excluded.state, created_at = excluded.created_at`,
  get: 'SELECT step, val_loss, state, created_at FROM checkpoints WHERE run_id = ? AND kind = ?',
};

export class CheckpointsTable extends Table {
  private readonly sql = prepareAll(this.db, SQL);

  /** Stores the run's 'last' or 'best' checkpoint, replacing the previous one of that kind. */
  put(runId: number, kind: CheckpointKind, step: number, valLoss: number | null, state: Uint8Array): void {
    this.sql.put.run({ runId, kind, step, valLoss, state, createdAt: this.now() });
  }

  get(runId: number, kind: CheckpointKind): Checkpoint | null {
    return oneRow(this.sql.get, toCheckpoint, runId, kind);
  }
}

function toCheckpoint(r: CheckpointRecord): Checkpoint {
  return { step: r.step, valLoss: r.val_loss, state: ownBytes(r.state), createdAt: r.created_at };
}
