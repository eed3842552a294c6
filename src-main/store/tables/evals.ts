/**
 * The evals table: one row per evaluation of a run on the validation split. NaN is stored as NULL
 * and read back as NaN, except the task accuracies, where NULL means the corpus has none.
 */
import type { EvalRow } from '../../api/types.ts';
import { allRows, nanIfNull, nanToNull, prepareAll, Table } from './table.ts';

interface EvalRecord {
  step: number; val_loss: number | null; bits_per_char: number | null; accuracy: number | null;
  predictable_accuracy: number | null; long_range_accuracy: number | null; chars: number;
}

const SQL = {
  insert: `INSERT OR REPLACE INTO evals (run_id, step, val_loss, bits_per_char, accuracy, predictable_accuracy, long_range_accuracy, chars)
    VALUES (@runId, @step, @valLoss, @bitsPerChar, @accuracy, @predictableAccuracy, @longRangeAccuracy, @chars)`,
  list: `SELECT step, val_loss, bits_per_char, accuracy, predictable_accuracy, long_range_accuracy, chars
    FROM evals WHERE run_id = ? ORDER BY step`,
  deleteAfter: 'DELETE FROM evals WHERE run_id = ? AND step > ?',
};

export class EvalsTable extends Table {
  private readonly sql = prepareAll(this.db, SQL);

  insert(runId: number, e: EvalRow): void {
    this.sql.insert.run({
      runId, step: e.step, valLoss: nanToNull(e.valLoss), bitsPerChar: nanToNull(e.bitsPerChar),
      accuracy: nanToNull(e.accuracy), predictableAccuracy: nanToNull(e.predictableAccuracy ?? NaN),
      longRangeAccuracy: nanToNull(e.longRangeAccuracy ?? NaN), chars: e.chars,
    });
  }

  list(runId: number): EvalRow[] {
    return allRows(this.sql.list, toEval, runId);
  }

  deleteAfter(runId: number, step: number): void {
    this.sql.deleteAfter.run(runId, step);
  }
}

function toEval(r: EvalRecord): EvalRow {
  return {
    step: r.step, valLoss: nanIfNull(r.val_loss), bitsPerChar: nanIfNull(r.bits_per_char),
    accuracy: nanIfNull(r.accuracy), predictableAccuracy: r.predictable_accuracy, longRangeAccuracy: r.long_range_accuracy,
    chars: r.chars,
  };
}
