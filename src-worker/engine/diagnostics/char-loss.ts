/**
 * Per-character loss: for every position of a text, how surprised the model was by the next
 * character (nats) and what it expected instead (its top-k guesses), for a heat-map of the text.
 * The text is read as one sequence from a zero state, as evaluate() reads it, so the mean of nll
 * equals evaluate()'s loss.
 */
import type { TokenIds } from '../data.ts';
import { forwardInChunks } from '../evaluate.ts';
import type { Kernels } from '../kernels.ts';
import type { Model } from '../model.ts';
import { checkIds, wholeOption } from './common.ts';

export interface CharacterLosses {
  /** (n - 1): position i's loss in nats, -ln p(ids[i + 1] | ids[0..i]) */
  nll: Float64Array;
  /** k: guesses kept per position */
  topK: number;
  /** (n - 1, k): the k most likely next ids at position i, most likely first (ties: lower id first) */
  topIds: Int32Array;
  /** (n - 1, k): their probabilities */
  topProbs: Float64Array;
}

export function characterLosses(model: Model, k: Kernels, ids: TokenIds, opts: { topK?: number; chunk?: number } = {}): CharacterLosses {
  const V = model.config.vocabSize;
  const K = wholeOption('topK', opts.topK, Math.min(5, V), 1, V);
  checkIds('ids', ids, V, 2);
  const n = ids.length - 1;
  const nll = new Float64Array(n);
  const topIds = new Int32Array(n * K);
  const topProbs = new Float64Array(n * K);
  const chunk = wholeOption('chunk', opts.chunk, 256, 1, 100_000);
  forwardInChunks(model, k, ids, 1, n, chunk, true, (ws, start, len) => {
    for (let t = 0; t < len; t++) {
      nll[start + t] = ws.nll[t];
      topK(ws.probs, t * V, V, K, topIds, topProbs, (start + t) * K);
    }
  });
  return { nll, topK: K, topIds, topProbs };
}

/**
 * Writes the K largest of p[off..off+V) (ids and values, largest first, lower id first on ties)
 * at ids[out..out+K) and vals[out..out+K), by insertion: O(V K), no allocation.
 */
export function topK(p: ArrayLike<number>, off: number, V: number, K: number, ids: Int32Array, vals: Float64Array, out: number): void {
  let filled = 0;
  for (let j = 0; j < V; j++) {
    const v = p[off + j];
    if (filled === K && !(v > vals[out + K - 1])) continue;
    let i = filled < K ? filled++ : K - 1;
    while (i > 0 && v > vals[out + i - 1]) {
      vals[out + i] = vals[out + i - 1];
      ids[out + i] = ids[out + i - 1];
      i--;
    }
    vals[out + i] = v;
    ids[out + i] = j;
  }
}
