/**
 * The LabApi: the one contract between the renderer and the main process, whatever carries it
 * (Electron IPC, or HTTP and server-sent events in browser mode). Methods are declared once here, as
 * types here and as runtime schemas in methods.ts (LAB_METHODS); the IPC registration, the preload,
 * the HTTP routes and the renderer's client are all generated from the one list of names
 * (src-shared/methods.ts), never typed twice. The renderer imports this file as types only.
 *
 * Every method takes one request object and answers { ok: true, value } or, for an expected
 * failure, { ok: false, code, message } with a message meant for the user.
 */
import type { ModelConfig, TrainConfig } from '../../src-worker/engine/config.ts';
import type {
  CellName, CheckpointKind, CorpusDetails, CorpusMeta, EvalRow, Experiment, ExperimentSpec, ExperimentSpecInput, ExperimentSummary,
  ExportFormat, LabEvent, MetricRow, ModelInfo, Run, RunTrial, Sample, SweepReport, TaskParamSpec,
} from './types.ts';
import type { GateInfo } from '../../src-shared/cells.ts';
import type { Lang } from '../../src-shared/locales/index.ts';
import { METHOD_NAMES } from '../../src-shared/methods.ts';

export type * from './types.ts';
export type { ModelConfig, TrainConfig };

export type ErrorCode = 'bad-request' | 'not-found' | 'bad-state' | 'invalid-corpus' | 'invalid-config' | 'invalid-model' | 'read-only' | 'internal';

export type Result<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string };

export interface AppInfo {
  version: string;
  /** 'electron' or 'browser' */
  shell: string;
  cores: number;
  /** concurrent training runs */
  workers: number;
  database: string;
  /** the system's locale as the desktop shell reports it (Electron's app.getLocale()); absent in browser mode, where the page reads navigator.languages */
  locale?: string;
}

export interface TaskInfo {
  name: string;
  description: string;
  params: TaskParamSpec[];
}

export interface ExperimentDetails {
  experiment: Experiment;
  spec: ExperimentSpec;
  runs: Run[];
}

export interface PlannedRunInfo {
  cell: CellName;
  seed: number;
  /** a sweep's run: its trial (index and values); absent for other experiments' runs */
  trial?: RunTrial;
  hidden: number;
  params: number;
  memory: RunMemoryInfo;
}

/** Bytes a run holds at most while it trains (src-worker/engine/memory.ts counts them). */
export interface RunMemoryInfo {
  /** all of it */
  bytes: number;
  weights: number;
  /** a multi-threaded run has one set per thread besides the model's */
  gradients: number;
  /** the optimizer's moments: Adam and AdamW 2 a weight, RMSProp, Adagrad and SGD with momentum 1 */
  optimizer: number;
  /** the windows of training, evaluation and sampling, the kernels' scratch and the text's ids */
  activations: number;
  /** two training states: the one a resumed run starts from, and the one written at a checkpoint */
  checkpoints: number;
}

export interface ExperimentPlan {
  runs: PlannedRunInfo[];
  /** rough wall-clock estimate for all runs on this machine's workers, seconds */
  estimateSeconds: number;
}

export interface RunData {
  run: Run;
  metrics: MetricRow[];
  evals: EvalRow[];
  samples: Sample[];
}

// ---- inside the cells ----

/** Which text a diagnostic reads: a slice of the corpus's validation text, or the user's own. */
export interface PassageRequest {
  /** first character of the validation text (default 0) */
  start?: number;
  /** characters read (default 400; at most DIAGNOSE_MAX_PASSAGE) */
  length?: number;
  /** the user's own text instead of the validation text; every character must be in the corpus vocabulary */
  text?: string;
}

export interface GradientFlowReport {
  runId: number;
  cell: CellName;
  checkpoint: CheckpointKind;
  /** the checkpoint's step */
  step: number;
  /** T: window length; lags run 0..maxLag */
  window: number;
  maxLag: number;
  /** (window, stream) pairs of the validation text averaged */
  samples: number;
  /** per layer (bottom first), per lag k: mean ||dL_T/dh_{T-k}||_2, L_T the loss at the window's last position (nats) */
  h: number[][];
  /** LSTMs: per layer, per lag: mean ||dL_T/dc_{T-k}|| with h_{T-k} held fixed; null for other cells */
  c: number[][] | null;
}

export interface UnitCorrelationRow {
  layer: number;
  state: 'h' | 'c';
  unit: number;
  /** Pearson r over the passage */
  r: number;
}

export interface SaturationRow {
  layer: number;
  /** a gate's name, or 'h' */
  name: string;
  label: string;
  range: [number, number];
  /** fractions of (step, unit) values below range[0] + 0.1 and above range[1] - 0.1 */
  low: number;
  high: number;
  /** fractions per bin over the range (20 bins, sum 1) */
  histogram: number[];
  count: number;
}

