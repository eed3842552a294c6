/**
 * The LabApi's own types: what crosses the wire between the renderer and the main process. The
 * store and the lab services map their rows to these; nothing here comes from the database layer
 * or a service, so a change of schema or of a service's internals does not change the wire.
 *
 * Timestamps are unix milliseconds. Losses are nats per character.
 */
import type { CellName } from '../../src-worker/engine/cells/index.ts';
import type { ModelConfig, TrainConfigInput } from '../../src-worker/engine/config.ts';
import type { Cadence, CheckpointKind, MetricRow } from '../../src-worker/train-report.ts';
import type { SweepRange, SweepValue } from '../../src-shared/sweep/params.ts';

export type { Cadence, CellName, CheckpointKind, MetricRow };

// ---- corpora ----

export type CorpusKind = 'file' | 'task';

export interface CorpusMeta {
  id: number;
  name: string;
  kind: CorpusKind;
  /** task parameters (kind 'task'), null for files */
  task: unknown;
  sha256: string;
  chars: number;
  vocab: string[];
  validFraction: number;
  /** the original file name */
  source: string | null;
  createdAt: number;
}

export interface CharCount {
  char: string;
  count: number;
  fraction: number;
}

export interface CorpusStats {
  /** characters (code points) */
  chars: number;
  vocabSize: number;
  /** the 20 most frequent characters, most frequent first, ties by code point */
  topChars: CharCount[];
  /** the first 500 characters (code points) */
  preview: string;
  /** "\n"-terminated lines, plus one for a last line without "\n" */
  lines: number;
  trainChars: number;
  validChars: number;
  /** entropy of the character frequencies, in nats: the loss of the best context-free model */
  unigramEntropy: number;
}

export interface CorpusDetails extends CorpusMeta {
  stats: CorpusStats;
}

export interface TaskParamSpec {
  name: string;
  default: number;
  min: number;
  max: number;
  meaning: string;
}

// ---- experiments ----

export type Budget = { mode: 'hidden'; hidden: number } | { mode: 'params'; params: number };

export interface ExperimentSpec {
  cells: CellName[];
  /** runs per cell, with seeds firstSeed, firstSeed + 1, ..., firstSeed + seeds - 1 */
  seeds: number;
  /** the first run's seed (default 1), so a repeat of an experiment can draw other seeds */
  firstSeed?: number;
  budget: Budget;
  /** model settings shared by every cell (cell, hidden and vocabSize come from elsewhere) */
  model: Omit<Partial<ModelConfig>, 'cell' | 'hidden' | 'vocabSize'>;
  /** training settings shared by every run (seed comes from the run) */
  train: Omit<TrainConfigInput, 'seed'>;
  /** per-cell changes on top of model and train */
  overrides: Partial<Record<CellName, { model?: Omit<Partial<ModelConfig>, 'cell' | 'vocabSize'>; train?: Omit<TrainConfigInput, 'seed'> }>>;
  cadence: Cadence;
  /**
   * Start every run from an imported model's weights (Lab.importModel): the corpus must have the
   * model's vocabulary, the cells must be the model's cell, and hidden, layers and embedding come
   * from the model.
   */
  initFrom?: { modelId: number };
  /** a sweep: trials drawn over ranges of settings, the same trials for every cell (seeds multiply them) */
  sweep?: SweepSpec;
  /** a confirmation of a sweep: this experiment reruns each cell's best trial of experiment `confirms` on fresh seeds */
  confirms?: number;
}

// ---- sweeps ----

// what a sweep may vary, and how a range is written: src-shared/sweep/params.ts
export type { SweepParamName, SweepRange, SweepValue } from '../../src-shared/sweep/params.ts';

export interface SweepSpec {
  search: 'grid' | 'random';
  /** random: how many trials are drawn; grid: the product of the ranges' points, as planned */
  trials: number;
  /** the seed of the random draws, so the same spec draws the same trials */
  drawSeed: number;
  ranges: SweepRange[];
  /**
   * Asynchronous successive halving (ASHA): at rungs minSteps * eta^k, a run whose validation loss
   * is not in the best 1/eta of its cell's runs that reached that rung is stopped. null: none.
   */
  halving: { eta: number; minSteps: number } | null;
}

/** Why the halving rule stopped a run: at step `rung` its loss was `valLoss`, behind the cutoff. */
export interface HaltDecision {
  rung: number;
  valLoss: number;
  /** the loss a run needed to go on: the best 1/eta of the `of` runs of its cell at this rung */
  cutoff: number;
  /** its place among them, 1 for the best */
  rank: number;
  of: number;
  eta: number;
}

/** A run of a sweep: which trial (the same index in every cell is the same draw) and its values. */
export interface RunTrial {
  index: number;
  values: Record<string, SweepValue>;
}

/** One run of a sweep as the report sees it. */
export interface SweepTrialResult {
  runId: number;
  cell: CellName;
  trial: number;
  seed: number;
  values: Record<string, SweepValue>;
  status: RunStatus;
  /** the last validation loss it reached (for a stopped run, the one it was stopped at) */
  valLoss: number | null;
  step: number;
  halted: HaltDecision | null;
}

