/**
 * The lab: the services behind every front end (the rnn-lab command, the desktop app and browser
 * mode), put together over one database (this process is its only writer) and one worker pool.
 * Each method hands over to the service that does it; the services get what they need from here.
 *
 * A process that dies leaves its runs 'running' with a dead owner, and its queue in the database;
 * the next Lab.open marks those runs 'interrupted' and empties that queue.
 */
import { availableParallelism } from 'node:os';
import type { EvalResult } from '../../src-worker/engine/evaluate.ts';
import type { BaselinesReport, CellInspection, ExecutionStatus, CharacterLossReport, Comparison, ExperimentPlan, GradientFlowReport, PassageRequest } from '../api/contract.ts';
import type { CheckpointKind, CorpusDetails, CorpusMeta, Experiment, ExperimentSpec, ExperimentSpecInput, ExportFormat, LabEvent, ModelInfo, Run, SweepReport } from '../api/types.ts';
import { PiscinaExecutor } from '../pool/piscina-executor.ts';
import { TrainingPool, type TrainingPoolOptions } from '../pool/pool.ts';
import { openDatabase } from '../store/database.ts';
import { LabStore } from '../store/lab-store.ts';
import { CorpusService } from './corpus-service.ts';
import { LabError } from './errors.ts';
import { ensureDemo } from './demo.ts';
import { Diagnostics } from './diagnostics.ts';
import { LabEvents } from './events.ts';
import { ExperimentService } from './experiment-service.ts';
import { Inference, type GenerateOpts } from './inference.ts';
import { metricsTable, type MetricsRow } from './metrics.ts';
import { ModelService } from './model-service.ts';
import { LabRecords } from './records.ts';
import { RunControl } from './run-control.ts';
import { RemoteExecutor } from '../remote/remote-executor.ts';
import { parseRedisUrl } from '../remote/redis-url.ts';
import { Scheduler } from './scheduler.ts';
import { confirmSweep } from './sweep-confirm.ts';
import { sweepReport } from './sweep-report.ts';
import type { TaskName } from './tasks/index.ts';
import { TrainingRecords } from './training-records.ts';

// what the command line, the report, the API and their tests import from here
export { DEMO_EXPERIMENT_NAME } from './demo.ts';
export { LabError } from './errors.ts';
export { flatten, vocabDifference } from './experiment-service.ts';
export type { RunConfig } from './experiments.ts';
export type { MetricsRow } from './metrics.ts';

export interface LabOptions {
  /** database file, or ':memory:' */
  db: string;
  /** concurrent training runs (default: one per core) */
  workers?: number;
  pool?: Omit<TrainingPoolOptions, 'maxThreads'>;
  /** this process, as recorded in runs.owner_pid */
  pid?: number;
  /** better-sqlite3 addon built for this runtime's ABI (Electron), if not the default one */
  sqliteBinding?: string;
  /** how often to look for pause/cancel requests from other processes, ms */
  controlPollMs?: number;
  /** browse only: the file is opened read-only, and every write fails with the store's 'read-only' error */
  readOnly?: boolean;
  /** train on remote workers through Redis instead of this machine's pool (src-main/remote) */
  remote?: RemoteOptions;
}

export interface RemoteOptions {
  /** redis://HOST:PORT, with a password for AUTH, or rediss:// for TLS (see redis-url.ts) */
  url: string;
  /** allow a plain redis:// URL to another machine without a password */
  insecure?: boolean;
  /** the connection went down (with its error) or came back (null) */
  onConnection?: (error: string | null) => void;
}

export class Lab {
  readonly store: LabStore;
  /** the database file, as opened */
  readonly database: string;
  /**
   * threads training may use: the runs running at once take at most this many (a run takes its
   * config's train.threads), so the cores are never oversubscribed
   */
  readonly workers: number;
  readonly readOnly: boolean;
  private readonly events = new LabEvents();
  private readonly records: LabRecords;
  private readonly corpora: CorpusService;
  private readonly models: ModelService;
  private readonly experiments: ExperimentService;
  private readonly scheduler: Scheduler;
  private readonly control: RunControl;
  private readonly inference: Inference;
  private readonly diagnostics: Diagnostics;
  /** made on first use, so a lab that only reads the database starts no threads */
  private pool: TrainingPool | null = null;
  private readonly local: PiscinaExecutor;
  private remote: RemoteExecutor | null;
  private readonly onConnection: RemoteOptions['onConnection'];
  private closed = false;

