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

/** Cross-entropy, bits per character, perplexity and accuracy of predicting ids[i+1] from ids[0..i]. */
export function evaluate(model: Model, k: Kernels, ids: Int32Array, chunk = 256): EvalResult {
  const n = ids.length - 1;
  if (n < 1) throw new RangeError('evaluation needs a text of at least 2 characters');
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
      total += ws.nll[t];
      if (argmax(ws.probs, t * V, V) === ws.targets[t]) correct++;
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
