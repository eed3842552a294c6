/**
 * Gradient flow through time: how much of the loss at the last position of a window reaches the
 * hidden state k steps back. This is the vanishing-gradient picture of Bengio et al. 1994 and
 * Hochreiter and Schmidhuber 1997, measured on the user's own text.
 *
 * Notation, per window of T steps: h_0 is the state carried in, h_t the state after reading the
 * window's t-th input (row block t of LayerWork.hs), and L_T the cross-entropy (nats) of the
 * prediction made from h_T, the window's last position. For every layer and lag k = 0..K we report
 * the mean, over windows and streams, of the L2 norm (over the H units) of dL_T/dh_{T-k}:
 *   - each stream's L_T is its own loss, not divided by anything (no mean over T or B), so the
 *     k = 0 value of the top layer is ||W_d (p - onehot(target))||, independent of T and B;
 *   - dL_T/dh_{T-k} is the total derivative: every path from h_{T-k} to L_T, through later steps of
 *     its own layer and through the layers above (at k = T, h_0, only the former: the layers above
 *     read h_0 before the window began);
 *   - for the LSTMs, c reports dL_T/dc_{T-k} with h_{T-k} held fixed: the error carried back along
 *     the cell-state path (the constant error carousel), which is what truncated BPTT passes on as
 *     dcNext. It is 0 at k = 0 (c_T reaches L_T only through h_T).
 *
 * Windows: the text is cut into B contiguous streams (as evaluate does). Each stream starts from a
 * zero state, runs its first `warmup` characters forward only, then measures consecutive windows of
 * T characters, carrying the state from one to the next as training does. So every measured window
 * starts from the state the real preceding text left, not from zero.
 */
import { ConfigError } from '../config.ts';
import type { TokenIds } from '../data.ts';
import { carryInto, reusableWorkspace } from '../evaluate.ts';
import type { Kernels } from '../kernels.ts';
import type { Model, Workspace } from '../model.ts';
import { checkIds, wholeOption } from './common.ts';

export interface GradientFlowOptions {
  /** T: steps per window */
  window: number;
  /** K: largest lag reported, 0..T (default T; lag T is the carried-in state h_0) */
  maxLag?: number;
  /** B: streams the text is cut into, run side by side (default 1) */
  streams?: number;
  /** windows measured per stream (default: as many as fit after the warm-up) */
  windows?: number;
  /** characters of each stream run forward only before its first window (default T) */
  warmup?: number;
}

export interface GradientFlow {
  /** K: the arrays below have K + 1 entries, for lags 0..K */
  maxLag: number;
  window: number;
  /** per layer (bottom first), per lag k: mean ||dL_T/dh_{T-k}||_2 */
  h: Float64Array[];
  /** LSTMs: per layer, per lag k: mean ||dL_T/dc_{T-k}||_2 with h_{T-k} held fixed; null for other cells */
  c: Float64Array[] | null;
  /** (window, stream) pairs averaged */
  samples: number;
}

/**
 * Measures the gradient flow (see the file comment). Runs in evaluation mode (no dropout); uses the
 * model's gradient buffer as scratch and restores it, so it may be called between training steps.
 */