  private constructor(store: LabStore, opts: LabOptions) {
    this.store = store;
    this.database = opts.db;
    this.workers = opts.workers ?? availableParallelism();
    this.readOnly = opts.readOnly ?? false;
    const poolOptions: TrainingPoolOptions = { ...opts.pool, maxThreads: this.workers };
    const pool = (): TrainingPool => (this.pool ??= new TrainingPool(poolOptions));
    this.records = new LabRecords(store, this.events);
    this.corpora = new CorpusService(store);
    this.models = new ModelService(store, this.records);
    this.experiments = new ExperimentService(store, this.records, this.models, this.workers);
    const training = new TrainingRecords(store, this.events, this.records, this.corpora, this.models);
    const pid = opts.pid ?? process.pid;
    this.onConnection = opts.remote?.onConnection;
    this.remote = opts.remote ? new RemoteExecutor(parseRedisUrl(opts.remote.url, opts.remote), this.onConnection) : null;
    this.local = new PiscinaExecutor(this.workers, pool);
    this.scheduler = new Scheduler(store, this.records, training, this.remote ?? this.local, {
      pid,
      controlPollMs: opts.controlPollMs ?? 250,
    });
    this.control = new RunControl(store, this.records, this.scheduler, pid);
    this.inference = new Inference(store, this.records, this.models, pool);
    this.diagnostics = new Diagnostics(store, this.records, this.corpora, pool);
  }

  /** Opens (creating or migrating) the database, marks runs of dead processes interrupted and empties their queues. */
  static open(opts: LabOptions): Lab {
    if (opts.remote) parseRedisUrl(opts.remote.url, opts.remote); // a bad URL is refused before the database opens
    const store = new LabStore(openDatabase(opts.db, { nativeBinding: opts.sqliteBinding, readonly: opts.readOnly }));
    let interrupted: number[] = [];
    if (!opts.readOnly) {
      interrupted = store.runs.markInterrupted(isAlive);
      store.runs.releaseDeadQueues(isAlive);
    }
    const lab = new Lab(store, opts);
    if (lab.remote && interrupted.length) void lab.followRemote(lab.remote, interrupted);
    return lab;
  }

  /**
   * Runs a dead lab process was following on remote workers go on in Redis: they are queued again
   * at once, so the scheduler follows their jobs rather than leave them interrupted.
   */
  private async followRemote(remote: RemoteExecutor, interrupted: number[]): Promise<void> {
    const ids = await remote.inRedis(interrupted).catch(() => []);
    if (this.closed || ids.length === 0) return;
    this.scheduler.enqueue(ids.map((id) => this.records.run(id)));
  }

  /** Where runs train: this machine's pool, or remote workers with their connection and heartbeats. */
  execution(): ExecutionStatus {
    return this.remote ? { mode: 'redis', ...this.remote.status() } : { mode: 'local', threads: this.workers };
  }

  /**
   * Trains the runs started from now on here (null) or on remote workers through Redis; refused
   * while this lab has runs running or waiting, which stay with the executor they have.
   */
  async setExecution(remote: RemoteOptions | null): Promise<ExecutionStatus> {
    const target = remote && parseRedisUrl(remote.url, remote);
    if (this.scheduler.busy.length > 0) {
      throw new LabError('bad-state', 'this lab has runs running or waiting; pause them (or let them finish) before changing where runs train');
    }
    const before = this.remote;
    this.remote = target ? new RemoteExecutor(target, remote.onConnection ?? this.onConnection) : null;
    this.scheduler.useExecutor(this.remote ?? this.local);
    await before?.close();
    return this.execution();
  }

  on(listener: (e: LabEvent) => void): () => void {
    return this.events.on(listener);
  }

  // ---- corpora (corpus-service.ts) ----

  importCorpus(bytes: Uint8Array, opts: { name: string; keepCrlf?: boolean; maxBytes?: number; source?: string }): { corpus: CorpusDetails; existing: boolean } {
    return this.corpora.importCorpus(bytes, opts);
  }

  createTaskCorpus(task: TaskName, params: Record<string, number>): { corpus: CorpusDetails; existing: boolean } {
    return this.corpora.createTaskCorpus(task, params);
  }

  listCorpora(): CorpusMeta[] {
    return this.corpora.listCorpora();
  }

  corpus(id: number): CorpusDetails {
    return this.corpora.corpus(id);
  }

  deleteCorpus(id: number): void {
    this.corpora.deleteCorpus(id);
    this.diagnostics.forgetCorpus(id);
  }

  // ---- experiments (experiment-service.ts, demo.ts) ----

  planExperiment(input: { corpusId: number; spec: ExperimentSpecInput }): ExperimentPlan {
    return this.experiments.planExperiment(input);
  }

