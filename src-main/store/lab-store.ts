/**
 * Typed queries over the lab database, one class a table (tables/), all on the one connection and
 * the one clock. Every statement is prepared once, when the store opens, and every value goes in
 * as a bound parameter. Rows come out as plain camelCase objects; JSON columns are parsed (their
 * shapes belong to the lab services, so they come out as `unknown`). Timestamps are unix
 * milliseconds.
 *
 * A query that reads a second table stays with the table it answers for: the experiments that
 * keep a corpus from being deleted are asked by corpora.delete, the run counts by
 * experiments.list, and deleting an experiment cascades to its runs in the schema. Here is only
 * what writes several tables at once.
 */
import type { Database } from 'better-sqlite3';
import { CheckpointsTable } from './tables/checkpoints.ts';
import { CorporaTable } from './tables/corpora.ts';
import { EvalsTable } from './tables/evals.ts';
import { ExperimentsTable } from './tables/experiments.ts';
import { MetricsTable } from './tables/metrics.ts';
import { ModelsTable } from './tables/models.ts';
import { RunsTable } from './tables/runs.ts';
import { SamplesTable } from './tables/samples.ts';
import { immediateTransaction } from './tables/table.ts';
import type { LabStoreOptions } from './types.ts';

export class LabStore {
  readonly db: Database;
  readonly corpora: CorporaTable;
  readonly models: ModelsTable;
  readonly experiments: ExperimentsTable;
  readonly runs: RunsTable;
  readonly metrics: MetricsTable;
  readonly evals: EvalsTable;
  readonly checkpoints: CheckpointsTable;
  readonly samples: SamplesTable;

  constructor(db: Database, opts: LabStoreOptions = {}) {
    const now = opts.now ?? Date.now;
    this.db = db;
    this.corpora = new CorporaTable(db, now);
    this.models = new ModelsTable(db, now);
    this.experiments = new ExperimentsTable(db, now);
    this.runs = new RunsTable(db, now);
    this.metrics = new MetricsTable(db, now);
    this.evals = new EvalsTable(db, now);
    this.checkpoints = new CheckpointsTable(db, now);
    this.samples = new SamplesTable(db, now);
  }

  close(): void {
    this.db.close();
  }

  /**
   * Runs fn in one transaction (a savepoint when nested) and returns its result; a throw rolls
   * everything in it back. Why it is BEGIN IMMEDIATE: immediateTransaction.
   */
  transaction<T>(fn: () => T): T {
    return immediateTransaction(this.db, fn);
  }

  /** Forgets metrics, evals and samples after step: a run resumed from an older checkpoint. */
  deleteHistoryAfter(runId: number, step: number): void {
    this.transaction(() => {
      this.metrics.deleteAfter(runId, step);
      this.evals.deleteAfter(runId, step);
      this.samples.deleteAfter(runId, step);
    });
  }
}
