/**
 * What goes into the store and what only the store gives back. The rows the LabApi sends on
 * (CorpusMeta, Experiment, Run, MetricRow...) are the contract's, in src-main/api/types.ts; these
 * are the store's own: inputs, and rows with more than the wire carries (texts, masks, bytes).
 */
import type { CorpusKind, CorpusMeta, ModelSourceFormat, RunTrial } from '../api/types.ts';

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
  /** a sweep's run: its trial */
  trial?: RunTrial;
}

/** the statuses runs.setStatus writes: entering 'running' is runs.claim's, and waiting runs.joinQueue's */
export type SetStatus = 'paused' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

/** progress fields; status changes go through runs.claim / runs.setStatus */
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
