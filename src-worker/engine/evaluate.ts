/**
 * Evaluation over a text read as one sequence from a zero state, the state carried exactly across
 * chunks (so the result does not depend on the chunk length).
 */
import type { Kernels } from './kernels.ts';
import type { Model, Workspace } from './model.ts';

export interface EvalResult {
  /** mean cross-entropy, nats per character */
  loss: number;
  bitsPerChar: number;
  perplexity: number;
  /** fraction of positions where the most likely next character was the right one */
  accuracy: number;
  /** characters predicted (text length - 1) */
  count: number;
}

export interface EvalOptions {
  /** characters per forward pass (the result does not depend on it) */
  chunk?: number;
  /** per position i (predicting ids[i+1]): its loss in nats, and whether the top guess was right (1) */
  nll?: Float64Array;
  correct?: Uint8Array;
}

/** Cross-entropy, bits per character, perplexity and accuracy of predicting ids[i+1] from ids[0..i]. */
export function evaluate(model: Model, k: Kernels, ids: Int32Array, opts: EvalOptions = {}): EvalResult {
  const n = ids.length - 1;
  if (n < 1) throw new RangeError('evaluation needs a text of at least 2 characters');
  const chunk = opts.chunk ?? 256;
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`chunk must be a whole number >= 1, got ${chunk}`);
  for (const [name, a] of [['nll', opts.nll], ['correct', opts.correct]] as const) {
    if (a && a.length < n) throw new RangeError(`${name} needs room for ${n} positions, has ${a.length}`);
  }
  const V = model.config.vocabSize;
  let ws = model.workspace(Math.min(chunk, n), 1);
  let total = 0;
  let correct = 0;
  for (let start = 0; start < n; start += ws.T) {
    const len = Math.min(ws.T, n - start);
    if (len < ws.T) ws = carryInto(ws, model.workspace(len, 1));
    for (let t = 0; t < len; t++) {
      ws.inputs[t] = ids[start + t];
      ws.targets[t] = ids[start + t + 1];
    }
    model.forward(k, ws);
    for (let t = 0; t < len; t++) {
      const right = argmax(ws.probs, t * V, V) === ws.targets[t];
      total += ws.nll[t];
      if (right) correct++;
      if (opts.nll) opts.nll[start + t] = ws.nll[t];
      if (opts.correct) opts.correct[start + t] = right ? 1 : 0;
    }
    ws.carryState();
  }
  const loss = total / n;
  return { loss, bitsPerChar: loss / Math.LN2, perplexity: Math.exp(loss), accuracy: correct / n, count: n };
}

/** Copies the carried state of one workspace into another of the same batch size and returns it. */
export function carryInto(from: Workspace, to: Workspace): Workspace {
  for (let l = 0; l < from.layers.length; l++) {
    const n = from.B * from.layers[l].H;
    to.layers[l].hs.set(from.layers[l].hs.subarray(0, n));
    to.layers[l].cs?.set(from.layers[l].cs!.subarray(0, n));
  }
  return to;
}

export function argmax(v: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (v[offset + j] > v[offset + best]) best = j;
  return best;
}
