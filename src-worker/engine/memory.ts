/**
 * What a training run allocates, counted from its configuration before anything is allocated, so
 * that the lab can show it and refuse a run that cannot fit. The counts follow the allocations one
 * by one (test/engine/memory.test.ts holds them to the real ones):
 *
 *   Model      params (P) and grads (P), from the kernels' allocator
 *   Workspace  per layer xw, acts, dxw (T*B*G*H each; dhw too where the cell's hidden-side
 *              gradient is separate), hs (and cs) ((T+1)*B*H), aux and dhs (T*B*H), step (B*G*H),
 *              dhNext, dcNext, dTmp (B*H); inputs and targets (T*B ids), probs (T*B*V), emb and dEmb
 *              (T*B*E), two (T*B*H) per dropout boundary; from the allocator. nll (T*B float64)
 *              apart.
 *   Optimizer  its moments, P each, apart
 *   Trainer    one thread: the model and one workspace of T x B. n threads: the model, and per
 *              shard a model over the same params (its own grads) with a workspace of its streams;
 *              the whole batch's ids apart
 *   evaluation one reused workspace of the evaluation's streams (evalStreams) over min(T, m) steps,
 *              and one of the last, shorter pass; sampling one of 1 x 1, with 2 arrays of V apart
 *   state      saveState's buffer: params, moments and the carried state (B*H per layer, twice with
 *              a cell state), float32, after a JSON header
 *
 * With the WebAssembly kernels everything "from the allocator" lives in the run's one memory,
 * rounded up to 16 bytes an array, with each thread's kernel scratch.
 */
import { CELLS } from './cells/index.ts';
import type { ModelConfig, TrainConfig } from './config.ts';
import { evalStreams } from './evaluate.ts';
import { paramLayout } from './param-layout.ts';
import { shardSizes } from './shards.ts';

/** Moment buffers per weight of each optimizer (as Optimizer allocates them). */
function momentCount(t: TrainConfig['optimizer']): number {
  return { sgd: t.momentum > 0 ? 1 : 0, adam: 2, adamw: 2, rmsprop: 1, adagrad: 1 }[t.name];
}

/** Lengths of the arrays a workspace of T steps over B streams takes from the model's allocator. */
export function workspaceArrays(c: ModelConfig, T: number, B: number): number[] {
  const { vocabSize: V, hidden: H, embedding: E, layers: L, dropout } = c;
  const cell = CELLS[c.cell];
  const TB = T * B;
  const GH = cell.gates * H;
  const out: number[] = [];
  for (let l = 0; l < L; l++) {
    out.push(TB * GH, TB * GH, (T + 1) * B * H); // dxw, xw, hs
    if (cell.hasCellState) out.push((T + 1) * B * H);
    out.push(TB * GH, TB * H, B * GH); // acts, aux, step
    if (cell.separateHiddenGrad) out.push(TB * GH);
    out.push(TB * H, B * H, B * H, B * H); // dhs, dhNext, dcNext, dTmp
  }
  out.push(TB, TB, TB * V); // inputs, targets, probs
  if (E > 0) out.push(TB * E, TB * E);
  if (dropout > 0) for (let l = 0; l < L - 1; l++) out.push(TB * H, TB * H);
  return out;
}

/** The (T, B) shapes of the workspaces an evaluation of n characters in passes of `chunk` steps makes. */
function evalShapes(n: number, chunk: number): [number, number][] {
  if (n < 2) return [];
  const S = evalStreams(n);
  const m = Math.floor((n - 1) / S);
  const T = Math.min(chunk, m);
  return m % T === 0 ? [[T, S]] : [[T, S], [m % T, S]];
}

export interface RunMemory {
  /** bytes of each kind */
  weights: number;
  gradients: number;
  optimizer: number;
  /** workspaces of training, evaluation and sampling, kernel scratch, and the text's token ids */
  activations: number;
  /** two training states: the one a resumed run starts from, and the one it writes at a checkpoint */
  checkpoints: number;
  total: number;
  /** bytes of one training state (a checkpoint, as the database stores it) */
  stateBytes: number;
  /** bytes the kernels' allocator hands out (with the WebAssembly kernels: the run's one memory) */
  allocatorBytes: number;
  /** the most elements any one array has */
  largestArray: number;
}

interface RunShape {
  model: ModelConfig;
  train: TrainConfig;
  /** characters of the training and the validation text */
  trainChars: number;
  validChars: number;
  /** characters an interval evaluation reads (0: all of the validation text) */
  evalChars: number;
  /** bytes of kernel scratch each thread takes from the allocator (0 for kernels without one) */
  scratchBytes: number;
}

/** The JSON header of a saved training state, at most (its length varies with the numbers in it). */
const STATE_HEADER_BYTES = 4096;

/** What one run allocates at most while it trains, by kind (see the top of this file). */
export function runMemory(r: RunShape): RunMemory {
  const { model: c, train: t } = r;
  const P = paramLayout(c).size;
  const cell = CELLS[c.cell];
  const { seqLen: T, batch: B, threads } = t;
  const fromAllocator: number[] = [];
  let apart = 0; // bytes outside the allocator, beyond the moments
  const workspace = (steps: number, streams: number): void => {
    fromAllocator.push(...workspaceArrays(c, steps, streams));
    apart += 8 * steps * streams; // nll
  };
  // a thread's grads are gradient memory, its workspace activations
  const shards = threads === 1 ? [B] : shardSizes(B, threads);
  for (const streams of shards) workspace(T, streams);
  if (threads > 1) apart += 2 * 4 * T * B;
  const evalLengths = new Set([r.validChars, r.evalChars > 0 ? Math.min(r.evalChars, r.validChars) : r.validChars]);
  const shapes = new Map<string, [number, number]>();
  for (const n of evalLengths) for (const s of evalShapes(n, T)) shapes.set(s.join('x'), s);
  for (const [steps, streams] of shapes.values()) workspace(steps, streams);
  workspace(1, 1);
  apart += 12 * c.vocabSize; // the sampler's weights and order
  apart += 2 * (r.trainChars + r.validChars); // token ids, Uint16Array
  const activationArrays = fromAllocator.slice();
  const gradientArrays = new Array<number>(threads === 1 ? 1 : threads + 1).fill(P);
  const moments = momentCount(t.optimizer);
  const carried = c.layers * B * c.hidden * (cell.hasCellState ? 2 : 1);
  const stateBytes = 16 + STATE_HEADER_BYTES + 4 * (P * (1 + moments) + carried);
  const rounded = (n: number): number => Math.ceil((4 * n) / 16) * 16;
  const sum = (xs: number[]): number => xs.reduce((a, n) => a + rounded(n), 0);
  const scratch = threads * r.scratchBytes;
  const weights = rounded(P);
  const gradients = sum(gradientArrays);
  const activations = sum(activationArrays) + scratch + apart;
  const optimizer = moments * 4 * P;
  const checkpoints = 2 * stateBytes;
  return {
    weights,
    gradients,
    optimizer,
    activations,
    checkpoints,
    total: weights + gradients + optimizer + activations + checkpoints,
    stateBytes,
    allocatorBytes: weights + gradients + sum(activationArrays) + scratch,
    largestArray: Math.max(P, ...activationArrays),
  };
}
