/** The samples table: text a run generated at a step, with the prime and temperature it used. */
import type { Sample } from '../../api/types.ts';
import type { NewSample } from '../types.ts';
import { allRows, prepareAll, Table } from './table.ts';

interface SampleRecord {
  id: number; run_id: number; step: number; prime: string; temperature: number; text: string; created_at: number;
}

const SQL = {
  insert: `INSERT INTO samples (run_id, step, prime, temperature, text, created_at)
    VALUES (@runId, @step, @prime, @temperature, @text, @createdAt)`,
  list: 'SELECT id, run_id, step, prime, temperature, text, created_at FROM samples WHERE run_id = ? ORDER BY step, id',
  deleteAfter: 'DELETE FROM samples WHERE run_id = ? AND step > ?',
};

export class SamplesTable extends Table {
  private readonly sql = prepareAll(this.db, SQL);

  insert(runId: number, s: NewSample): number {
    const info = this.sql.insert.run({
      runId, step: s.step, prime: s.prime, temperature: s.temperature, text: s.text, createdAt: this.now(),
    });
    return Number(info.lastInsertRowid);
  }

  list(runId: number): Sample[] {
    return allRows(this.sql.list, toSample, runId);
  }

  deleteAfter(runId: number, step: number): void {
    this.sql.deleteAfter.run(runId, step);
  }
}

function toSample(r: SampleRecord): Sample {
  return {
    id: r.id, runId: r.run_id, step: r.step, prime: r.prime, temperature: r.temperature, text: r.text,
    createdAt: r.created_at,
  };
}