export interface CellInspection {
  runId: number;
  cell: CellName;
  checkpoint: CheckpointKind;
  step: number;
  /** the characters read, one per step */
  passage: string;
  hidden: number;
  /** the cell's gates in the order of each layer's `gates` (none for the plain RNN) */
  gates: GateInfo[];
  /**
   * per layer (bottom first): h_t, c_t (LSTMs, else null) and each gate's value after reading
   * passage[t], each a (T, H) float32 array, little-endian, as bytes
   */
  layers: { h: Uint8Array; c: Uint8Array | null; gates: Uint8Array[] }[];
  /** per text feature (linePosition, inQuotes, inBrackets, whitespace): the units with the largest |r| */
  correlated: Record<string, UnitCorrelationRow[]>;
  /** gate saturation over the first `saturationChars` characters of the validation text */
  saturation: SaturationRow[];
  saturationChars: number;
}

export interface CharacterLossRun {
  runId: number;
  cell: CellName;
  seed: number;
  step: number;
  /** per position i (passage[i + 1] predicted from passage[0..i]): loss in nats */
  nll: number[];
  /** per position: the model's top guesses for passage[i + 1], most likely first */
  guesses: { chars: string[]; probs: number[] }[];
  /** mean of nll */
  loss: number;
}

export interface CharacterLossReport {
  checkpoint: CheckpointKind;
  passage: string;
  runs: CharacterLossRun[];
}

/** Reference losses for a corpus, nats per character on its validation text. */
export interface BaselinesReport {
  corpusId: number;
  vocabSize: number;
  /** ln V: guessing uniformly */
  uniform: number;
  /** the training text's character frequencies, scored on the validation text */
  unigram: number;
  /** entropy of the training text's character distribution */
  trainEntropy: number;
  /** character n-grams (interpolated Kneser-Ney) fitted on the training text, n = 1..5 */
  ngram: { order: number; loss: number }[];
}

export interface RunSummary {
  run: Run;
  experimentName: string;
  config: { model: ModelConfig; train: TrainConfig };
  bestValLoss: number | null;
  bitsPerChar: number | null;
  perplexity: number | null;
  /** training seconds */
  seconds: number;
  charsPerSecond: number | null;
}

export interface Comparison {
  runs: RunSummary[];
  /** config fields (dotted paths such as "model.hidden", "train.optimizer.lr") whose values differ between the runs */
  differences: string[];
}

/** From a run's checkpoint (runId) or from an imported model (modelId): exactly one of them. */
export interface GenerateRequest {
  runId?: number;
  modelId?: number;
  prime: string;
  length: number;
  temperature: number;
  topK: number;
  seed: number;
  /** which checkpoint of the run (default 'last'); not used with modelId */
  checkpoint?: CheckpointKind;
  /** chosen by the caller; 'generate' events carry it while the text streams */
  requestId: string;
}

export interface ExportedFile {
  fileName: string;
  /** text files */
  text?: string;
  /** binary files */
  bytes?: Uint8Array;
  /** a model .safetensors whose cell torch.nn runs: Python that loads it and predicts the next character */
  snippet?: string;
}

/**
 * Sent by the desktop app's menu: 'menu' asks the renderer to act on its current selection
 * (it knows which experiment or run is selected); 'corpus-imported' follows File > Import corpus.
 */
export type MenuEvent =
  | { type: 'menu'; action: 'export-metrics' | 'export-model' }
  | { type: 'corpus-imported'; corpus: CorpusDetails; existing: boolean };

/** Events pushed to the renderer: the lab's, streamed generation, and the desktop menu's. */
export type ApiEvent = LabEvent | { type: 'generate'; requestId: string; text: string } | MenuEvent;

/** A remote worker as its last heartbeat tells (rnn-lab worker; src-main/remote). */
export interface RemoteWorkerInfo {
  id: string;
  name: string;
  host: string;
  /** the machine's cores */
  cores: number;
  /** runs it trains at once, and the most threads one may take */
  concurrency: number;
  threads: number;
  kernelSet: string;
  /** the runs it trains, with the last step each reported */
  running: { runId: number; step: number }[];
  /** ms since the epoch */
  lastHeartbeat: number;
}

/** Where this lab's runs train: its own worker threads, or remote workers through Redis. */
export type ExecutionStatus =
  | { mode: 'local'; threads: number }
  /** url without its password; error: why the connection is down (null while connected) */
  | { mode: 'redis'; url: string; connected: boolean; error: string | null; workers: RemoteWorkerInfo[] };

