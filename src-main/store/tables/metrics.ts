/** The metrics table: one row per training step. A NaN loss is stored as NULL and read back as NaN. */
import type { MetricRow } from '../../api/types.ts';
import { allRows, immediateTransaction, nanIfNull, nanToNull, prepareAll, Table } from './table.ts';

interface MetricRecord {
  step: number; chars_seen: number; wall_seconds: number; train_loss: number | null; grad_norm: number | null;
  clipped: number; lr: number; chars_per_second: number;
}

const SQL = {
  insert: `INSERT OR REPLACE INTO metrics
    (run_id, step, chars_seen, wall_seconds, train_loss, grad_norm, clipped, lr, chars_per_second)
    VALUES (@runId, @step, @charsSeen, @wallSeconds, @trainLoss, @gradNorm, @clipped, @lr, @charsPerSecond)`,
  list: `SELECT step, chars_seen, wall_seconds, train_loss, grad_norm, clipped, lr, chars_per_second
    FROM metrics WHERE run_id = ? AND step >= ? ORDER BY step`,
  deleteAfter: 'DELETE FROM metrics WHERE run_id = ? AND step > ?',
};

export class MetricsTable extends Table {
  private readonly sql = prepareAll(this.db, SQL);

  /** Writes a batch of metric rows in one transaction; a row at an existing step replaces it. */
  insert(runId: number, rows: readonly MetricRow[]): void {
    if (rows.length === 0) return;
    immediateTransaction(this.db, () => {
      for (const m of rows) {
        this.sql.insert.run({
          runId, step: m.step, charsSeen: m.charsSeen, wallSeconds: m.wallSeconds,
          trainLoss: nanToNull(m.trainLoss), gradNorm: nanToNull(m.gradNorm),
          clipped: m.clipped ? 1 : 0, lr: m.lr, charsPerSecond: m.charsPerSecond,
        });
      }
    });
  }

  /** Metric rows in step order, from fromStep (inclusive) when given. */
  list(runId: number, opts: { fromStep?: number } = {}): MetricRow[] {
    return allRows(this.sql.list, toMetric, runId, opts.fromStep ?? -1);
  }

  deleteAfter(runId: number, step: number): void {
    this.sql.deleteAfter.run(runId, step);
  }
}

function toMetric(r: MetricRecord): MetricRow {
  return {
    step: r.step, charsSeen: r.chars_seen, wallSeconds: r.wall_seconds, trainLoss: nanIfNull(r.train_loss),
    gradNorm: nanIfNull(r.grad_norm), clipped: r.clipped === 1, lr: r.lr, charsPerSecond: r.chars_per_second,
  };
}
