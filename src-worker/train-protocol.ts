/**
 * What crosses between the main process and the worker pool. Tasks go in through Piscina; progress
 * comes back over the task's MessagePort; pause and cancel go in through a shared control word, so
 * a worker sees them between layers of a step without waiting for its event loop.
 */
import type { ModelConfig, TrainConfig } from './engine/config.ts';
import type { KernelSetName } from './engine/kernel-sets.ts';
import type { Cadence } from './train-report.ts';

/** Values of the control word (Int32Array over a SharedArrayBuffer, index 0). */
export const CONTROL = { run: 0, pause: 1, cancel: 2 } as const;

export interface TrainTask {
  runId: number;
  model: ModelConfig;
  train: TrainConfig;
  cadence: Cadence;
  /** token ids, Uint16 over SharedArrayBuffers that the pool shares between runs of a corpus */
  trainIds: SharedArrayBuffer;
  validIds: SharedArrayBuffer;
  /**
   * task corpora: per validation character (Uint8 over SharedArrayBuffers), 1 where it can be
   * predicted and 1 where predicting it needs long-range memory; evaluations report accuracy on each
   */
  validMasks: { predictable: SharedArrayBuffer; longRange: SharedArrayBuffer } | null;
  /** vocabulary, for samples */
  vocab: string[];
  /** the training state to continue from (Trainer.saveState), or null for a fresh start */
  resume: ArrayBuffer | null;
  /**
   * the kernels to train with, or null for the worker's default (defaultKernelName). A resume
   * passes the set the run recorded (the worker's 'kernels' event), since another set changes the
   * bits: a worker that lacks it fails the run with that reason rather than train on others.
   */
  kernelSet: KernelSetName | null;
  /**
   * float32 weights in the model's parameter layout (Model.params) to start from instead of the
   * seeded initialisation: a run continuing an imported model. Used on a fresh start only (resume
   * null); the optimizer starts from zero.
   */
  initWeights?: ArrayBuffer | null;
  /** seconds this run trained before (resumes), so wallSeconds keeps counting */
  elapsedBefore: number;
  /** best validation loss seen before resume, so 'best' checkpoints stay monotone */
  bestValLoss: number | null;
  /**
   * Int32Array over a SharedArrayBuffer: [0] a CONTROL value, written by main; [1] (when the
   * buffer has room for it) set to 1 by the worker as it starts the task, so main can tell a
   * queued task from a running one
   */
  control: SharedArrayBuffer;
  port: import('node:worker_threads').MessagePort;
}

