/**
 * Evaluation over a text read as one sequence from a zero state, the state carried exactly across
 * chunks (so the result does not depend on the chunk length). For speed a caller may cut the text
 * into S contiguous streams evaluated side by side (each from a zero state, as torch_bench.py's
 * validation does); the few characters past S * floor(n / S) are then left out.
 */
import type { TokenIds } from './data.ts';
import type { Kernels } from './kernels.ts';
import type { Model, Workspace } from './model.ts';

export interface EvalResult {
  /** mean cross-entropy, nats per character */
  loss: number;
  bitsPerChar: number;
  perplexity: number;
  /** fraction of positions where the most likely next character was the right one */
  accuracy: number;
  /** characters predicted (text length - 1 with one stream) */
  count: number;
}

export interface EvalOptions {
  /** characters per forward pass (the result does not depend on it) */
  chunk?: number;
  /** parallel streams (default 1: the whole text as one sequence) */
  streams?: number;
  /** per position i (predicting ids[i+1]): its loss in nats, and whether the top guess was right (1) */
  nll?: Float64Array;
  correct?: Uint8Array;
}

/** Most streams a run's evaluation reads side by side, and fewest characters each. */
const EVAL_MAX_STREAMS = 16;
const EVAL_MIN_STREAM_CHARS = 64;

/** The streams a run's evaluation of n characters reads side by side (train.worker's, and memory.ts's count). */
export function evalStreams(n: number): number {
  return Math.max(1, Math.min(EVAL_MAX_STREAMS, Math.floor((n - 1) / EVAL_MIN_STREAM_CHARS)));
}

/** Cross-entropy, bits per character, perplexity and accuracy of predicting ids[i+1] from ids[0..i]. */
export function evaluate(model: Model, k: Kernels, ids: TokenIds, opts: EvalOptions = {}): EvalResult {
  const chunk = opts.chunk ?? 256;
  const S = opts.streams ?? 1;
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`chunk must be a whole number >= 1, got ${chunk}`);
  if (!Number.isInteger(S) || S < 1) throw new RangeError(`streams must be a whole number >= 1, got ${S}`);
  const m = Math.floor((ids.length - 1) / S); // predictions per stream
  if (m < 1) throw new RangeError(`evaluation needs at least ${S + 1} characters for ${S} stream(s), got ${ids.length}`);
  const n = S * m;
  for (const [name, a] of [['nll', opts.nll], ['correct', opts.correct]] as const) {
    if (a && a.length < n) throw new RangeError(`${name} needs room for ${n} positions, has ${a.length}`);
  }
  const V = model.config.vocabSize;
  let total = 0;
  let correct = 0;
  forwardInChunks(model, k, ids, S, m, chunk, true, (ws, start, len) => {
    for (let t = 0; t < len; t++) {
      for (let s = 0; s < S; s++) {
        const i = t * S + s;
        const right = argmax(ws.probs, i * V, V) === ws.targets[i];
        total += ws.nll[i];
        if (right) correct++;
        const p = s * m + start + t;
        if (opts.nll) opts.nll[p] = ws.nll[i];
        if (opts.correct) opts.correct[p] = right ? 1 : 0;
      }
    }
  });
  const loss = total / n;
  return { loss, bitsPerChar: loss / Math.LN2, perplexity: Math.exp(loss), accuracy: correct / n, count: n };
}

/**
 * Runs ids forward as S streams side by side, stream s reading the m positions from s * m, in
 * passes of at most `chunk` steps from a zero state, carrying the state exactly from one pass to
 * the next. With `targets`, position p's target is ids[p + 1] (which must exist), else 0 (for a
 * caller that does not want the loss). After each pass calls visit(ws, start, len): ws's first len
 * steps are positions start .. start + len - 1 of every stream.
 */
export function forwardInChunks(model: Model, k: Kernels, ids: TokenIds, S: number, m: number, chunk: number, targets: boolean,
  visit: (ws: Workspace, start: number, len: number) => void): void {
  let ws = reusableWorkspace(model, Math.min(chunk, m), S);
  for (let start = 0; start < m; start += ws.T) {
    const len = Math.min(ws.T, m - start);
    if (len < ws.T) ws = carryInto(ws, reusableWorkspace(model, len, S));
    for (let t = 0; t < len; t++) {
      for (let s = 0; s < S; s++) {
        const p = s * m + start + t;
        ws.inputs[t * S + s] = ids[p];
        ws.targets[t * S + s] = targets ? ids[p + 1] : 0;
      }
    }
    model.forward(k, ws);
    visit(ws, start, len);
    ws.carryState();
  }
}

const reusable = new WeakMap<Model, Map<string, Workspace>>();

/**
 * A workspace of the model for T x B, made once and reset to a zero state on every call. Evaluation
 * and sampling run again and again during training; reusing their buffers keeps a run's memory
 * flat (the WebAssembly kernels' allocator never frees). Not for two passes at once.
 */
export function reusableWorkspace(model: Model, T: number, B: number): Workspace {
  let byShape = reusable.get(model);
  if (!byShape) reusable.set(model, (byShape = new Map()));
  const key = `${T}x${B}`;
  let ws = byShape.get(key);
  if (!ws) byShape.set(key, (ws = model.workspace(T, B)));
  ws.resetState();
  return ws;
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
