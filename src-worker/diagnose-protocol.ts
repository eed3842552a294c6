/**
 * The diagnostics tasks of the model worker ("see inside the cells"): what goes in and what comes
 * back. Run with the `name` option: 'diagnose' looks into a model on a text; 'baselines' needs no
 * model, only the corpus split.
 */
import type { Baselines } from './engine/baselines.ts';
import type { CellTrace, SaturationOptions, SaturationEntry } from './engine/diagnostics/cell-trace.ts';
import type { CharacterLosses } from './engine/diagnostics/char-loss.ts';
import type { GradientFlow, GradientFlowOptions } from './engine/diagnostics/gradient-flow.ts';
import type { TextFeature, UnitCorrelation } from './engine/diagnostics/text-features.ts';
import type { ModelSource } from './model.worker.ts';

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