  createExperiment(input: { corpusId: number; name?: string; spec: ExperimentSpecInput }): { experiment: Experiment; runs: Run[] } {
    return this.experiments.createExperiment(input);
  }

  listExperiments() {
    return this.experiments.listExperiments();
  }

  experiment(id: number): { experiment: Experiment; spec: ExperimentSpec; runs: Run[] } {
    return this.records.experiment(id);
  }

  ensureDemo(): number | null {
    return ensureDemo(this.store, this.corpora, this.experiments);
  }

  run(id: number): Run {
    return this.records.run(id);
  }

  /** A copy of a run, queued at once when its experiment is training here, else not started. */
  duplicateRun(id: number): Run {
    return this.control.queueDuplicate(this.experiments.duplicateRun(id));
  }

  compareRuns(ids: number[]): Comparison {
    return this.experiments.compareRuns(ids);
  }

  // ---- sweeps (sweep-report.ts, sweep-confirm.ts) ----

  /** A sweep's results per cell; bad-input for an experiment that is not a sweep. */
  sweepReport(experimentId: number): SweepReport {
    return sweepReport(this.store, this.records, experimentId);
  }

  /** The id of the experiment that reruns each cell's best trial on fresh seeds (made once, not started). */
  confirmSweep(experimentId: number, seeds?: number): number {
    return confirmSweep(this.store, this.records, this.experiments, experimentId, seeds);
  }

  // ---- run control and scheduling (run-control.ts, scheduler.ts) ----

  deleteExperiment(id: number): void {
    this.control.deleteExperiment(id);
  }

  runExperiment(id: number): number[] {
    return this.control.runExperiment(id);
  }

  resumeRun(id: number): void {
    this.control.resumeRun(id);
  }

  pauseRun(id: number): void {
    this.control.pauseRun(id);
  }

  cancelRun(id: number): void {
    this.control.cancelRun(id);
  }

  whenIdle(): Promise<void> {
    return this.scheduler.whenIdle();
  }

  get busy(): number[] {
    return this.scheduler.busy;
  }

  // ---- using models (inference.ts) ----

  evaluate(runId: number, text: string, which: CheckpointKind = 'best'): Promise<EvalResult> {
    return this.inference.evaluate(runId, text, which);
  }

  evaluateModel(modelId: number, text: string): Promise<EvalResult> {
    return this.inference.evaluateModel(modelId, text);
  }

  generate(runId: number, opts: GenerateOpts & { checkpoint?: CheckpointKind }, onText?: (text: string) => void): Promise<string> {
    return this.inference.generate(runId, opts, onText);
  }

  generateFromModel(modelId: number, opts: GenerateOpts, onText?: (text: string) => void): Promise<string> {
    return this.inference.generateFromModel(modelId, opts, onText);
  }

  // ---- inside the cells (diagnostics.ts) ----

  gradientFlow(runId: number, opts: { checkpoint?: CheckpointKind; window?: number } = {}): Promise<GradientFlowReport> {
    return this.diagnostics.gradientFlow(runId, opts);
  }

  inspectCells(runId: number, req: PassageRequest & { checkpoint?: CheckpointKind } = {}): Promise<CellInspection> {
    return this.diagnostics.inspectCells(runId, req);
  }

  characterLosses(runIds: number[], req: PassageRequest & { checkpoint?: CheckpointKind; topK?: number } = {}): Promise<CharacterLossReport> {
    return this.diagnostics.characterLosses(runIds, req);
  }

  baselines(corpusId: number): Promise<BaselinesReport> {
    return this.diagnostics.baselines(corpusId);
  }

  // ---- model files (model-service.ts) ----

  importModel(bytes: Uint8Array, opts: { name: string; vocab?: string[] }): { model: ModelInfo; existing: boolean } {
    return this.models.importModel(bytes, opts);
  }

  listModels(): ModelInfo[] {
    return this.models.listModels();
  }

  model(id: number): ModelInfo {
    return this.models.model(id);
  }

  deleteModel(id: number): void {
    this.models.deleteModel(id);
  }

  exportModel(runId: number, which: CheckpointKind = 'best', format: ExportFormat = 'safetensors'): Uint8Array {
    return this.models.exportModel(runId, which, format);
  }

  // ---- numbers (metrics.ts) ----

  metricsTable(experimentId: number): MetricsRow[] {
    return metricsTable(this.store, this.records, experimentId);
  }

  /**
   * Stops: running runs of this process pause with a checkpoint (or are cancelled), waiting ones
   * leave its queue, back to what they were; then the pool and the database close.
   */
  async close(opts: { running?: 'pause' | 'cancel' } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.scheduler.close(opts);
    await this.remote?.close();
    await this.pool?.close();
    this.store.close();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
