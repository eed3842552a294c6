/**
 * The lab: the services behind every front end (the rnn-lab command now, the desktop app and
 * browser mode next). It owns the database (the only writer), the worker pool and the scheduler
 * that hands queued runs to free workers, and it turns what the workers report into rows and
 * events.
 *
 * Runs belong to the process that claimed them (runs.owner_pid). Another process asks for a pause
 * or cancel through runs.control, which the owner polls; a process that dies leaves its runs
 * 'running' with a dead owner, and the next Lab.open marks them 'interrupted'.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { BaselinesReport, CellInspection, CharacterLossReport, Comparison, ExperimentPlan, GradientFlowReport, PassageRequest, RunSummary } from '../api/contract.ts';
import { CELLS, type CellName } from '../../src-worker/engine/cells/index.ts';
import { ConfigError, type ModelConfig, type TrainConfig } from '../../src-worker/engine/config.ts';
import { Vocab } from '../../src-worker/engine/data.ts';
import { gateInfo, type SaturationEntry } from '../../src-worker/engine/diagnostics/cell-trace.ts';
import type { EvalResult } from '../../src-worker/engine/evaluate.ts';
import { importTorchModel, loadModel, ModelFileError, saveModel, type LoadedModel } from '../../src-worker/engine/model-file.ts';
import { parameterCount } from '../../src-worker/engine/model.ts';
import { exportOnnx } from '../../src-worker/engine/onnx.ts';
import { modelFromState } from '../../src-worker/engine/trainer.ts';
import type { TrainEvent, TrainResult } from '../../src-worker/train-report.ts';
import { GENERATE_MAX_LENGTH, type ModelSource } from '../../src-worker/model-protocol.ts';
import { TrainingPool, type RunHandle, type TrainingPoolOptions } from '../pool/pool.ts';
import { openDatabase } from '../store/database.ts';
import { LabStore, type ModelMeta } from '../store/lab-store.ts';
import type { CheckpointKind, CorpusDetails, CorpusMeta, Experiment, ExperimentSpec, ExperimentSpecInput, ExportFormat, LabEvent, ModelInfo, Run, RunStatus } from '../api/types.ts';
import { corpusStats, encodeShared, prepareCorpus, splitCorpus } from './corpora.ts';
import { cellInspection, characterLossRun, flowWindows, gradientFlowReport, INSPECT_MAX_VALUES, PassageError, resolvePassage, SATURATION_CHARS } from './inside.ts';
import { experimentSpec, planRuns, type PlannedRun } from './experiments.ts';
import { generateTask, resolveTaskParams, TASKS, type TaskName } from './tasks/index.ts';

export class LabError extends Error {
  constructor(readonly code: 'not-found' | 'bad-state' | 'bad-input', message: string) {
    super(message);
    this.name = 'LabError';
  }
}

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
}

export interface RunConfig {
  model: ModelConfig;
  train: TrainConfig;
}

/** Speed of n threads over n times one thread's: measured 0.8 to 0.95 on two (npm run bench). */
const THREAD_EFFICIENCY = 0.9;

/** Threads a run trains on (runs stored before threads existed have none: one). */
function runThreads(config: RunConfig): number {
  return config.train.threads ?? 1;
}

export interface GenerateOpts {
  prime: string;
  length: number;
  temperature?: number;
  topK?: number;
  seed?: number;
}

/** Shared token ids of a corpus, made once and handed to every run on it without copying. */
interface CorpusIds {
  vocab: string[];
  train: Uint16Array;
  valid: Uint16Array;
  /** task corpora: the predictable and long-range marks of the validation characters */
  validMasks: { predictable: SharedArrayBuffer; longRange: SharedArrayBuffer } | null;
}

/**
 * The matrix-product FLOP/s planExperiment assumes one worker thread sustains for a model of hidden
 * size H; nothing is measured at run time. Small products run far below the kernels' peak: measured
 * with the WebAssembly kernels (npm run bench, the demo), about 3 GFLOP/s at H = 32, 13 to 16 at
 * H = 128 and 23 to 28 at H = 256, so 3 GFLOP/s per 32 units, up to 24.
 */
export function estimateFlopsPerSecond(m: ModelConfig): number {
  return 3e9 * Math.min(8, Math.max(1, m.hidden / 32));
}

export const DEMO_EXPERIMENT_NAME = 'Demo: RNN vs LSTM vs GRU recalling a letter 16 steps back';

/** Three small models, the same data, seed and steps. */
export const DEMO_SPEC: ExperimentSpecInput = {
  cells: ['rnn', 'lstm', 'gru'],
  seeds: 1,
  budget: { mode: 'hidden', hidden: 32 },
  // About 20 s on two cores. Measured on the recall task with lag 16 and the WebAssembly kernels:
  // at step 2500 the plain RNN recalls the letter 26% of the time (chance is 25%), the LSTM 75% and
  // the GRU 74% (seed 1); over seeds 1-3 the RNN stays at 26-53%, the gated cells reach 68-99%.
  // (At lag 12 the plain RNN sometimes learns it too.)
  train: { seqLen: 32, batch: 16, steps: 2500, clip: 5, optimizer: { name: 'adam', lr: 0.01 } },
  cadence: { evalEvery: 50, checkpointEvery: 250, sampleEvery: 500, sampleLength: 100 },
};

export class Lab {
  readonly store: LabStore;
  /** the database file, as opened */
  readonly database: string;
  /**
   * threads training may use: the runs running at once take at most this many (a run takes its
   * config's train.threads), so the cores are never oversubscribed
   */
  readonly workers: number;
  private readonly pid: number;
  private readonly poolOptions: TrainingPoolOptions;
  private pool: TrainingPool | null = null;
  private readonly active = new Map<number, RunHandle>();
  /** threads each active run uses */
  private readonly activeThreads = new Map<number, number>();
  private readonly queue: number[] = [];
  private readonly listeners = new Set<(e: LabEvent) => void>();
  private readonly idle = new Set<() => void>();
  private readonly corpusIds = new Map<number, CorpusIds>();
  /** per corpus, its reference losses (computed once, in the model worker) */
  private readonly baselineCache = new Map<number, Promise<BaselinesReport>>();
  /** per run checkpoint, its gate saturation (which does not depend on the passage inspected) */
  private readonly saturationCache = new Map<string, Promise<SaturationEntry[]>>();
  private readonly controlTimer: NodeJS.Timeout;
  private closed = false;

