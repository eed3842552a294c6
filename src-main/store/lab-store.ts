/**
 * Typed queries over the lab database. Every statement is prepared once, in the constructor, and
 * every value goes in as a bound parameter. Rows come out as plain camelCase objects; JSON columns
 * are parsed (their shapes belong to the lab services, so they come out as `unknown`).
 *
 * Timestamps are unix milliseconds. Not-a-number losses are stored as NULL and read back as NaN.
 */
import type { Database, Statement } from 'better-sqlite3';
import { RUN_STATUSES, type CheckpointKind, type ControlRequest, type CorpusKind, type CorpusMeta, type EvalRow, type Experiment, type ExperimentSummary, type MetricRow, type ModelSourceFormat, type Run, type RunStatus, type Sample } from '../api/types.ts';
import { StoreError, sqliteCode } from './errors.ts';

/** statuses a process may claim a run from */
const CLAIMABLE: readonly RunStatus[] = ['queued', 'paused', 'interrupted'];
/** statuses after which a run is over (finished_at is set, control cleared) */
const TERMINAL: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

export interface NewCorpus {
  name: string;
  kind: CorpusKind;
  /** task parameters (kind 'task'), null for files */
  task: unknown;
  sha256: string;
  text: string;
  chars: number;
  vocab: readonly string[];
  validFraction?: number;
  /** one byte per character, 1 where the character can be predicted (task corpora) */
  predictable?: Uint8Array | null;
  /** task corpora: 1 where predicting the character needs the long-range memory the task is about */
  longRange?: Uint8Array | null;
  /** the original file name */
  source?: string | null;
}

export interface Corpus extends CorpusMeta {
  text: string;
  predictable: Uint8Array | null;
  longRange: Uint8Array | null;
}

export interface NewExperiment {
  name: string;
  corpusId: number;
  spec: unknown;
}



export interface NewRun {
  cell: string;
  seed: number;
  /** the resolved model and train config */
  config: unknown;
  params: number;
  /** total planned steps */
  steps: number;
}


/** progress fields; status changes go through claimRun / setRunStatus */
export interface RunUpdate {
  step?: number;
  steps?: number;
  bestValLoss?: number | null;
  elapsed?: number;
  error?: string | null;
  config?: unknown;
  params?: number;
}



export interface Checkpoint {
  step: number;
  valLoss: number | null;
  /** its own ArrayBuffer, exactly the checkpoint's bytes: safe to transfer to a worker */
  state: Uint8Array;
  createdAt: number;
}

export interface NewSample {
  step: number;
  prime: string;
  temperature: number;
  text: string;
}



export interface NewModel {
  name: string;
  /** 'rnn-lab': read with loadModel; 'pytorch': importTorchModel with the stored vocab */
  format: ModelSourceFormat;
  sha256: string;
  config: unknown;
  vocab: readonly string[];
  provenance: Record<string, unknown>;
  /** the file as given */
  bytes: Uint8Array;
}

export interface ModelMeta {
  id: number;
  name: string;
  format: ModelSourceFormat;
  sha256: string;
  config: unknown;
  vocab: string[];
  provenance: Record<string, unknown>;
  /** size of the file */
  size: number;
  createdAt: number;
}

export interface StoredModel extends ModelMeta {
  bytes: Uint8Array;
}

export interface LabStoreOptions {
  /** the clock for created_at / started_at / finished_at (tests pin it) */
  now?: () => number;
}