export function gradientFlow(model: Model, k: Kernels, ids: TokenIds, opts: GradientFlowOptions): GradientFlow {
  const { vocabSize: V, hidden: H } = model.config;
  const L = model.layers.length;
  const T = wholeOption('window', opts.window, 0, 1, 100_000);
  const K = wholeOption('maxLag', opts.maxLag, T, 0, T);
  const B = wholeOption('streams', opts.streams, 1, 1, 4096);
  const warmup = wholeOption('warmup', opts.warmup, T, 0, Number.MAX_SAFE_INTEGER);
  checkIds('ids', ids, V, 2);
  const m = Math.floor((ids.length - 1) / B); // positions with a target, per stream
  const fit = m > warmup ? Math.floor((m - warmup) / T) : 0;
  if (fit < 1) {
    throw new ConfigError('ids', `text of ${ids.length} characters is too short for ${B} stream(s) of ${warmup} warm-up characters plus one ${T}-step window; it needs at least ${B * (warmup + T) + 1}`);
  }
  const windows = wholeOption('windows', opts.windows, fit, 1, fit);

  const hSum = Array.from({ length: L }, () => new Float64Array(K + 1));
  const cSum = model.cell.hasCellState ? Array.from({ length: L }, () => new Float64Array(K + 1)) : null;

  // the warm-up's odd remainder first, from zero, so the rest runs in the window's own workspace
  const rest = warmup % T;
  let small: Workspace | null = null;
  if (rest > 0) {
    small = reusableWorkspace(model, rest, B);
    fill(small, ids, m, 0);
    model.forward(k, small);
    small.carryState();
  }
  const ws = reusableWorkspace(model, T, B);
  if (small) carryInto(small, ws);
  for (let start = rest; start < warmup; start += T) {
    fill(ws, ids, m, start);
    model.forward(k, ws);
    ws.carryState();
  }

  // Model.backward scales dlogits by 1/(T B); we undo it in the norms (everything is linear in dlogits)
  const scale = T * B;
  ws.layers.forEach((w, l) => {
    w.probe = (t: number): void => {
      const { dhs, dhNext, dcNext } = w;
      const n = B * H;
      if (t === T - 1) addNorms(hSum[l], 0, dhs, (T - 1) * n, null, 0, B, H, scale);
      const lag = T - t;
      if (lag > K) return;
      addNorms(hSum[l], lag, dhNext, 0, t > 0 ? dhs : null, (t - 1) * n, B, H, scale);
      if (cSum) addNorms(cSum[l], lag, dcNext, 0, null, 0, B, H, scale);
    };
  });
  const savedGrads = model.grads.slice();
  try {
    for (let wi = 0; wi < windows; wi++) {
      fill(ws, ids, m, warmup + wi * T);
      model.forward(k, ws);
      keepLastPosition(ws, V);
      model.backward(k, ws);
      ws.carryState();
    }
  } finally {
    for (const w of ws.layers) w.probe = undefined;
    model.grads.set(savedGrads);
  }
  const samples = windows * B;
  for (const a of [...hSum, ...(cSum ?? [])]) for (let i = 0; i < a.length; i++) a[i] /= samples;
  return { maxLag: K, window: T, h: hSum, c: cSum, samples };
}

/** Inputs and targets of the window that starts `start` characters into each of B streams of length m. */
function fill(ws: Workspace, ids: TokenIds, m: number, start: number): void {
  const { T, B } = ws;
  for (let t = 0; t < T; t++) {
    for (let s = 0; s < B; s++) {
      ws.inputs[t * B + s] = ids[s * m + start + t];
      ws.targets[t * B + s] = ids[s * m + start + t + 1];
    }
  }
}

/**
 * Makes backward see the loss of the last position only: every earlier row of probs becomes the
 * one-hot of its target, so its dlogits (softmax - onehot) is exactly zero.
 */
function keepLastPosition(ws: Workspace, V: number): void {
  const rows = (ws.T - 1) * ws.B;
  ws.probs.fill(0, 0, rows * V);
  for (let n = 0; n < rows; n++) ws.probs[n * V + ws.targets[n]] = 1;
}

/** sums[i] += scale * sum over the B streams of ||a[aOff + b H ..] + c[cOff + b H ..]||_2 (c optional) */
function addNorms(sums: Float64Array, i: number, a: ArrayLike<number>, aOff: number, c: ArrayLike<number> | null, cOff: number, B: number, H: number, scale: number): void {
  let total = 0;
  for (let b = 0; b < B; b++) {
    let ss = 0;
    for (let j = 0; j < H; j++) {
      const v = a[aOff + b * H + j] + (c ? c[cOff + b * H + j] : 0);
      ss += v * v;
    }
    total += Math.sqrt(ss);
  }
  sums[i] += scale * total;
}