  private constructor(store: LabStore, opts: LabOptions) {
    this.store = store;
    this.database = opts.db;
    this.pid = opts.pid ?? process.pid;
    this.workers = opts.workers ?? availableParallelism();
    this.poolOptions = { ...opts.pool, maxThreads: this.workers };
    this.controlTimer = setInterval(() => this.pollControl(), opts.controlPollMs ?? 250);
    this.controlTimer.unref();
  }

  /** Opens (creating or migrating) the database and marks runs of dead processes interrupted. */
  static open(opts: LabOptions): Lab {
    const store = new LabStore(openDatabase(opts.db, { nativeBinding: opts.sqliteBinding }));
    store.markInterrupted(isAlive);
    return new Lab(store, opts);
  }

  on(listener: (e: LabEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: LabEvent): void {
    for (const l of this.listeners) l(e);
  }

  // ---- corpora ----

  /** Imports a text file's bytes; identical content returns the corpus already there. */
  importCorpus(bytes: Uint8Array, opts: { name: string; keepCrlf?: boolean; maxBytes?: number; source?: string }): { corpus: CorpusDetails; existing: boolean } {
    const prepared = prepareCorpus(bytes, { name: opts.name, keepCrlf: opts.keepCrlf, maxBytes: opts.maxBytes });
    const found = this.store.findCorpusBySha(prepared.sha256);
    if (found) return { corpus: this.corpus(found.id), existing: true };
    const id = this.store.insertCorpus({
      name: opts.name,
      kind: 'file',
      task: null,
      sha256: prepared.sha256,
      text: prepared.text,
      chars: prepared.chars,
      vocab: prepared.vocab,
      source: opts.source ?? null,
    });
    return { corpus: this.corpus(id), existing: false };
  }

  /** Generates a built-in task corpus from its parameters and seed. */
  createTaskCorpus(task: TaskName, params: Record<string, number>): { corpus: CorpusDetails; existing: boolean } {
    if (!(task in TASKS)) throw new LabError('bad-input', `unknown task ${JSON.stringify(task)}; allowed: ${Object.keys(TASKS).join(', ')}`);
    params = resolveTaskParams(task, params);
    const generated = generateTask(task, params);
    const prepared = prepareCorpus(new TextEncoder().encode(generated.text), { name: task });
    const sha256 = createHash('sha256').update(JSON.stringify({ task, params })).update(prepared.sha256).digest('hex');
    const found = this.store.findCorpusBySha(sha256);
    if (found) return { corpus: this.corpus(found.id), existing: true };
    const name = `${task} (${Object.entries(params).map(([k, v]) => `${k} ${v}`).join(', ')})`;
    const id = this.store.insertCorpus({
      name,
      kind: 'task',
      task: { name: task, params },
      sha256,
      text: prepared.text,
      chars: prepared.chars,
      vocab: prepared.vocab,
      predictable: generated.predictable,
      longRange: generated.longRange,
    });
    return { corpus: this.corpus(id), existing: false };
  }

  listCorpora(): CorpusMeta[] {
    return this.store.listCorpora();
  }

  corpus(id: number): CorpusDetails {
    const c = this.store.getCorpus(id);
    if (!c) throw new LabError('not-found', `no corpus ${id}`);
    const { text, predictable: _p, longRange: _l, ...meta } = c;
    return { ...meta, stats: corpusStats(text, c.vocab, c.validFraction) };
  }

  deleteCorpus(id: number): void {
    if (!this.store.deleteCorpus(id)) throw new LabError('not-found', `no corpus ${id}`);
    this.corpusIds.delete(id);
    this.baselineCache.delete(id);
  }

  // ---- experiments ----

  /** The runs an experiment would have on a corpus, checked as createExperiment checks them. */
  private plan(input: { corpusId: number; spec: ExperimentSpecInput }): { corpus: CorpusMeta; spec: ExperimentSpec; planned: PlannedRun[] } {
    const corpus = this.store.getCorpusMeta(input.corpusId);
    if (!corpus) throw new LabError('not-found', `no corpus ${input.corpusId}`);
    let spec = experimentSpec(input.spec);
    if (spec.initFrom) spec = this.initFromSpec(spec, spec.initFrom.modelId, corpus);
    const planned = planRuns(spec, corpus.vocab.length);
    const trainChars = corpus.chars - Math.round(corpus.chars * corpus.validFraction);
    for (const r of planned) {
      if (r.train.threads > this.workers) {
        throw new ConfigError('train.threads', `${r.train.threads} threads per run, but this lab trains on ${this.workers} (one per core)`);
      }
      const need = r.train.batch * r.train.seqLen + r.train.seqLen;
      if (trainChars < need) {
        throw new ConfigError('seqLen', `the training part of "${corpus.name}" has ${trainChars} characters; batch ${r.train.batch} x seqLen ${r.train.seqLen} needs at least ${need}`);
      }
    }
    return { corpus, spec, planned };
  }

  /**
   * The runs an experiment would have, and a rough wall-clock estimate: matrix-product FLOPs of
   * training and evaluation at estimateFlopsPerSecond per worker, runs spread over the workers.
   */
  planExperiment(input: { corpusId: number; spec: ExperimentSpecInput }): ExperimentPlan {
    const { corpus, spec, planned } = this.plan(input);
    const validChars = Math.round(corpus.chars * corpus.validFraction);
    const evalChars = spec.cadence.evalChars === 0 ? validChars : Math.min(spec.cadence.evalChars, validChars);
    const seconds = planned.map((r) => {
      const perChar = trainingFlopsPerChar(r.model);
      const trainFlops = r.train.steps * r.train.batch * r.train.seqLen * perChar;
      const evals = Math.floor(r.train.steps / spec.cadence.evalEvery) + 1;
      return (trainFlops + (evals * evalChars * perChar) / 3) / estimateFlopsPerSecond(r.model);
    });
    // longest run first onto the least loaded workers; a run of n threads takes n of them, at
    // THREAD_EFFICIENCY of n times one thread's speed
    const slots = new Array<number>(Math.max(1, Math.min(this.workers, availableParallelism()))).fill(0);
    const jobs = planned.map((r, i) => ({ threads: Math.min(r.train.threads, slots.length), seconds: seconds[i] }));
    for (const job of jobs.sort((a, b) => b.seconds - a.seconds)) {
      const least = slots.map((_, i) => i).sort((a, b) => slots[a] - slots[b]).slice(0, job.threads);
      const start = Math.max(...least.map((i) => slots[i]));
      for (const i of least) slots[i] = start + job.seconds / (job.threads === 1 ? 1 : job.threads * THREAD_EFFICIENCY);
    }
    return {
      runs: planned.map((r) => ({ cell: r.cell, seed: r.seed, hidden: r.model.hidden, params: r.params })),
      estimateSeconds: Math.max(...slots),
    };
  }

  /**
   * The spec of an experiment whose runs start from an imported model: the model's cell only, its
   * hidden, layers and embedding (over the budget), on a corpus with exactly its vocabulary.
   */
  private initFromSpec(spec: ExperimentSpec, modelId: number, corpus: CorpusMeta): ExperimentSpec {
    const m = this.model(modelId);
    const label = `model ${m.id} "${m.name}"`;
    const diff = vocabDifference(m.vocab, corpus.vocab);
    if (diff !== null) {
      throw new ConfigError('initFrom', `${label} cannot continue training on corpus "${corpus.name}": the vocabularies differ (${diff}); token ids must mean the same characters in both`);
    }
    const cell = m.config.cell;
    if (spec.cells.length !== 1 || spec.cells[0] !== cell) {
      throw new ConfigError('cells', `runs started from ${label} must use its cell, ${cell}; got ${spec.cells.join(', ')}`);
    }
    const { hidden, layers, embedding } = m.config;
    const o = spec.overrides[cell];
    return {
      ...spec,
      budget: { mode: 'hidden', hidden },
      model: { ...spec.model, layers, embedding },
      overrides: o?.model ? { ...spec.overrides, [cell]: { ...o, model: { ...o.model, hidden, layers, embedding } } } : spec.overrides,
    };
  }

  createExperiment(input: { corpusId: number; name?: string; spec: ExperimentSpecInput }): { experiment: Experiment; runs: Run[] } {
    const { corpus, spec, planned } = this.plan(input);
    const name = input.name?.trim() || `${spec.cells.join(' vs ')} on ${corpus.name}`;
    const id = this.store.transaction(() => {
      const experimentId = this.store.insertExperiment({ name, corpusId: corpus.id, spec });
      this.store.insertRuns(experimentId, planned.map((r) => ({
        cell: r.cell,
        seed: r.seed,
        config: { model: r.model, train: r.train } satisfies RunConfig,
        params: r.params,
        steps: r.train.steps,
      })));
      return experimentId;
    });
    return { experiment: this.store.getExperiment(id)!, runs: this.store.listRuns(id) };
  }

  listExperiments() {
    return this.store.listExperiments();
  }

  experiment(id: number): { experiment: Experiment; spec: ExperimentSpec; runs: Run[] } {
    const experiment = this.store.getExperiment(id);
    if (!experiment) throw new LabError('not-found', `no experiment ${id}`);
    return { experiment, spec: experiment.spec as ExperimentSpec, runs: this.store.listRuns(id) };
  }

  /**
   * On a fresh database (no corpora, no experiments): the recall task corpus (a letter must be
   * repeated 16 steps later) and a demo experiment, ready but not started. Returns the experiment's id, or null when the database was not empty.
   */
  ensureDemo(): number | null {
    if (this.store.listCorpora().length > 0 || this.store.listExperiments().length > 0) return null;
    const { corpus } = this.createTaskCorpus('recall', { lag: 16, length: 200_000 });
    return this.createExperiment({ corpusId: corpus.id, name: DEMO_EXPERIMENT_NAME, spec: DEMO_SPEC }).experiment.id;
  }

  deleteExperiment(id: number): void {
    const runs = this.store.listRuns(id);
    if (runs.some((r) => r.status === 'running')) throw new LabError('bad-state', `experiment ${id} has running runs; pause or cancel them first`);
    if (!this.store.deleteExperiment(id)) throw new LabError('not-found', `no experiment ${id}`);
    for (const r of runs) this.dequeue(r.id);
  }

  run(id: number): Run {
    const r = this.store.getRun(id);
    if (!r) throw new LabError('not-found', `no run ${id}`);
    return r;
  }

  /** A queued copy of a run (same cell, seed and config) in the same experiment. */
  duplicateRun(id: number): Run {
    const r = this.run(id);
    const config = r.config as RunConfig;
    const [copy] = this.store.insertRuns(r.experimentId, [{ cell: r.cell, seed: r.seed, config, params: r.params, steps: config.train.steps }]);
    const run = this.run(copy);
    this.emit({ type: 'run', run });
    return run;
  }

  /** Runs side by side: their results, and the config fields (dotted paths) whose values differ. */
  compareRuns(ids: number[]): Comparison {
    const runs = [...new Set(ids)].map((id): RunSummary => {
      const run = this.run(id);
      const config = run.config as RunConfig;
      const last = this.store.listMetrics(id, { fromStep: run.step }).at(-1);
      const best = run.bestValLoss;
      return {
        run,
        experimentName: this.store.getExperiment(run.experimentId)?.name ?? '',
        config,
        bestValLoss: best,
        bitsPerChar: best === null ? null : best / Math.LN2,
        perplexity: best === null ? null : Math.exp(best),
        seconds: run.elapsed,
        charsPerSecond: last && last.wallSeconds > 0 ? last.charsSeen / last.wallSeconds : null,
      };
    });
    const flat = runs.map((r) => flatten(r.config));
    const paths = [...new Set(flat.flatMap((f) => [...f.keys()]))].sort();
    const differences = paths.filter((p) => new Set(flat.map((f) => JSON.stringify(f.get(p) ?? null))).size > 1);
    return { runs, differences };
  }

  // ---- scheduling ----

  /** Queues every run of the experiment that has not ended (queued, paused, interrupted). Returns their ids. */
  runExperiment(id: number): number[] {
    const { runs } = this.experiment(id);
    const waiting = runs.filter((r) => r.status === 'queued' || r.status === 'paused' || r.status === 'interrupted');
    for (const r of waiting) this.checkWidth(r);
    for (const r of waiting) this.enqueue(r.id);
    return waiting.map((r) => r.id);
  }

  /** Continues a paused or interrupted run from its last checkpoint (or a queued one from the start). */
  resumeRun(id: number): void {
    const r = this.run(id);
    if (!['queued', 'paused', 'interrupted'].includes(r.status)) {
      throw new LabError('bad-state', `run ${id} is ${r.status}; only queued, paused or interrupted runs can be resumed`);
    }
    this.checkWidth(r);
    this.enqueue(id);
  }

  /** Pauses a run: it stops after writing a checkpoint. Works on runs of other processes too. */
  pauseRun(id: number): void {
    const r = this.run(id);
    const handle = this.active.get(id);
    if (handle) return handle.pause();
    if (this.dequeue(id)) return this.finishQueued(id, 'paused');
    if (r.status === 'running') {
      this.store.requestControl(id, 'pause');
      return;
    }
    if (r.status !== 'queued') throw new LabError('bad-state', `run ${id} is ${r.status}, not running`);
    this.setStatus(id, 'paused');
  }

  /** Cancels a run; it keeps its metrics and checkpoints but will not continue. */
  cancelRun(id: number): void {
    const r = this.run(id);
    const handle = this.active.get(id);
    if (handle) return handle.cancel();
    if (this.dequeue(id)) return this.finishQueued(id, 'cancelled');
    if (r.status === 'running') {
      this.store.requestControl(id, 'cancel');
      return;
    }
    if (['completed', 'failed', 'cancelled'].includes(r.status)) throw new LabError('bad-state', `run ${id} has already ended (${r.status})`);
    this.setStatus(id, 'cancelled');
  }

  /** Resolves when this process has no run queued or running. */
  whenIdle(): Promise<void> {
    if (this.active.size === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  /** Runs this process owns or has queued. */
  get busy(): number[] {
    return [...this.active.keys(), ...this.queue];
  }

  private enqueue(id: number): void {
    if (this.closed) throw new LabError('bad-state', 'the lab is closing');
    if (this.active.has(id) || this.queue.includes(id)) return;
    this.queue.push(id);
    this.pump();
  }

  /** Refuses a run that needs more threads than this lab trains on (it would wait forever), leaving it as it is. */
  private checkWidth(r: Run): void {
    const threads = runThreads(r.config as RunConfig);
    if (threads > this.workers) {
      throw new LabError('bad-input', `run ${r.id} needs ${threads} threads but this lab trains on ${this.workers}; open it with more workers (--workers ${threads})`);
    }
  }

  /** Takes a run out of the queue; the runs behind it may fit now. */
  private dequeue(id: number): boolean {
    const i = this.queue.indexOf(id);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    if (!this.closed) this.pump();
    this.notifyIdle();
    return true;
  }

  private finishQueued(id: number, status: 'paused' | 'cancelled'): void {
    const r = this.run(id);
    if (status === 'cancelled' || r.status === 'queued') this.setStatus(id, status);
  }

  /**
   * Starts queued runs, first come first served, while their threads fit in the free ones (enqueue
   * has refused runs wider than the lab, so the head always fits once enough runs end).
   */
  private pump(): void {
    while (this.queue.length > 0) {
      const id = this.queue[0];
      const run = this.store.getRun(id);
      if (!run) {
        this.queue.shift(); // deleted while it waited
        continue;
      }
      const threads = runThreads(run.config as RunConfig);
      let busy = 0;
      for (const n of this.activeThreads.values()) busy += n;
      if (busy + threads > this.workers) break;
      this.queue.shift();
      try {
        this.dispatch(id, threads);
      } catch (e) {
        this.store.setRunStatus(id, 'failed', { error: (e as Error).message });
        this.emit({ type: 'run', run: this.run(id) });
      }
    }
    this.notifyIdle();
  }

  private dispatch(id: number, threads: number): void {
    const before = this.run(id);
    if (!this.store.claimRun(id, this.pid)) return; // another process has it, or it ended meanwhile
    const { model, train } = before.config as RunConfig;
    const { spec, experiment } = this.experiment(before.experimentId);
    const ids = this.idsOf(experiment.corpusId);
    // Continue from the last checkpoint; anything recorded after it is recorded again, identically.
    const last = before.status === 'queued' ? null : this.store.getCheckpoint(id, 'last');
    const from = last?.step ?? 0;
    this.store.deleteMetricsAfter(id, from);
    const kept = this.store.listEvals(id).filter((e) => e.step <= from && Number.isFinite(e.valLoss));
    const bestValLoss = kept.length ? Math.min(...kept.map((e) => e.valLoss)) : null;
    const elapsedBefore = from === 0 ? 0 : (this.store.listMetrics(id, { fromStep: from }).find((m) => m.step === from)?.wallSeconds ?? 0);
    this.store.updateRun(id, { step: from, bestValLoss, elapsed: elapsedBefore });
    const initWeights = !last && spec.initFrom ? this.initWeights(spec.initFrom.modelId, model) : null;
    const handle = this.getPool().start({
      runId: id,
      model,
      train,
      cadence: spec.cadence,
      trainIds: ids.train.buffer as SharedArrayBuffer,
      validIds: ids.valid.buffer as SharedArrayBuffer,
      validMasks: ids.validMasks,
      vocab: ids.vocab,
      resume: last ? (last.state.buffer as ArrayBuffer) : null,
      initWeights,
      elapsedBefore,
      bestValLoss,
    }, { onEvent: (ev) => this.record(id, ev) });
    this.active.set(id, handle);
    this.activeThreads.set(id, threads);
    this.emit({ type: 'run', run: this.run(id) });
    void handle.result.then((result) => this.settle(id, result));
  }

  /** What a worker reports becomes rows (each message is one transaction) and events. */
  private record(runId: number, ev: TrainEvent): void {
    const s = this.store;
    switch (ev.type) {
      case 'metrics': {
        const last = ev.rows[ev.rows.length - 1];
        s.transaction(() => {
          s.insertMetrics(runId, ev.rows);
          s.updateRun(runId, { step: last.step, elapsed: last.wallSeconds });
        });
        this.emit({ type: 'metrics', runId, rows: ev.rows });
        return;
      }
      case 'eval': {
        const run = this.run(runId);
        s.transaction(() => {
          s.insertEval(runId, ev);
          if (run.bestValLoss === null || ev.valLoss < run.bestValLoss) s.updateRun(runId, { bestValLoss: ev.valLoss });
        });
        this.emit({ type: 'eval', runId, step: ev.step, valLoss: ev.valLoss, bitsPerChar: ev.bitsPerChar, accuracy: ev.accuracy, predictableAccuracy: ev.predictableAccuracy, longRangeAccuracy: ev.longRangeAccuracy });
        return;
      }
      case 'checkpoint':
        s.putCheckpoint(runId, ev.kind, ev.step, ev.valLoss, new Uint8Array(ev.state));
        this.emit({ type: 'checkpoint', runId, step: ev.step, kind: ev.kind });
        return;
      case 'sample':
        s.insertSample(runId, { step: ev.step, prime: ev.prime, temperature: ev.temperature, text: ev.text });
        this.emit({ type: 'sample', runId, step: ev.step, prime: ev.prime, temperature: ev.temperature, text: ev.text });
        return;
    }
  }

  private settle(id: number, result: TrainResult): void {
    this.active.delete(id);
    this.activeThreads.delete(id);
    const status: RunStatus = result.status;
    this.store.setRunStatus(id, status, result.status === 'failed' ? { error: result.error } : {});
    this.emit({ type: 'run', run: this.run(id) });
    if (!this.closed) this.pump();
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.active.size > 0 || this.queue.length > 0) return;
    for (const resolve of this.idle) resolve();
    this.idle.clear();
  }

  private setStatus(id: number, status: RunStatus): void {
    this.store.setRunStatus(id, status);
    this.emit({ type: 'run', run: this.run(id) });
  }

  /** Pause and cancel requests that other processes left in the database for runs we own. */
  private pollControl(): void {
    for (const [id, handle] of this.active) {
      const request = this.store.takeControl(id);
      if (request === 'pause') handle.pause();
      else if (request === 'cancel') handle.cancel();
    }
  }

  private idsOf(corpusId: number): CorpusIds {
    let ids = this.corpusIds.get(corpusId);
    if (!ids) {
      const c = this.store.getCorpus(corpusId)!;
      const { train, valid, trainChars } = splitCorpus(c.text, c.validFraction);
      const shared = (mask: Uint8Array): SharedArrayBuffer => {
        const buf = new SharedArrayBuffer(mask.length - trainChars);
        new Uint8Array(buf).set(mask.subarray(trainChars));
        return buf;
      };
      ids = {
        vocab: c.vocab,
        train: encodeShared(train, c.vocab),
        valid: encodeShared(valid, c.vocab),
        validMasks: c.predictable && c.longRange ? { predictable: shared(c.predictable), longRange: shared(c.longRange) } : null,
      };
      this.corpusIds.set(corpusId, ids);
    }
    return ids;
  }

  private getPool(): TrainingPool {
    if (!this.pool) this.pool = new TrainingPool(this.poolOptions);
    return this.pool;
  }

  // ---- models ----

  /** The training state of a run's best or last checkpoint. */
  private checkpoint(runId: number, which: CheckpointKind): { step: number; state: ArrayBuffer } {
    this.run(runId);
    const c = this.store.getCheckpoint(runId, which);
    if (!c) throw new LabError('not-found', `run ${runId} has no ${which} checkpoint yet`);
    return { step: c.step, state: c.state.buffer as ArrayBuffer };
  }

  private runVocab(runId: number): string[] {
    const run = this.run(runId);
    return this.store.getCorpusMeta(this.experiment(run.experimentId).experiment.corpusId)!.vocab;
  }

  /** Mean cross-entropy, bits per character, perplexity and accuracy of a run's model on a text. */
  async evaluate(runId: number, text: string, which: CheckpointKind = 'best'): Promise<EvalResult> {
    const { state } = this.checkpoint(runId, which);
    const vocab = new Vocab(this.runVocab(runId));
    const ids = Uint16Array.from(vocab.encode(text));
    return this.getPool().evaluate({ source: { kind: 'model', state }, ids: ids.buffer });
  }

  /**
   * Text from a run's model, streamed through onText as it is written. An empty prime starts from a
   * newline (or the first character of the vocabulary); temperature 0 means always the likeliest.
   */
  async generate(runId: number, opts: GenerateOpts & { checkpoint?: CheckpointKind }, onText?: (text: string) => void): Promise<string> {
    const { state } = this.checkpoint(runId, opts.checkpoint ?? 'last');
    return this.generateFrom({ kind: 'model', state }, this.runVocab(runId), opts, onText);
  }

  /** Text from an imported model, as generate writes it from a run's. */
  async generateFromModel(modelId: number, opts: GenerateOpts, onText?: (text: string) => void): Promise<string> {
    const { meta, bytes } = this.modelFile(modelId);
    return this.generateFrom({ kind: 'file', bytes }, meta.vocab, opts, onText);
  }

  private async generateFrom(source: ModelSource, vocab: string[], opts: GenerateOpts, onText?: (text: string) => void): Promise<string> {
    const missing = [...opts.prime].find((c) => !vocab.includes(c));
    if (missing !== undefined) throw new LabError('bad-input', `the prime has ${JSON.stringify(missing)}, which is not in this model's vocabulary`);
    const temperature = opts.temperature ?? 1;
    if (!(temperature >= 0 && temperature <= 100)) throw new LabError('bad-input', `temperature must be from 0 (always the likeliest) to 100, got ${temperature}`);
    const topK = opts.topK ?? 0;
    if (!Number.isInteger(topK) || topK < 0 || topK > vocab.length) throw new LabError('bad-input', `top-k must be a whole number from 0 (all characters) to ${vocab.length}, got ${topK}`);
    if (!Number.isInteger(opts.length) || opts.length < 0 || opts.length > GENERATE_MAX_LENGTH) throw new LabError('bad-input', `length must be a whole number from 0 to ${GENERATE_MAX_LENGTH}, got ${opts.length}`);
    const start = opts.prime !== '' ? opts.prime : vocab.includes('\n') ? '\n' : vocab[0];
    const result = await this.getPool().generate({
      source,
      vocab,
      prime: start,
      length: opts.length,
      temperature: temperature === 0 ? 1 : temperature,
      greedy: temperature === 0,
      topK,
      seed: opts.seed ?? 1,
    }, { onText });
    return result.text;
  }

  // ---- inside the cells ----

  /**
   * How much of the loss at the end of a window reaches the hidden state k steps back, averaged over
   * windows of the validation text (see engine/diagnostics/gradient-flow.ts). The window defaults
   * to the run's seqLen.
   */
  async gradientFlow(runId: number, opts: { checkpoint?: CheckpointKind; window?: number } = {}): Promise<GradientFlowReport> {
    const which = opts.checkpoint ?? 'last';
    const { step, state } = this.checkpoint(runId, which);
    const run = this.run(runId);
    const { valid } = this.runCorpusIds(runId);
    const w = passageInput(() => flowWindows(valid.length, (run.config as RunConfig).train.seqLen, opts.window));
    const r = await this.getPool().diagnose({ source: { kind: 'model', state }, ids: valid.buffer, request: { kind: 'gradientFlow', ...w } });
    if (r.kind !== 'gradientFlow') throw new Error(`the model worker answered ${r.kind} to gradientFlow`);
    return gradientFlowReport({ runId, cell: run.cell as CellName, checkpoint: which, step }, r.flow);
  }

  /**
   * A run's gates and states step by step over a passage, the units most correlated with simple
   * text features, and how saturated each gate is over the start of the validation text.
   */
  async inspectCells(runId: number, req: PassageRequest & { checkpoint?: CheckpointKind } = {}): Promise<CellInspection> {
    const which = req.checkpoint ?? 'last';
    const { step, state } = this.checkpoint(runId, which);
    const run = this.run(runId);
    const { vocab, valid } = this.runCorpusIds(runId);
    const passage = passageInput(() => resolvePassage(req, vocab, valid));
    const model = (run.config as RunConfig).model;
    const vectors = 1 + (CELLS[model.cell].hasCellState ? 1 : 0) + gateInfo(model.cell).length;
    const perChar = vectors * model.hidden * model.layers;
    if (passage.ids.length * perChar > INSPECT_MAX_VALUES) {
      throw new LabError('bad-input', `a passage of ${passage.ids.length} characters is too long to trace this model; at most ${Math.floor(INSPECT_MAX_VALUES / perChar)}`);
    }
    const source = { kind: 'model' as const, state };
    const pool = this.getPool();
    const cells = await pool.diagnose({ source, ids: passage.ids.buffer, vocab, request: { kind: 'cells', top: 5 } });
    if (cells.kind !== 'cells') throw new Error(`the model worker answered ${cells.kind} to cells`);
    const saturationChars = Math.min(valid.length, SATURATION_CHARS);
    const saturation = await this.saturation(`${runId}:${run.createdAt}:${which}:${step}`, source, valid.slice(0, saturationChars));
    return cellInspection({ runId, cell: run.cell as CellName, checkpoint: which, step }, passage.text, cells.trace, cells.correlated, saturation, saturationChars);
  }

  /** Gate saturation over the start of the validation text, once per checkpoint (the last 32 kept). */
  private saturation(key: string, source: ModelSource, ids: Uint16Array): Promise<SaturationEntry[]> {
    let entries = this.saturationCache.get(key);
    if (!entries) {
      const streams = Math.max(1, Math.min(8, Math.floor(ids.length / 500)));
      entries = this.getPool().diagnose({ source, ids: ids.buffer, request: { kind: 'saturation', streams } }).then((r) => {
        if (r.kind !== 'saturation') throw new Error(`the model worker answered ${r.kind} to saturation`);
        return r.entries;
      });
      entries.catch(() => this.saturationCache.delete(key));
      this.saturationCache.set(key, entries);
      if (this.saturationCache.size > 32) this.saturationCache.delete(this.saturationCache.keys().next().value!);
    }
    return entries;
  }

  /** Each run's loss at every character of one passage, with its top guesses; the runs must share a corpus. */
  async characterLosses(runIds: number[], req: PassageRequest & { checkpoint?: CheckpointKind; topK?: number } = {}): Promise<CharacterLossReport> {
    if (runIds.length === 0) throw new LabError('bad-input', 'choose at least one run');
    const which = req.checkpoint ?? 'last';
    const runs = runIds.map((id) => this.run(id));
    const corpusOf = (r: Run): number => this.experiment(r.experimentId).experiment.corpusId;
    const other = runs.find((r) => corpusOf(r) !== corpusOf(runs[0]));
    if (other) throw new LabError('bad-input', `runs ${runs[0].id} and ${other.id} were trained on different corpora; per-character losses compare runs on one text`);
    const { vocab, valid } = this.runCorpusIds(runs[0].id);
    const passage = passageInput(() => resolvePassage(req, vocab, valid));
    const topK = req.topK ?? 5;
    if (!Number.isInteger(topK) || topK < 1 || topK > Math.min(10, vocab.length)) throw new LabError('bad-input', `top guesses must be a whole number from 1 to ${Math.min(10, vocab.length)}, got ${topK}`);
    const checkpoints = runs.map((run) => this.checkpoint(run.id, which)); // all there, before any work
    const out = [];
    for (const [i, run] of runs.entries()) {
      const { step, state } = checkpoints[i];
      const r = await this.getPool().diagnose({ source: { kind: 'model', state }, ids: passage.ids.buffer, request: { kind: 'characterLosses', topK } });
      if (r.kind !== 'characterLosses') throw new Error(`the model worker answered ${r.kind} to characterLosses`);
      out.push(characterLossRun({ runId: run.id, cell: run.cell as CellName, seed: run.seed, step }, vocab, r.losses));
    }
    return { checkpoint: which, passage: passage.text, runs: out };
  }

  /** Uniform, unigram and n-gram reference losses of a corpus on its validation text, computed once. */
  baselines(corpusId: number): Promise<BaselinesReport> {
    const meta = this.store.getCorpusMeta(corpusId);
    if (!meta) return Promise.reject(new LabError('not-found', `no corpus ${corpusId}`));
    let report = this.baselineCache.get(corpusId);
    if (!report) {
      const ids = this.idsOf(corpusId);
      report = this.getPool().baselines({ trainIds: ids.train.buffer, validIds: ids.valid.buffer, vocabSize: meta.vocab.length }).then((b) => ({
        corpusId,
        vocabSize: meta.vocab.length,
        uniform: b.uniform,
        unigram: b.unigram.crossEntropy,
        trainEntropy: b.unigram.trainEntropy,
        ngram: b.ngram,
      }));
      report.catch(() => this.baselineCache.delete(corpusId));
      this.baselineCache.set(corpusId, report);
    }
    return report;
  }

  /** The token ids of the corpus a run trains on. */
  private runCorpusIds(runId: number): CorpusIds {
    return this.idsOf(this.experiment(this.run(runId).experimentId).experiment.corpusId);
  }

  // ---- imported models ----

  /**
   * Stores a model file: ours (saveModel, it carries its vocabulary) or, with `vocab`, weights
   * saved from torch.nn (importTorchModel). The file is checked first and refused with
   * ModelFileError; the same file again returns the model already there.
   */
  importModel(bytes: Uint8Array, opts: { name: string; vocab?: string[] }): { model: ModelInfo; existing: boolean } {
    const name = opts.name.trim();
    if (name === '') throw new LabError('bad-input', 'a model needs a name');
    const format = opts.vocab === undefined ? 'rnn-lab' : 'pytorch';
    const loaded = decodeModel(bytes, format, opts.vocab ?? null);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const found = this.store.findModelBySha(sha256);
    if (found) {
      if (found.format === 'pytorch' && JSON.stringify(found.vocab) !== JSON.stringify(loaded.vocab)) {
        throw new LabError('bad-input', `this file is already imported as model ${found.id} "${found.name}" with another vocabulary`);
      }
      return { model: this.model(found.id), existing: true };
    }
    const id = this.store.insertModel({ name, format, sha256, config: loaded.model.config, vocab: loaded.vocab, provenance: loaded.provenance, bytes });
    return { model: this.model(id), existing: false };
  }

  listModels(): ModelInfo[] {
    return this.store.listModels().map(modelDetails);
  }

  model(id: number): ModelInfo {
    const m = this.store.getModelMeta(id);
    if (!m) throw new LabError('not-found', `no model ${id}`);
    return modelDetails(m);
  }

  /** Deletes an imported model that no experiment starts from. */
  deleteModel(id: number): void {
    this.model(id);
    const users = this.store.listExperiments().filter((e) => (e.spec as ExperimentSpec).initFrom?.modelId === id);
    if (users.length > 0) throw new LabError('bad-state', `model ${id} is what ${users.map((e) => `experiment ${e.id} "${e.name}"`).join(', ')} start(s) from; delete ${users.length === 1 ? 'it' : 'them'} first`);
    this.store.deleteModel(id);
  }

  /** Mean cross-entropy, bits per character, perplexity and accuracy of an imported model on a text. */
  async evaluateModel(modelId: number, text: string): Promise<EvalResult> {
    const { meta, bytes } = this.modelFile(modelId);
    const ids = Uint16Array.from(new Vocab(meta.vocab).encode(text));
    return this.getPool().evaluate({ source: { kind: 'file', bytes }, ids: ids.buffer });
  }

  /** A stored model decoded, and a file the model worker reads (ours: as stored; PyTorch: re-saved). */
  private modelFile(id: number): { meta: ModelInfo; loaded: LoadedModel; bytes: Uint8Array } {
    const stored = this.store.getModel(id);
    if (!stored) throw new LabError('not-found', `no model ${id}`);
    const loaded = decodeModel(stored.bytes, stored.format, stored.vocab);
    const bytes = stored.format === 'rnn-lab' ? stored.bytes : saveModel(loaded.model, { vocab: loaded.vocab, provenance: loaded.provenance });
    return { meta: modelDetails(stored), loaded, bytes };
  }

  /** An imported model's weights for a run of the given config, in Model.params layout. */
  private initWeights(modelId: number, config: ModelConfig): ArrayBuffer {
    const { loaded } = this.modelFile(modelId);
    const m = loaded.model.config;
    if (m.cell !== config.cell || m.vocabSize !== config.vocabSize || m.hidden !== config.hidden || m.layers !== config.layers || m.embedding !== config.embedding) {
      throw new LabError('bad-state', `model ${modelId} (${m.cell}, hidden ${m.hidden}) does not fit this run's configuration (${config.cell}, hidden ${config.hidden})`);
    }
    return Float32Array.from(loaded.model.params).buffer;
  }

  /** A run's model as a .safetensors file with PyTorch names, vocabulary and provenance. */
  /**
   * A run's model as a file: .safetensors with PyTorch names (the default), or ONNX for one-step
   * ('onnx-step': ids and states in, logits and states out) or whole-sequence inference.
   */
  exportModel(runId: number, which: CheckpointKind = 'best', format: ExportFormat = 'safetensors'): Uint8Array {
    const run = this.run(runId);
    const { step, state } = this.checkpoint(runId, which);
    const { experiment } = this.experiment(run.experimentId);
    const corpus = this.store.getCorpusMeta(experiment.corpusId)!;
    const { model, train } = modelFromState(state);
    const provenance = {
      app: 'rnn-lab',
      experiment: experiment.name,
      run: run.id,
      checkpoint: which,
      steps: step,
      seed: train.seed,
      train,
      corpus: { name: corpus.name, sha256: corpus.sha256, chars: corpus.chars, validFraction: corpus.validFraction },
    };
    if (format === 'safetensors') return saveModel(model, { vocab: corpus.vocab, provenance });
    return exportOnnx(model, { sequence: format === 'onnx-step' ? 'step' : 'whole', vocab: corpus.vocab, provenance });
  }

  // ---- numbers ----

  /** One row per run and logged step, with the validation numbers where an evaluation happened. */
  metricsTable(experimentId: number): MetricsRow[] {
    const { experiment, runs } = this.experiment(experimentId);
    const rows: MetricsRow[] = [];
    for (const run of runs) {
      const evals = new Map(this.store.listEvals(run.id).map((e) => [e.step, e]));
      for (const m of this.store.listMetrics(run.id)) {
        const e = evals.get(m.step);
        rows.push({
          experiment: experiment.name,
          run: run.id,
          cell: run.cell as CellName,
          seed: run.seed,
          step: m.step,
          chars_seen: m.charsSeen,
          wall_seconds: m.wallSeconds,
          train_loss: m.trainLoss,
          val_loss: e?.valLoss ?? null,
          bits_per_char: e?.bitsPerChar ?? null,
          grad_norm: m.gradNorm,
          lr: m.lr,
        });
      }
    }
    return rows;
  }

  /**
   * Stops: running runs of this process pause with a checkpoint (or are cancelled), queued ones
   * stay queued for another day; then the pool and the database close.
   */
  async close(opts: { running?: 'pause' | 'cancel' } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.controlTimer);
    this.queue.length = 0;
    const pending = [...this.active.values()];
    for (const h of pending) (opts.running === 'cancel' ? h.cancel() : h.pause());
    await Promise.all(pending.map((h) => h.result));
    await this.whenIdle();
    await this.pool?.close();
    this.store.close();
  }
}

export interface MetricsRow {
  experiment: string;
  run: number;
  cell: CellName;
  seed: number;
  step: number;
  chars_seen: number;
  wall_seconds: number;
  train_loss: number;
  val_loss: number | null;
  bits_per_char: number | null;
  grad_norm: number;
  lr: number;
}

/**
 * Matrix-product FLOPs per character of one training step, forward and backward (6 per weight):
 * the recurrent and decoder products, plus the input products (a one-hot input is a row gather
 * and counts nothing). Evaluation is the forward third of it.
 */
export function trainingFlopsPerChar(m: ModelConfig): number {
  const G = CELLS[m.cell].gates;
  const { hidden: H, layers: L, vocabSize: V, embedding: E } = m;
  return 6 * (G * H * E + G * H * H * L + G * H * H * (L - 1) + H * V);
}

/** Leaves of a JSON-like value by dotted path ("train.optimizer.lr"). */
export function flatten(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, x] of Object.entries(value)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

function decodeModel(bytes: Uint8Array, format: 'rnn-lab' | 'pytorch', vocab: string[] | null): LoadedModel {
  if (format === 'pytorch') return importTorchModel(bytes, vocab ?? []);
  try {
    return loadModel(bytes);
  } catch (e) {
    // the engine's hint names its function; the lab's callers pass a vocabulary instead
    if (e instanceof ModelFileError && e.message.startsWith('not an RNN Lab model file')) {
      throw new ModelFileError(e.message.replace(/; a file written by PyTorch.*$/, '; a PyTorch state_dict can be imported with its vocabulary (one character per token id)'), { cause: e });
    }
    throw e;
  }
}

function modelDetails(m: ModelMeta): ModelInfo {
  const config = m.config as ModelConfig;
  return { ...m, config, params: parameterCount(config) };
}

/**
 * How two vocabularies differ, or null when they are the same characters in the same order:
 * characters only one has, else the first id whose character differs.
 */
export function vocabDifference(model: readonly string[], corpus: readonly string[]): string | null {
  const show = (cs: string[]): string => cs.slice(0, 8).map((c) => JSON.stringify(c)).join(', ') + (cs.length > 8 ? `, ... (${cs.length} in all)` : '');
  const inModel = new Set(model);
  const inCorpus = new Set(corpus);
  const onlyCorpus = corpus.filter((c) => !inModel.has(c));
  const onlyModel = model.filter((c) => !inCorpus.has(c));
  const parts: string[] = [];
  if (onlyCorpus.length) parts.push(`the corpus has ${show(onlyCorpus)}, which the model does not`);
  if (onlyModel.length) parts.push(`the model has ${show(onlyModel)}, which the corpus does not`);
  if (parts.length) return parts.join('; ');
  if (model.length !== corpus.length) return `the model has ${model.length} token ids, the corpus ${corpus.length}`;
  const i = model.findIndex((c, k) => c !== corpus[k]);
  if (i < 0) return null;
  return `the same characters in another order: id ${i} is ${JSON.stringify(model[i])} in the model but ${JSON.stringify(corpus[i])} in the corpus`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs f, turning a refused passage or window into the lab's bad-input error. */
function passageInput<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof PassageError) throw new LabError('bad-input', e.message);
    throw e;
  }
}