// Raw rows as SQLite returns them.
interface CorpusRecord {
  id: number; name: string; kind: CorpusKind; task: string | null; sha256: string; chars: number;
  vocab: string; valid_fraction: number; source: string | null; created_at: number;
  text?: string; predictable?: Buffer | null; long_range?: Buffer | null;
}
interface ModelRecord {
  id: number; name: string; format: ModelSourceFormat; sha256: string; config: string; vocab: string;
  provenance: string; size: number; created_at: number; bytes?: Buffer;
}
interface ExperimentRecord { id: number; name: string; corpus_id: number; spec: string; created_at: number }
interface RunRecord {
  id: number; experiment_id: number; cell: string; seed: number; config: string; params: number;
  status: RunStatus; error: string | null; step: number; steps: number; best_val_loss: number | null;
  elapsed: number; owner_pid: number | null; control: ControlRequest | null; created_at: number;
  started_at: number | null; finished_at: number | null;
}
interface MetricRecord {
  step: number; chars_seen: number; wall_seconds: number; train_loss: number | null; grad_norm: number | null;
  clipped: number; lr: number; chars_per_second: number;
}
interface EvalRecord {
  step: number; val_loss: number | null; bits_per_char: number | null; accuracy: number | null;
  predictable_accuracy: number | null; long_range_accuracy: number | null; chars: number;
}
interface SampleRecord {
  id: number; run_id: number; step: number; prime: string; temperature: number; text: string; created_at: number;
}

const CORPUS_META_COLUMNS = 'id, name, kind, task, sha256, chars, vocab, valid_fraction, source, created_at';
const MODEL_META_COLUMNS = 'id, name, format, sha256, config, vocab, provenance, length(bytes) AS size, created_at';
const RUN_COLUMNS =
  'id, experiment_id, cell, seed, config, params, status, error, step, steps, best_val_loss, elapsed, ' +
  'owner_pid, control, created_at, started_at, finished_at';
const STATUS_LIST = (statuses: readonly RunStatus[]) => statuses.map((s) => `'${s}'`).join(', ');

export class LabStore {
  readonly db: Database;
  private readonly now: () => number;
  private readonly sql;

  constructor(db: Database, opts: LabStoreOptions = {}) {
    this.db = db;
    this.now = opts.now ?? Date.now;
    this.sql = prepareAll(db);
  }

  close(): void {
    this.db.close();
  }

  /**
   * Runs fn in one transaction (a savepoint when nested) and returns its result; a throw rolls
   * everything in it back. BEGIN IMMEDIATE: the write lock is taken up front, so a read followed
   * by a write cannot fail with SQLITE_BUSY_SNAPSHOT when another process wrote in between.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // ---- corpora ----

  insertCorpus(c: NewCorpus): number {
    const info = this.sql.insertCorpus.run({
      name: c.name,
      kind: c.kind,
      task: c.task === null || c.task === undefined ? null : JSON.stringify(c.task),
      sha256: c.sha256,
      text: c.text,
      chars: c.chars,
      vocab: JSON.stringify(c.vocab),
      validFraction: c.validFraction ?? 0.1,
      predictable: c.predictable ?? null,
      longRange: c.longRange ?? null,
      source: c.source ?? null,
      createdAt: this.now(),
    });
    return Number(info.lastInsertRowid);
  }

  getCorpus(id: number): Corpus | null {
    const r = this.sql.getCorpus.get(id) as CorpusRecord | undefined;
    return r ? { ...toCorpusMeta(r), text: r.text ?? '', predictable: r.predictable ? ownBytes(r.predictable) : null, longRange: r.long_range ? ownBytes(r.long_range) : null } : null;
  }

  getCorpusMeta(id: number): CorpusMeta | null {
    const r = this.sql.getCorpusMeta.get(id) as CorpusRecord | undefined;
    return r ? toCorpusMeta(r) : null;
  }

  findCorpusBySha(sha256: string): CorpusMeta | null {
    const r = this.sql.findCorpusBySha.get(sha256) as CorpusRecord | undefined;
    return r ? toCorpusMeta(r) : null;
  }

  listCorpora(): CorpusMeta[] {
    return (this.sql.listCorpora.all() as CorpusRecord[]).map(toCorpusMeta);
  }

  /** Deletes a corpus nobody uses; false if there was none. Throws 'in-use' naming the experiments. */
  deleteCorpus(id: number): boolean {
    const users = this.sql.experimentsUsingCorpus.all(id) as { id: number; name: string }[];
    if (users.length > 0) throw this.corpusInUse(id, users);
    try {
      return this.sql.deleteCorpus.run(id).changes > 0;
    } catch (err) {
      // Another process added an experiment between the check and the delete.
      if (isForeignKeyError(err)) {
        throw this.corpusInUse(id, this.sql.experimentsUsingCorpus.all(id) as { id: number; name: string }[], err);
      }
      throw err;
    }
  }

