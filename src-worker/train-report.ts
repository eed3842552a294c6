/**
 * What a training run reports back (metric rows, evaluations, samples, checkpoints, and how it
 * ended) and how often (its cadence). Pure data with no Node types: the worker posts it, the pool
 * passes it on, the store keeps it and the LabApi carries it.
 */
import type { KernelSetName } from './engine/kernel-sets.ts';

export interface Cadence {
  /** post a metrics row every this many steps (rows are batched per message) */
  metricsEvery: number;
  /** evaluate on the validation text every this many steps (and at the end) */
  evalEvery: number;
  /** validation characters used by interval evaluations (0 = the whole validation text) */
  evalChars: number;
  /** a text sample is posted at every evaluation (and at the end), and also every this many steps (0 = only then) */
  sampleEvery: number;
  sampleLength: number;
  /** post a 'last' checkpoint every this many steps */
  checkpointEvery: number;
}

export interface MetricRow {
  step: number;
  charsSeen: number;
  /** seconds spent training this run, across resumes */
  wallSeconds: number;
  trainLoss: number;
  gradNorm: number;
  clipped: boolean;
  lr: number;
  charsPerSecond: number;
}

/** a run keeps two checkpoints: its last step, and the step with the best validation loss */
export type CheckpointKind = 'last' | 'best';

export type TrainEvent =
  /** first of every task's events: the kernels it trains with, from `step` (where it starts) on */
  | { type: 'kernels'; step: number; kernelSet: KernelSetName }
  | { type: 'metrics'; rows: MetricRow[] }
  | { type: 'eval'; step: number; valLoss: number; bitsPerChar: number; accuracy: number; predictableAccuracy: number | null; longRangeAccuracy: number | null; chars: number }
  | { type: 'sample'; step: number; prime: string; temperature: number; text: string }
  /** state is moved (transferred), not copied */
  | { type: 'checkpoint'; step: number; kind: CheckpointKind; valLoss: number | null; state: ArrayBuffer };

/** wallSeconds: the run's training seconds across resumes when it stopped (absent if the worker died) */
export type TrainResult =
  | { status: 'completed'; step: number; wallSeconds?: number }
  | { status: 'paused'; step: number; wallSeconds?: number }
  | { status: 'cancelled'; step: number; wallSeconds?: number }
  | { status: 'failed'; step: number; error: string; wallSeconds?: number };
