/**
 * The model worker's tasks (run with Piscina's `name` option), what goes in and what comes back:
 * 'evaluate' scores a text and 'generate' writes one; 'diagnose' looks into a model on a text ("see
 * inside the cells"); 'baselines' needs no model, only the corpus split.
 */
import type { Baselines } from './engine/baselines.ts';
import type { CellTrace, SaturationOptions, SaturationEntry } from './engine/diagnostics/cell-trace.ts';
import type { CharacterLosses } from './engine/diagnostics/char-loss.ts';
import type { GradientFlow, GradientFlowOptions } from './engine/diagnostics/gradient-flow.ts';
import type { TextFeature, UnitCorrelation } from './engine/diagnostics/text-features.ts';
import type { MessagePort } from 'node:worker_threads';

/** Longest text one generate task writes. */
export const GENERATE_MAX_LENGTH = 1_000_000;

export type ModelSource =
  /** a .safetensors model file (saveModel); it carries its vocabulary */
  | { kind: 'file'; bytes: Uint8Array }
  /** a training state (Trainer.saveState): only its weights are read, so no training text is needed */
  | { kind: 'model'; state: ArrayBuffer };

export interface EvaluateTask {
  source: ModelSource;
  /** Uint16 token ids of the text to score */
  ids: SharedArrayBuffer | ArrayBuffer;
  /** parallel streams (default 1: the text as one sequence) */
  streams?: number;
  chunk?: number;
}

export interface GenerateTask {
  source: ModelSource;
  /** the characters of the token ids; required for a training state, a model file has its own */
  vocab?: string[];
  prime: string;
  /** characters to generate after the prime */
  length: number;
  temperature?: number;
  topK?: number;
  greedy?: boolean;
  seed: number;
  /** receives { type: 'text', text } chunks as they are generated */
  port?: MessagePort;
}

export type GenerateEvent = { type: 'text'; text: string };

export interface GenerateResult {
  /** the generated text, without the prime */
  text: string;
}

export type DiagnoseRequest =
  /** mean ||dL_T/dh_{T-k}|| per layer and lag over windows of the text (validation text, typically) */
  | ({ kind: 'gradientFlow' } & GradientFlowOptions)
  /** h, c and gates step by step over a passage, and the units most correlated with text features */
  | { kind: 'cells'; top?: number; chunk?: number }
  /** per layer and gate: histogram and saturated fractions over a longer text */
  | ({ kind: 'saturation' } & SaturationOptions)
  /** per position: loss in nats and the top-k guesses */
  | { kind: 'characterLosses'; topK?: number; chunk?: number };

export interface DiagnoseTask {
  source: ModelSource;
  /** Uint16 token ids of the text */
  ids: SharedArrayBuffer | ArrayBuffer;
  /** the characters of the token ids: 'cells' needs them with a training state (a model file has its own) */
  vocab?: string[];
  request: DiagnoseRequest;
}

export type DiagnoseResult =
  | { kind: 'gradientFlow'; flow: GradientFlow }
  | { kind: 'cells'; trace: CellTrace; correlated: Record<TextFeature, UnitCorrelation[]> }
  | { kind: 'saturation'; entries: SaturationEntry[] }
  | { kind: 'characterLosses'; losses: CharacterLosses };

export interface BaselinesTask {
  /** Uint16 token ids of the training and validation splits */
  trainIds: SharedArrayBuffer | ArrayBuffer;
  validIds: SharedArrayBuffer | ArrayBuffer;
  vocabSize: number;
  /** largest n-gram order (default 5) */
  maxOrder?: number;
}

export type BaselinesResult = Baselines;