  private corpusInUse(id: number, users: { id: number; name: string }[], cause?: unknown): StoreError {
    const corpus = this.getCorpusMeta(id);
    const label = corpus ? `'${corpus.name}'` : `#${id}`;
    const names = users.map((e) => `'${e.name}'`).join(', ');
    const noun = users.length === 1 ? 'experiment' : 'experiments';
    return new StoreError(
      'in-use',
      `corpus ${label} is used by the ${noun} ${names || '(unknown)'}; delete ${users.length === 1 ? 'it' : 'them'} first`,
      { cause },
    );
  }

  // ---- models ----

  insertModel(m: NewModel): number {
    const info = this.sql.insertModel.run({
      name: m.name, format: m.format, sha256: m.sha256, config: JSON.stringify(m.config), vocab: JSON.stringify(m.vocab),
      provenance: JSON.stringify(m.provenance), bytes: m.bytes, createdAt: this.now(),
    });
    return Number(info.lastInsertRowid);
  }

  /** A model with its file's bytes. */
  getModel(id: number): StoredModel | null {
    const r = this.sql.getModel.get(id) as ModelRecord | undefined;
    return r ? { ...toModelMeta(r), bytes: ownBytes(r.bytes!) } : null;
  }

  getModelMeta(id: number): ModelMeta | null {
    const r = this.sql.getModelMeta.get(id) as ModelRecord | undefined;
    return r ? toModelMeta(r) : null;
  }

  findModelBySha(sha256: string): ModelMeta | null {
    const r = this.sql.findModelBySha.get(sha256) as ModelRecord | undefined;
    return r ? toModelMeta(r) : null;
  }

  listModels(): ModelMeta[] {
    return (this.sql.listModels.all() as ModelRecord[]).map(toModelMeta);
  }

  /** false if there was none */
  deleteModel(id: number): boolean {
    return this.sql.deleteModel.run(id).changes > 0;
  }

  // ---- experiments ----

  insertExperiment(e: NewExperiment): number {
    const info = this.sql.insertExperiment.run({
      name: e.name, corpusId: e.corpusId, spec: JSON.stringify(e.spec), createdAt: this.now(),
    });
    return Number(info.lastInsertRowid);
  }

  getExperiment(id: number): Experiment | null {
    const r = this.sql.getExperiment.get(id) as ExperimentRecord | undefined;
    return r ? toExperiment(r) : null;
  }

