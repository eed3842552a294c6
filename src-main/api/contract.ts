/**
 * The LabApi: the one contract between the renderer and the main process, whatever carries it
 * (Electron IPC, or HTTP and server-sent events in browser mode). Methods are declared once here, as
 * types and as runtime schemas (LAB_METHODS); the IPC registration, the preload, the HTTP routes
 * and the renderer's client are all generated from this list, never typed twice. The renderer
 * imports this file as types only (plus the method names).
 *
 * Every method takes one request object and answers { ok: true, value } or, for an expected
 * failure, { ok: false, code, message } with a message meant for the user.
 */
import type { CellName } from '../../src-worker/engine/cells/index.ts';
import type { ModelConfig, TrainConfig } from '../../src-worker/engine/config.ts';
import type { CorpusStats } from '../lab/corpora.ts';
import type { ExperimentSpec, ExperimentSpecInput } from '../lab/experiments.ts';
import type { LabEvent, ModelFormat } from '../lab/lab.ts';
import type { TaskParamSpec } from '../lab/tasks/index.ts';
import type { CorpusMeta, EvalRow, Experiment, ExperimentSummary, MetricRow, Run, Sample } from '../store/lab-store.ts';

export type { CellName, CorpusMeta, CorpusStats, EvalRow, Experiment, ExperimentSpec, ExperimentSpecInput, ExperimentSummary, LabEvent, MetricRow, ModelConfig, ModelFormat, Run, Sample, TrainConfig };

export type ErrorCode = 'bad-request' | 'not-found' | 'bad-state' | 'invalid-corpus' | 'invalid-config' | 'invalid-model' | 'internal';

export type Result<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string };

export interface AppInfo {
  version: string;
  /** 'electron' or 'browser' */
  shell: string;
  cores: number;
  /** concurrent training runs */
  workers: number;
  database: string;
}

export interface TaskInfo {
  name: string;
  description: string;
  params: TaskParamSpec[];
}

export interface CorpusDetails extends CorpusMeta {
  stats: CorpusStats;
}

export interface ExperimentDetails {
  experiment: Experiment;
  spec: ExperimentSpec;
  runs: Run[];
}

export interface PlannedRunInfo {
  cell: CellName;
  seed: number;
  hidden: number;
  params: number;
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
  checkpoint?: 'best' | 'last';
  /** chosen by the caller; 'generate' events carry it while the text streams */
  requestId: string;
}

/** An imported model file (its bytes stay in the database). */
export interface ModelInfo {
  id: number;
  name: string;
  /** 'rnn-lab': our file with its vocabulary; 'pytorch': a torch.nn state_dict with a vocabulary given at import */
  format: 'rnn-lab' | 'pytorch';
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
  runExperiment(req: { id: number }): { queued: number[] };
  resumeRun(req: { id: number }): Run;
  pauseRun(req: { id: number }): Run;
  cancelRun(req: { id: number }): Run;
  /** a queued copy of the run (same config and seed) in the same experiment */
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
  exportModel(req: { runId: number; checkpoint: 'best' | 'last'; format?: ModelFormat }): ExportedFile;
  exportMetrics(req: { experimentId: number; format: 'csv' | 'json' }): ExportedFile;
  /** one self-contained HTML file (no network requests): purpose, configs, summary, charts, samples */
  exportReport(req: { experimentId: number }): ExportedFile;
  /**
   * The window as it prints (print CSS: landscape A4, no navigation or buttons) as a PDF file named
   * "<title>.pdf". Desktop app only: elsewhere it answers bad-state, and the page prints itself
   * (window.print()).
   */
  printPdf(req: { title: string }): ExportedFile;
}

export type MethodName = keyof LabApi;
export type Request<M extends MethodName> = Parameters<LabApi[M]>[0];
export type Response<M extends MethodName> = ReturnType<LabApi[M]>;

/** The methods, in one list: what the preload exposes and the server routes. */
export const METHOD_NAMES = [
  'appInfo', 'listTasks', 'listCorpora', 'getCorpus', 'importCorpus', 'createTaskCorpus', 'deleteCorpus',
  'listExperiments', 'getExperiment', 'planExperiment', 'createExperiment', 'deleteExperiment', 'runExperiment',
  'resumeRun', 'pauseRun', 'cancelRun', 'duplicateRun', 'getRunData', 'compareRuns', 'importModel', 'listModels', 'generate', 'exportModel', 'exportMetrics',
  'exportReport', 'printPdf',
] as const satisfies readonly MethodName[];

/** The client side: every method async, expected failures thrown as LabApiError. */
export type LabClient = { [M in MethodName]: (req: Request<M>) => Promise<Response<M>> } & {
  onEvent(listener: (e: ApiEvent) => void): () => void;
};

/** What the Electron preload exposes as window.labBridge. */
export interface LabBridge {
  invoke(method: MethodName, req: unknown): Promise<Result<unknown>>;
  onEvent(listener: (e: ApiEvent) => void): () => void;
}

/** Compile-time check that METHOD_NAMES lists every method of LabApi. */
export type UnlistedMethods = Exclude<MethodName, (typeof METHOD_NAMES)[number]>;
const everyMethodListed: UnlistedMethods extends never ? true : never = true;
void everyMethodListed;