export interface SweepCellReport {
  cell: CellName;
  trials: { completed: number; stopped: number; total: number };
  /** the completed run with the lowest final validation loss, and its settings */
  best: { runId: number; trial: number; seed: number; values: Record<string, SweepValue>; config: unknown; valLoss: number } | null;
  /** expected best validation loss of n = 1..N trials (Dodge et al. 2019), and its standard deviation */
  expectedBest: number[];
  expectedBestSd: number[];
  /** each swept setting's share of the variance of the validation loss */
  importance: Record<string, number>;
  importanceMethod: 'fanova-forest' | 'grid-anova' | null;
  /**
   * Which losses the importance was fitted to: the completed runs' final ones, or, when halving
   * left fewer than 8 completed, every run's loss at the first rung (step), which they all reached.
   * null when there was nothing to fit.
   */
  importanceOver: { losses: 'final' | 'first-rung'; step: number; runs: number } | null;
}

export interface SweepReport {
  experimentId: number;
  sweep: SweepSpec;
  cells: SweepCellReport[];
  trials: SweepTrialResult[];
  /** the experiment that reruns each cell's best trial, once started */
  confirm: { experimentId: number } | null;
}

export type ExperimentSpecInput = Partial<Omit<ExperimentSpec, 'cadence'>> & Pick<ExperimentSpec, 'cells'> & { cadence?: Partial<Cadence> };

export interface Experiment {
  id: number;
  name: string;
  corpusId: number;
  /** an ExperimentSpec, as stored */
  spec: unknown;
  createdAt: number;
}

// ---- runs ----

/**
 * What a run is doing, in states a user can tell apart:
 * - not-started: in no queue and has never trained (never queued, or queued by a lab that closed
 *   before its turn);
 * - waiting: in a lab's queue for free threads (its place is `queue`); it starts by itself;
 * - running: training in the process `ownerPid`;
 * - paused: stopped with a checkpoint (or taken out of the queue); resumes from where it stopped;
 * - completed: trained all its steps;
 * - failed: stopped by an error, which `error` says;
 * - cancelled: stopped for good, keeping what it recorded;
 * - stopped: a sweep's run that the halving rule stopped early (`halted` says why), keeping what it recorded;
 * - interrupted: its process ended while it trained; resumes from its last checkpoint.
 */
export const RUN_STATUSES = ['not-started', 'waiting', 'running', 'paused', 'completed', 'failed', 'cancelled', 'stopped', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type ControlRequest = 'pause' | 'cancel';

/**
 * A waiting run's place in the queue of the lab that will train it (the process `ownerPid`). The
 * queue is first come first served: the run at position 1 waits for `threads` free threads, the
 * others for the runs ahead of them.
 */
export interface QueuePlace {
  /** 1 for the run that starts next */
  position: number;
  /** the threads it trains on, which must all be free for it to start */
  threads: number;
}

export interface ExperimentSummary extends Experiment {
  corpusName: string;
  runs: number;
  runCounts: Record<RunStatus, number>;
}

export interface Run {
  id: number;
  experimentId: number;
  cell: string;
  seed: number;
  /** the resolved model and train config */
  config: unknown;
  params: number;
  status: RunStatus;
  /** its place in the queue while its status is 'waiting', else null */
  queue: QueuePlace | null;
  /**
   * 0 for the experiment's first run of this cell, seed (and trial); 1, 2, ... for its duplicates in
   * the order they were made (a duplicate trains the same config and seed again)
   */
  copy: number;
  /** a sweep's run: its trial; null otherwise */
  trial: RunTrial | null;
  /** a run stopped by the halving rule (status 'stopped'): why */
  halted: HaltDecision | null;
  /** the kernels it trains with (src-worker/engine/kernel-sets.ts), recorded when it first starts; a resume uses the same */
  kernelSet: string | null;
  error: string | null;
  step: number;
  steps: number;
  bestValLoss: number | null;
  /** training seconds, across resumes */
  elapsed: number;
  /** the process that trains the run, or whose queue it waits in */
  ownerPid: number | null;
  /** a pause or cancel asked for by another process */
  control: ControlRequest | null;
  createdAt: number;
  /** when the run was first claimed */
  startedAt: number | null;
  finishedAt: number | null;
}

export interface EvalRow {
  step: number;
  valLoss: number;
  bitsPerChar: number;
  accuracy: number;
  /** task corpora: accuracy on the positions that can be predicted, and on those that need long-range memory */
  predictableAccuracy?: number | null;
  longRangeAccuracy?: number | null;
  chars: number;
}

export interface Sample {
  id: number;
  runId: number;
  step: number;
  prime: string;
  temperature: number;
  text: string;
  createdAt: number;
}

// ---- models ----

/** How an imported model file is read: 'rnn-lab', our file with its vocabulary; 'pytorch', a torch.nn state_dict with a vocabulary given at import */
export type ModelSourceFormat = 'rnn-lab' | 'pytorch';

/** What a run's checkpoint is exported as: .safetensors with PyTorch names, or ONNX for one step or a whole sequence */
export type ExportFormat = 'safetensors' | 'onnx-step' | 'onnx-whole';

/** An imported model file (its bytes stay in the database). */
export interface ModelInfo {
  id: number;
  name: string;
  format: ModelSourceFormat;
  sha256: string;
  config: ModelConfig;
  vocab: string[];
  provenance: Record<string, unknown>;
  /** file size, bytes */
  size: number;
  /** parameter count */
  params: number;
  createdAt: number;
}

// ---- events ----

export type LabEvent =
  | { type: 'run'; run: Run }
  | { type: 'metrics'; runId: number; rows: MetricRow[] }
  | { type: 'eval'; runId: number; step: number; valLoss: number; bitsPerChar: number; accuracy: number; predictableAccuracy: number | null; longRangeAccuracy: number | null }
  | { type: 'sample'; runId: number; step: number; prime: string; temperature: number; text: string }
  | { type: 'checkpoint'; runId: number; step: number; kind: CheckpointKind };