  /** All experiments, newest first, with their corpus name and run counts by status. */
  listExperiments(): ExperimentSummary[] {
    const rows = this.sql.listExperiments.all() as (ExperimentRecord & { corpus_name: string })[];
    const counts = this.sql.runCountsByExperiment.all() as { experiment_id: number; status: RunStatus; n: number }[];
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
  deleteExperiment(id: number): boolean {
    return this.sql.deleteExperiment.run(id).changes > 0;
  }

  // ---- runs ----

  /** Inserts queued runs in one transaction; returns their ids in order. */
  insertRuns(experimentId: number, rows: readonly NewRun[]): number[] {
    const createdAt = this.now();
    return this.transaction(() =>
      rows.map((r) =>
        Number(
          this.sql.insertRun.run({
            experimentId, cell: r.cell, seed: r.seed, config: JSON.stringify(r.config),
            params: r.params, steps: r.steps, createdAt,
          }).lastInsertRowid,
        ),
      ),
    );
  }

  getRun(id: number): Run | null {
    const r = this.sql.getRun.get(id) as RunRecord | undefined;
    return r ? toRun(r) : null;
  }

  listRuns(experimentId: number): Run[] {
    return (this.sql.listRuns.all(experimentId) as RunRecord[]).map(toRun);
  }

  listRunsByStatus(status: RunStatus): Run[] {
    return (this.sql.listRunsByStatus.all(status) as RunRecord[]).map(toRun);
  }

  /** Updates the given progress fields only; false if there is no such run. */
  updateRun(id: number, u: RunUpdate): boolean {
    const has = (k: keyof RunUpdate) => (k in u && u[k] !== undefined ? 1 : 0);
    return (
      this.sql.updateRun.run({
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
  claimRun(id: number, pid: number): boolean {
    return this.sql.claimRun.run({ id, pid, now: this.now() }).changes > 0;
  }

  /**
   * Sets a run's status. Leaving 'running' releases the owner; a terminal status (completed,
   * failed, cancelled) sets finished_at and drops any pending control request. `error` is
   * written when given (pass null to clear it). To enter 'running' use claimRun.
   */
  setRunStatus(id: number, status: RunStatus, opts: { error?: string | null } = {}): boolean {
    if (status === 'running') throw new Error('setRunStatus cannot set running; use claimRun');
    return (
      this.sql.setRunStatus.run({
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
    return this.transaction(() => {
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
    return this.transaction(() => {
      const running = this.sql.runningOwners.all() as { id: number; owner_pid: number }[];
      const ids: number[] = [];
      for (const r of running) {
        if (isAlive(r.owner_pid)) continue;
        if (this.sql.interruptRun.run({ id: r.id, pid: r.owner_pid }).changes > 0) ids.push(r.id);
      }
      return ids;
    });
  }

  // ---- metrics and evals ----

  /** Writes a batch of metric rows in one transaction; a row at an existing step replaces it. */
  insertMetrics(runId: number, rows: readonly MetricRow[]): void {
    if (rows.length === 0) return;
    this.transaction(() => {
      for (const m of rows) {
        this.sql.insertMetric.run({
          runId, step: m.step, charsSeen: m.charsSeen, wallSeconds: m.wallSeconds,
          trainLoss: nanToNull(m.trainLoss), gradNorm: nanToNull(m.gradNorm),
          clipped: m.clipped ? 1 : 0, lr: m.lr, charsPerSecond: m.charsPerSecond,
        });
      }
    });
  }

  /** Metric rows in step order, from fromStep (inclusive) when given. */
  listMetrics(runId: number, opts: { fromStep?: number } = {}): MetricRow[] {
    return (this.sql.listMetrics.all(runId, opts.fromStep ?? -1) as MetricRecord[]).map(toMetric);
  }

  /** Forgets metrics, evals and samples after step: a run resumed from an older checkpoint. */
  deleteMetricsAfter(runId: number, step: number): void {
    this.transaction(() => {
      this.sql.deleteMetricsAfter.run(runId, step);
      this.sql.deleteEvalsAfter.run(runId, step);
      this.sql.deleteSamplesAfter.run(runId, step);
    });
  }

  insertEval(runId: number, e: EvalRow): void {
    this.sql.insertEval.run({
      runId, step: e.step, valLoss: nanToNull(e.valLoss), bitsPerChar: nanToNull(e.bitsPerChar),
      accuracy: nanToNull(e.accuracy), predictableAccuracy: nanToNull(e.predictableAccuracy ?? NaN),
      longRangeAccuracy: nanToNull(e.longRangeAccuracy ?? NaN), chars: e.chars,
    });
  }

  listEvals(runId: number): EvalRow[] {
    return (this.sql.listEvals.all(runId) as EvalRecord[]).map((r) => ({
      step: r.step, valLoss: nanIfNull(r.val_loss), bitsPerChar: nanIfNull(r.bits_per_char),
      accuracy: nanIfNull(r.accuracy), predictableAccuracy: r.predictable_accuracy, longRangeAccuracy: r.long_range_accuracy,
      chars: r.chars,
    }));
  }

  // ---- checkpoints ----

  /** Stores the run's 'last' or 'best' checkpoint, replacing the previous one of that kind. */
  putCheckpoint(runId: number, kind: CheckpointKind, step: number, valLoss: number | null, state: Uint8Array): void {
    this.sql.putCheckpoint.run({ runId, kind, step, valLoss, state, createdAt: this.now() });
  }

  getCheckpoint(runId: number, kind: CheckpointKind): Checkpoint | null {
    const r = this.sql.getCheckpoint.get(runId, kind) as
      | { step: number; val_loss: number | null; state: Buffer; created_at: number }
      | undefined;
    return r ? { step: r.step, valLoss: r.val_loss, state: ownBytes(r.state), createdAt: r.created_at } : null;
  }

  // ---- samples ----

  insertSample(runId: number, s: NewSample): number {
    const info = this.sql.insertSample.run({
      runId, step: s.step, prime: s.prime, temperature: s.temperature, text: s.text, createdAt: this.now(),
    });
    return Number(info.lastInsertRowid);
  }

  listSamples(runId: number): Sample[] {
    return (this.sql.listSamples.all(runId) as SampleRecord[]).map((r) => ({
      id: r.id, runId: r.run_id, step: r.step, prime: r.prime, temperature: r.temperature, text: r.text,
      createdAt: r.created_at,
    }));
  }
}

function prepareAll(db: Database) {
  const p = (sql: string): Statement => db.prepare(sql);
  return {
    insertCorpus: p(`INSERT INTO corpora
      (name, kind, task, sha256, text, chars, vocab, valid_fraction, predictable, long_range, source, created_at)
      VALUES (@name, @kind, @task, @sha256, @text, @chars, @vocab, @validFraction, @predictable, @longRange, @source, @createdAt)`),
    getCorpus: p(`SELECT ${CORPUS_META_COLUMNS}, text, predictable, long_range FROM corpora WHERE id = ?`),
    getCorpusMeta: p(`SELECT ${CORPUS_META_COLUMNS} FROM corpora WHERE id = ?`),
    findCorpusBySha: p(`SELECT ${CORPUS_META_COLUMNS} FROM corpora WHERE sha256 = ?`),
    listCorpora: p(`SELECT ${CORPUS_META_COLUMNS} FROM corpora ORDER BY id`),
    experimentsUsingCorpus: p('SELECT id, name FROM experiments WHERE corpus_id = ? ORDER BY id'),
    deleteCorpus: p('DELETE FROM corpora WHERE id = ?'),

    insertModel: p(`INSERT INTO models (name, format, sha256, config, vocab, provenance, bytes, created_at)
      VALUES (@name, @format, @sha256, @config, @vocab, @provenance, @bytes, @createdAt)`),
    getModel: p(`SELECT ${MODEL_META_COLUMNS}, bytes FROM models WHERE id = ?`),
    getModelMeta: p(`SELECT ${MODEL_META_COLUMNS} FROM models WHERE id = ?`),
    findModelBySha: p(`SELECT ${MODEL_META_COLUMNS} FROM models WHERE sha256 = ?`),
    listModels: p(`SELECT ${MODEL_META_COLUMNS} FROM models ORDER BY id`),
    deleteModel: p('DELETE FROM models WHERE id = ?'),

    insertExperiment: p(`INSERT INTO experiments (name, corpus_id, spec, created_at)
      VALUES (@name, @corpusId, @spec, @createdAt)`),
    getExperiment: p('SELECT id, name, corpus_id, spec, created_at FROM experiments WHERE id = ?'),
    listExperiments: p(`SELECT e.id, e.name, e.corpus_id, e.spec, e.created_at, c.name AS corpus_name
      FROM experiments e JOIN corpora c ON c.id = e.corpus_id ORDER BY e.id DESC`),
    runCountsByExperiment: p('SELECT experiment_id, status, count(*) AS n FROM runs GROUP BY experiment_id, status'),
    deleteExperiment: p('DELETE FROM experiments WHERE id = ?'),

    insertRun: p(`INSERT INTO runs (experiment_id, cell, seed, config, params, steps, created_at)
      VALUES (@experimentId, @cell, @seed, @config, @params, @steps, @createdAt)`),
    getRun: p(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`),
    listRuns: p(`SELECT ${RUN_COLUMNS} FROM runs WHERE experiment_id = ? ORDER BY id`),
    listRunsByStatus: p(`SELECT ${RUN_COLUMNS} FROM runs WHERE status = ? ORDER BY id`),
    updateRun: p(`UPDATE runs SET
      step          = CASE WHEN @hasStep    THEN @step        ELSE step          END,
      steps         = CASE WHEN @hasSteps   THEN @steps       ELSE steps         END,
      best_val_loss = CASE WHEN @hasBest    THEN @bestValLoss ELSE best_val_loss END,
      elapsed       = CASE WHEN @hasElapsed THEN @elapsed     ELSE elapsed       END,
      error         = CASE WHEN @hasError   THEN @error       ELSE error         END,
      config        = CASE WHEN @hasConfig  THEN @config      ELSE config        END,
      params        = CASE WHEN @hasParams  THEN @params      ELSE params        END
      WHERE id = @id`),
    claimRun: p(`UPDATE runs SET status = 'running', owner_pid = @pid, error = NULL,
      started_at = coalesce(started_at, @now), finished_at = NULL
      WHERE id = @id AND status IN (${STATUS_LIST(CLAIMABLE)})`),
    setRunStatus: p(`UPDATE runs SET status = @status, owner_pid = NULL,
      finished_at = CASE WHEN @terminal THEN @now ELSE finished_at END,
      control     = CASE WHEN @terminal THEN NULL ELSE control END,
      error       = CASE WHEN @hasError THEN @error ELSE error END
      WHERE id = @id`),
    requestControl: p(`UPDATE runs SET control = CASE WHEN control = 'cancel' THEN 'cancel' ELSE @request END
      WHERE id = @id AND status NOT IN (${STATUS_LIST(TERMINAL)})`),
    getControl: p('SELECT control FROM runs WHERE id = ?'),
    clearControl: p('UPDATE runs SET control = NULL WHERE id = ? AND control IS NOT NULL'),
    runningOwners: p(`SELECT id, owner_pid FROM runs WHERE status = 'running' ORDER BY id`),
    interruptRun: p(`UPDATE runs SET status = 'interrupted', owner_pid = NULL
      WHERE id = @id AND status = 'running' AND owner_pid = @pid`),

    insertMetric: p(`INSERT OR REPLACE INTO metrics
      (run_id, step, chars_seen, wall_seconds, train_loss, grad_norm, clipped, lr, chars_per_second)
      VALUES (@runId, @step, @charsSeen, @wallSeconds, @trainLoss, @gradNorm, @clipped, @lr, @charsPerSecond)`),
    listMetrics: p(`SELECT step, chars_seen, wall_seconds, train_loss, grad_norm, clipped, lr, chars_per_second
      FROM metrics WHERE run_id = ? AND step >= ? ORDER BY step`),
    deleteMetricsAfter: p('DELETE FROM metrics WHERE run_id = ? AND step > ?'),
    deleteEvalsAfter: p('DELETE FROM evals WHERE run_id = ? AND step > ?'),
    deleteSamplesAfter: p('DELETE FROM samples WHERE run_id = ? AND step > ?'),
    insertEval: p(`INSERT OR REPLACE INTO evals (run_id, step, val_loss, bits_per_char, accuracy, predictable_accuracy, long_range_accuracy, chars)
      VALUES (@runId, @step, @valLoss, @bitsPerChar, @accuracy, @predictableAccuracy, @longRangeAccuracy, @chars)`),
    listEvals: p(`SELECT step, val_loss, bits_per_char, accuracy, predictable_accuracy, long_range_accuracy, chars
      FROM evals WHERE run_id = ? ORDER BY step`),

    putCheckpoint: p(`INSERT INTO checkpoints (run_id, kind, step, val_loss, state, created_at)
      VALUES (@runId, @kind, @step, @valLoss, @state, @createdAt)
      ON CONFLICT (run_id, kind) DO UPDATE SET
        step = excluded.step, val_loss = excluded.val_loss, state = excluded.state, created_at = excluded.created_at`),
    getCheckpoint: p('SELECT step, val_loss, state, created_at FROM checkpoints WHERE run_id = ? AND kind = ?'),

    insertSample: p(`INSERT INTO samples (run_id, step, prime, temperature, text, created_at)
      VALUES (@runId, @step, @prime, @temperature, @text, @createdAt)`),
    listSamples: p('SELECT id, run_id, step, prime, temperature, text, created_at FROM samples WHERE run_id = ? ORDER BY step, id'),
  };
}

/**
 * An ON DELETE RESTRICT violation comes back as SQLITE_CONSTRAINT_TRIGGER (SQLite implements it
 * like a trigger), a deferred check as SQLITE_CONSTRAINT_FOREIGNKEY; both say "FOREIGN KEY".
 */
function isForeignKeyError(err: unknown): boolean {
  return (sqliteCode(err) ?? '').startsWith('SQLITE_CONSTRAINT') && err instanceof Error && /FOREIGN KEY/.test(err.message);
}

function toCorpusMeta(r: CorpusRecord): CorpusMeta {
  return {
    id: r.id, name: r.name, kind: r.kind, task: r.task === null ? null : JSON.parse(r.task),
    sha256: r.sha256, chars: r.chars, vocab: JSON.parse(r.vocab) as string[], validFraction: r.valid_fraction,
    source: r.source, createdAt: r.created_at,
  };
}

function toModelMeta(r: ModelRecord): ModelMeta {
  return {
    id: r.id, name: r.name, format: r.format, sha256: r.sha256, config: JSON.parse(r.config),
    vocab: JSON.parse(r.vocab) as string[], provenance: JSON.parse(r.provenance) as Record<string, unknown>,
    size: r.size, createdAt: r.created_at,
  };
}

function toExperiment(r: ExperimentRecord): Experiment {
  return { id: r.id, name: r.name, corpusId: r.corpus_id, spec: JSON.parse(r.spec), createdAt: r.created_at };
}

function toRun(r: RunRecord): Run {
  return {
    id: r.id, experimentId: r.experiment_id, cell: r.cell, seed: r.seed, config: JSON.parse(r.config),
    params: r.params, status: r.status, error: r.error, step: r.step, steps: r.steps,
    bestValLoss: r.best_val_loss, elapsed: r.elapsed, ownerPid: r.owner_pid, control: r.control,
    createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
  };
}

function toMetric(r: MetricRecord): MetricRow {
  return {
    step: r.step, charsSeen: r.chars_seen, wallSeconds: r.wall_seconds, trainLoss: nanIfNull(r.train_loss),
    gradNorm: nanIfNull(r.grad_norm), clipped: r.clipped === 1, lr: r.lr, charsPerSecond: r.chars_per_second,
  };
}

function zeroCounts(): Record<RunStatus, number> {
  return Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
}

function nanToNull(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}

function nanIfNull(x: number | null): number {
  return x === null ? NaN : x;
}

/** A Uint8Array that owns exactly its bytes, so its buffer can be transferred. */
function ownBytes(b: Buffer): Uint8Array {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) return new Uint8Array(b.buffer);
  return new Uint8Array(b);
}
