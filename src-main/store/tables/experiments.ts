/** The experiments table: a corpus and the spec its runs were planned from. */
import { RUN_STATUSES, type Experiment, type ExperimentSummary, type RunStatus } from '../../api/types.ts';
import type { NewExperiment } from '../types.ts';
import { RUN_STATUS_SQL } from './runs.ts';
import { oneRow, prepareAll, Table } from './table.ts';

interface ExperimentRecord { id: number; name: string; corpus_id: number; spec: string; created_at: number }

const SQL = {
  insert: `INSERT INTO experiments (name, corpus_id, spec, created_at)
    VALUES (@name, @corpusId, @spec, @createdAt)`,
  get: 'SELECT id, name, corpus_id, spec, created_at FROM experiments WHERE id = ?',
  list: `SELECT e.id, e.name, e.corpus_id, e.spec, e.created_at, c.name AS corpus_name
    FROM experiments e JOIN corpora c ON c.id = e.corpus_id ORDER BY e.id DESC`,
  // the runs table's side of the summary: how many runs each experiment has in each status, as the wire says them
  runCounts: `SELECT experiment_id, ${RUN_STATUS_SQL} AS status, count(*) AS n FROM runs GROUP BY experiment_id, 2`,
  // the schema cascades to the runs and everything they recorded
  delete: 'DELETE FROM experiments WHERE id = ?',
};

export class ExperimentsTable extends Table {
  private readonly sql = prepareAll(this.db, SQL);

  insert(e: NewExperiment): number {
    const info = this.sql.insert.run({
      name: e.name, corpusId: e.corpusId, spec: JSON.stringify(e.spec), createdAt: this.now(),
    });
    return Number(info.lastInsertRowid);
  }

  get(id: number): Experiment | null {
    return oneRow(this.sql.get, toExperiment, id);
  }

  /** All experiments, newest first, with their corpus name and run counts by status. */
  list(): ExperimentSummary[] {
    const rows = this.sql.list.all() as (ExperimentRecord & { corpus_name: string })[];
    const counts = this.sql.runCounts.all() as { experiment_id: number; status: RunStatus; n: number }[];
    const byExperiment = new Map<number, Record<RunStatus, number>>();
    for (const c of counts) {
      let rec = byExperiment.get(c.experiment_id);
      if (!rec) byExperiment.set(c.experiment_id, (rec = zeroCounts()));
      rec[c.status] = c.n;
    }
    return rows.map((r) => {
      const runCounts = byExperiment.get(r.id) ?? zeroCounts();
      const runs = Object.values(runCounts).reduce((a, b) => a + b, 0);
      return { ...toExperiment(r), corpusName: r.corpus_name, runs, runCounts };
    });
  }

  /** Deletes an experiment with its runs, metrics, evals, checkpoints and samples. */
  delete(id: number): boolean {
    return this.sql.delete.run(id).changes > 0;
  }
}

function toExperiment(r: ExperimentRecord): Experiment {
  return { id: r.id, name: r.name, corpusId: r.corpus_id, spec: JSON.parse(r.spec), createdAt: r.created_at };
}

function zeroCounts(): Record<RunStatus, number> {
  return Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
}