export interface LabApi {
  appInfo(req: Record<string, never>): AppInfo;
  listTasks(req: Record<string, never>): TaskInfo[];
  listCorpora(req: Record<string, never>): CorpusMeta[];
  getCorpus(req: { id: number }): CorpusDetails;
  importCorpus(req: { name: string; bytes: Uint8Array; keepCrlf?: boolean; source?: string }): { corpus: CorpusDetails; existing: boolean };
  createTaskCorpus(req: { task: string; params: Record<string, number> }): { corpus: CorpusDetails; existing: boolean };
  deleteCorpus(req: { id: number }): null;
  listExperiments(req: Record<string, never>): ExperimentSummary[];
  getExperiment(req: { id: number }): ExperimentDetails;
  planExperiment(req: { corpusId: number; spec: ExperimentSpecInput }): ExperimentPlan;
  createExperiment(req: { corpusId: number; name?: string; spec: ExperimentSpecInput }): ExperimentDetails;
  deleteExperiment(req: { id: number }): null;
  /** queues the runs that have not started and the paused or interrupted ones; the lab starts what fits, the rest wait */
  runExperiment(req: { id: number }): { queued: number[] };
  /** the run queued (waiting or, when there are threads free, already running) */
  resumeRun(req: { id: number }): Run;
  /** a running run asked to stop with a checkpoint (still running in the answer), or a waiting one out of the queue */
  pauseRun(req: { id: number }): Run;
  cancelRun(req: { id: number }): Run;
  /** a copy of the run (same config and seed) in the same experiment: queued when the experiment is training here, else not started */
  duplicateRun(req: { id: number }): Run;
  getRunData(req: { id: number; fromStep?: number }): RunData;
  compareRuns(req: { ids: number[] }): Comparison;
  /**
   * Stores a model file: ours, or (with vocab, one string per token id) a PyTorch state_dict in
   * safetensors. The same file again answers the model already there (existing: true).
   */
  importModel(req: { name: string; bytes: Uint8Array; vocab?: string[] }): { model: ModelInfo; existing: boolean };
  listModels(req: Record<string, never>): ModelInfo[];
  /** the whole text when done; 'generate' events stream it meanwhile */
  generate(req: GenerateRequest): { text: string };
  /** .safetensors with PyTorch names (the default; with a Python snippet when torch.nn can load it), or ONNX */
  exportModel(req: { runId: number; checkpoint: CheckpointKind; format?: ExportFormat }): ExportedFile;
  exportMetrics(req: { experimentId: number; format: 'csv' | 'json' }): ExportedFile;
  /** one self-contained HTML file (no network requests): purpose, configs, summary, charts, samples */
  /** the report in `lang` (the app passes its own), English when it is left out */
  exportReport(req: { experimentId: number; lang?: Lang }): ExportedFile;
  /**
   * The window as it prints (print CSS: landscape A4, no navigation or buttons) as a PDF file named
   * "<title>.pdf". Desktop app only: elsewhere it answers bad-state, and the page prints itself
   * (window.print()).
   */
  printPdf(req: { title: string }): ExportedFile;
  /** how much of the loss at a window's end reaches the hidden state k steps back, on the validation text */
  gradientFlow(req: { runId: number; checkpoint?: CheckpointKind; window?: number }): GradientFlowReport;
  /** gates and states step by step over a passage, correlated units and gate saturation */
  inspectCells(req: { runId: number; checkpoint?: CheckpointKind } & PassageRequest): CellInspection;
  /** each run's loss at every character of one passage, with its top guesses */
  characterLosses(req: { runIds: number[]; checkpoint?: CheckpointKind; topK?: number } & PassageRequest): CharacterLossReport;
  /** uniform, unigram and n-gram reference losses of a corpus (computed once per corpus) */
  getBaselines(req: { corpusId: number }): BaselinesReport;
  /** a sweep's results per cell: best trial, expected best against the number of trials, importance; bad-request for an experiment that is not a sweep */
  sweepReport(req: { experimentId: number }): SweepReport;
  /**
   * The experiment that reruns each cell's best trial of a sweep on `seeds` fresh seeds (default 3,
   * at least 3), created, not started; a second call answers the one already made. bad-state while
   * a run of the sweep has not ended, or when a cell has no completed run.
   */
  confirmSweep(req: { experimentId: number; seeds?: number }): ExperimentDetails;
  /** where runs train now, with the remote workers and the connection's state */
  getExecution(req: Record<string, never>): ExecutionStatus;
  /** trains new runs here (redis null) or on remote workers; bad-state while this lab has runs running or waiting */
  setExecution(req: { redis: string | null; insecure?: boolean }): ExecutionStatus;
  /** connects to a Redis URL once (a few seconds at most) and answers the workers there, or why it cannot */
  testRedis(req: { url: string; insecure?: boolean }): { ok: true; workers: RemoteWorkerInfo[] } | { ok: false; error: string };
}

export type MethodName = keyof LabApi;
export type Request<M extends MethodName> = Parameters<LabApi[M]>[0];
export type Response<M extends MethodName> = ReturnType<LabApi[M]>;


/** The client side: every method async, expected failures thrown as LabApiError. */
export type LabClient = { [M in MethodName]: (req: Request<M>) => Promise<Response<M>> } & {
  onEvent(listener: (e: ApiEvent) => void): () => void;
};

/** What the Electron preload exposes as window.labBridge. */
export interface LabBridge {
  invoke(method: MethodName, req: unknown): Promise<Result<unknown>>;
  onEvent(listener: (e: ApiEvent) => void): () => void;
}

/** Compile-time checks that METHOD_NAMES (src-shared/methods.ts) and LabApi agree: every name a method, every method listed. */
const everyNameAMethod: readonly MethodName[] = METHOD_NAMES;
type UnlistedMethods = Exclude<MethodName, (typeof METHOD_NAMES)[number]>;
const everyMethodListed: UnlistedMethods extends never ? true : never = true;
void everyNameAMethod;
void everyMethodListed;
