/**
 * The time estimate planExperiment shows before anything is queued: matrix-product FLOPs of
 * training and evaluation at an assumed speed per worker thread, the runs spread over the threads.
 * Nothing is measured at run time.
 */
import { availableParallelism } from 'node:os';
import { CELLS } from '../../src-worker/engine/cells/index.ts';
import type { ModelConfig } from '../../src-worker/engine/config.ts';
import type { Cadence } from '../../src-worker/train-report.ts';
import type { PlannedRun } from './experiments.ts';

/** Speed of n threads over n times one thread's: measured 0.8 to 0.95 on two (npm run bench). */
const THREAD_EFFICIENCY = 0.9;

/**
 * The matrix-product FLOP/s one worker thread is assumed to sustain for a model of hidden size H.
 * Small products run far below the kernels' peak: measured with the WebAssembly kernels (npm run
 * bench, the demo), about 3 GFLOP/s at H = 32, 13 to 16 at H = 128 and 23 to 28 at H = 256, so
 * 3 GFLOP/s per 32 units, up to 24.
 */
function estimateFlopsPerSecond(m: ModelConfig): number {
  return 3e9 * Math.min(8, Math.max(1, m.hidden / 32));
}

/**
 * Matrix-product FLOPs per character of one training step, forward and backward (6 per weight):
 * the recurrent and decoder products, plus the input products (a one-hot input is a row gather
 * and counts nothing). Evaluation is the forward third of it.
 */
function trainingFlopsPerChar(m: ModelConfig): number {
  const G = CELLS[m.cell].gates;
  const { hidden: H, layers: L, vocabSize: V, embedding: E } = m;
  return 6 * (G * H * E + G * H * H * L + G * H * H * (L - 1) + H * V);
}

/** Wall-clock seconds until the last of the runs ends, on `workers` threads (at most the cores). */
export function estimateSeconds(planned: PlannedRun[], cadence: Cadence, validChars: number, workers: number): number {
  const evalChars = cadence.evalChars === 0 ? validChars : Math.min(cadence.evalChars, validChars);
  const seconds = planned.map((r) => {
    const perChar = trainingFlopsPerChar(r.model);
    const trainFlops = r.train.steps * r.train.batch * r.train.seqLen * perChar;
    const evals = Math.floor(r.train.steps / cadence.evalEvery) + 1;
    return (trainFlops + (evals * evalChars * perChar) / 3) / estimateFlopsPerSecond(r.model);
  });
  // longest run first onto the least loaded workers; a run of n threads takes n of them, at
  // THREAD_EFFICIENCY of n times one thread's speed
  const slots = new Array<number>(Math.max(1, Math.min(workers, availableParallelism()))).fill(0);
  const jobs = planned.map((r, i) => ({ threads: Math.min(r.train.threads, slots.length), seconds: seconds[i] }));
  for (const job of jobs.sort((a, b) => b.seconds - a.seconds)) {
    const least = slots.map((_, i) => i).sort((a, b) => slots[a] - slots[b]).slice(0, job.threads);
    const start = Math.max(...least.map((i) => slots[i]));
    for (const i of least) slots[i] = start + job.seconds / (job.threads === 1 ? 1 : job.threads * THREAD_EFFICIENCY);
  }
  return Math.max(...slots);
}
