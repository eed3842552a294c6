/**
 * What planExperiment says of each run before anything is queued: a rough time (matrix-product
 * FLOPs of training and evaluation at an assumed speed per worker thread, the runs spread over the
 * threads; nothing is measured at run time) and the memory it will hold (counted exactly, in
 * src-worker/engine/memory.ts), refused when it cannot fit.
 */
import { availableParallelism, totalmem } from 'node:os';
import { formatBytes } from '../../src-shared/format.ts';
import { CELLS } from '../../src-worker/engine/cells/index.ts';
import type { ModelConfig } from '../../src-worker/engine/config.ts';
import { WASM_HEAP_MAX_BYTES, wasmScratchBytes, wasmSimdSupported } from '../../src-worker/engine/kernels-wasm.ts';
import { runMemory, type RunMemory } from '../../src-worker/engine/memory.ts';
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

/**
 * Share of this machine's memory the lab's runs may hold together; the rest is the system's and
 * the main process's. A worker's resourceLimits do not bound a run: they cap V8's heap, and a
 * run's arrays and WebAssembly memory live outside it.
 */
const RUNS_MEMORY_SHARE = 0.5;
/** SQLite's largest value (SQLITE_MAX_LENGTH of better-sqlite3's build): a checkpoint is stored as one. */
const SQLITE_MAX_VALUE_BYTES = 1_000_000_000;
/** Elements one typed array may have in Node 20 (beyond it: "Invalid typed array length"). */
const TYPED_ARRAY_MAX_LENGTH = 2 ** 32;

/** What the memory limits depend on. */
export interface Machine {
  /** os.totalmem() */
  totalBytes: number;
  /** threads the lab trains on */
  workers: number;
  /** whether the workers train with the WebAssembly kernels, in one memory per run */
  wasm: boolean;
}

export function thisMachine(workers: number): Machine {
  return { totalBytes: totalmem(), workers, wasm: wasmSimdSupported() };
}

/** The memory a planned run holds while it trains, with the kernels its worker will use. */
export function plannedMemory(r: PlannedRun, text: { trainChars: number; validChars: number }, cadence: Cadence, machine: Machine): RunMemory {
  return runMemory({ model: r.model, train: r.train, ...text, evalChars: cadence.evalChars, scratchBytes: machine.wasm ? wasmScratchBytes() : 0 });
}

/**
 * Why a run cannot train here, naming its size and the limit, or null: its memory against its
 * share of the machine's (a run of n threads takes n of the workers' shares), its weights,
 * gradients and activations against the one WebAssembly memory they live in, its checkpoint
 * against SQLite's largest value, and its largest array against a typed array's length.
 */
export function memoryRefusal(label: string, r: PlannedRun, m: RunMemory, machine: Machine): string | null {
  const b = formatBytes;
  const { totalBytes, workers } = machine;
  const share = (totalBytes * RUNS_MEMORY_SHARE * Math.min(r.train.threads, workers)) / workers;
  if (m.total > share) {
    const optimizer = m.optimizer > 0 ? `, ${r.train.optimizer.name} moments ${b(m.optimizer)}` : '';
    return `${label} needs ${b(m.total)} (weights ${b(m.weights)}, gradients ${b(m.gradients)}${optimizer}, activations ${b(m.activations)}, checkpoints ${b(m.checkpoints)}) `
      + `but a run of ${r.train.threads} thread(s) may use ${b(share)} here (${RUNS_MEMORY_SHARE * 100}% of this machine's ${b(totalBytes)} over ${workers} worker(s)); make it smaller`;
  }
  if (machine.wasm && m.allocatorBytes > WASM_HEAP_MAX_BYTES) {
    return `${label}'s weights, gradients and activations need ${b(m.allocatorBytes)} in one WebAssembly memory, which holds at most ${b(WASM_HEAP_MAX_BYTES)}; make it smaller`;
  }
  if (m.stateBytes > SQLITE_MAX_VALUE_BYTES) {
    return `${label}'s checkpoint (weights, optimizer moments and carried state) would be ${b(m.stateBytes)}, but the database stores at most ${b(SQLITE_MAX_VALUE_BYTES)} in one value; make it smaller`;
  }
  if (m.largestArray > TYPED_ARRAY_MAX_LENGTH) {
    return `${label} needs an array of ${m.largestArray.toLocaleString('en-US')} values, but one may hold at most ${TYPED_ARRAY_MAX_LENGTH.toLocaleString('en-US')}; make it smaller`;
  }
  return null;
}
