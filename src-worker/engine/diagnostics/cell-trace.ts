/**
 * Inside the cells: the gate values and states a model goes through while it reads a passage, and
 * how often each gate is saturated (near 0 or 1) over a longer text, after Karpathy, Johnson and
 * Fei-Fei 2015, "Visualizing and understanding recurrent networks".
 *
 * Gate values come from the cells' forward caches (LayerWork.acts, (T, B, G*H)), one block per gate
 * in the order the cell catalogue gives them (src-shared/cells.ts). The vanilla RNN has no gates:
 * its traces hold h only.
 */
import { CELL_CATALOGUE, type CellName, type GateInfo } from '../../../src-shared/cells.ts';
import { ConfigError } from '../config.ts';
import type { TokenIds } from '../data.ts';
import { forwardInChunks } from '../evaluate.ts';
import type { Kernels, Vec } from '../kernels.ts';
import type { Model } from '../model.ts';
import { checkIds, wholeOption } from './common.ts';

/** The gates of a cell in the order of its gate blocks (empty for the vanilla RNN). */
export function gateInfo(cell: CellName): readonly GateInfo[] {
  return CELL_CATALOGUE[cell].gates;
}

export interface LayerTrace {
  /** (T, H): h_t, the state after reading ids[t] */
  h: Float32Array;
  /** (T, H): c_t (LSTMs), else null */
  c: Float32Array | null;
  /** per gate of `gates`, (T, H): its value at step t */
  gates: Float32Array[];
}

export interface CellTrace {
  cell: CellName;
  gates: readonly GateInfo[];
  /** T: steps traced, one per id */
  steps: number;
  hidden: number;
  /** bottom layer first */
  layers: LayerTrace[];
}

/** Most values (steps x units x traced vectors x layers) one trace may hold: 64 Mi floats, 256 MB. */
const TRACE_MAX_VALUES = 1 << 26;

/**
 * Reads ids from a zero state as one sequence (batch 1) and records, at every step and layer, h,
 * c (LSTMs) and every gate's value. `chunk` is the characters per forward pass; the result does not
 * depend on it.
 */
export function traceCells(model: Model, k: Kernels, ids: TokenIds, opts: { chunk?: number } = {}): CellTrace {
  const { vocabSize: V, hidden: H, cell } = model.config;
  const L = model.layers.length;
  const chunk = wholeOption('chunk', opts.chunk, 256, 1, 100_000);
  checkIds('ids', ids, V, 1);
  const gates = gateInfo(cell);
  const G = model.cell.gates;
  const n = ids.length;
  const perStep = H * L * (gates.length + (model.cell.hasCellState ? 2 : 1));
  if (n * perStep > TRACE_MAX_VALUES) {
    throw new ConfigError('ids', `a trace of ${n} steps would hold ${n * perStep} values, more than ${TRACE_MAX_VALUES}; trace at most ${Math.floor(TRACE_MAX_VALUES / perStep)} characters`);
  }
  const layers: LayerTrace[] = Array.from({ length: L }, () => ({
    h: new Float32Array(n * H),
    c: model.cell.hasCellState ? new Float32Array(n * H) : null,
    gates: gates.map(() => new Float32Array(n * H)),
  }));
  forwardInChunks(model, k, ids, 1, n, chunk, false, (ws, start, len) => {
    for (let l = 0; l < L; l++) {
      const w = ws.layers[l];
      const out = layers[l];
      out.h.set(w.hs.subarray(H, (len + 1) * H), start * H);
      if (out.c) out.c.set(w.cs!.subarray(H, (len + 1) * H), start * H);
      for (let gi = 0; gi < gates.length; gi++) {
        const dst = out.gates[gi];
        for (let t = 0; t < len; t++) {
          const src = t * G * H + gi * H;
          for (let j = 0; j < H; j++) dst[(start + t) * H + j] = w.acts[src + j];
        }
      }
    }
  });
  return { cell, gates, steps: n, hidden: H, layers };
}

export interface SaturationEntry {
  layer: number;
  /** a gate's name, or 'h' for the hidden state */
  name: string;
  label: string;
  /** [lo, hi]: [0, 1] for sigmoid gates, [-1, 1] for tanh candidates and h */
  range: readonly [number, number];
  /** fraction of (step, unit) values within `margin` of lo (below lo + margin) */
  low: number;
  /** fraction above hi - margin */
  high: number;
  /** fraction of values in each of `bins` equal bins over range (sums to 1) */
  histogram: Float64Array;
  /** values counted: steps x streams x H */
  count: number;
}

export interface SaturationOptions {
  /** histogram bins (default 20) */
  bins?: number;
  /** distance from either end of the range that counts as saturated (default 0.1: below 0.1 and above 0.9 for sigmoid gates) */
  margin?: number;
  /** parallel streams the text is cut into, each from a zero state (default 1: one sequence) */
  streams?: number;
  chunk?: number;
}

/**
 * Per layer, per gate (and h): how the values spread over their range across a text, and the
 * fraction of them saturated at either end. Counts every (step, unit) of every stream. Entries are
 * ordered layer by layer, each layer's gates first (in gateInfo order), then 'h'.
 */
export function gateSaturation(model: Model, k: Kernels, ids: TokenIds, opts: SaturationOptions = {}): SaturationEntry[] {
  const { vocabSize: V, hidden: H, cell } = model.config;
  const L = model.layers.length;
  const bins = wholeOption('bins', opts.bins, 20, 1, 10_000);
  const margin = opts.margin ?? 0.1;
  if (!(Number.isFinite(margin) && margin > 0 && margin < 1)) throw new ConfigError('margin', `must be a finite number in (0, 1), got ${String(opts.margin)}`);
  const S = wholeOption('streams', opts.streams, 1, 1, 4096);
  const chunk = wholeOption('chunk', opts.chunk, 256, 1, 100_000);
  checkIds('ids', ids, V, S);
  const gates = gateInfo(cell);
  const G = model.cell.gates;
  const kinds = [...gates, { name: 'h', label: 'hidden state', activation: 'tanh' } as const];
  const entries: SaturationEntry[] = [];
  const counts: Float64Array[] = [];
  for (let l = 0; l < L; l++) {
    for (const g of kinds) {
      entries.push({ layer: l, name: g.name, label: g.label, range: g.activation === 'sigmoid' ? [0, 1] : [-1, 1], low: 0, high: 0, histogram: new Float64Array(bins), count: 0 });
      counts.push(new Float64Array(bins + 2)); // bins, then low and high
    }
  }
  forwardInChunks(model, k, ids, S, Math.floor(ids.length / S), chunk, false, (ws, _start, len) => {
    for (let l = 0; l < L; l++) {
      const w = ws.layers[l];
      const base = l * kinds.length;
      for (let gi = 0; gi < gates.length; gi++) {
        const e = entries[base + gi];
        for (let r = 0; r < len * S; r++) tally(counts[base + gi], w.acts, r * G * H + gi * H, H, e.range, bins, margin);
      }
      const e = entries[base + gates.length];
      tally(counts[base + gates.length], w.hs, S * H, len * S * H, e.range, bins, margin);
    }
  });
  const count = Math.floor(ids.length / S) * S * H;
  entries.forEach((e, i) => {
    const c = counts[i];
    for (let b = 0; b < bins; b++) e.histogram[b] = c[b] / count;
    e.low = c[bins] / count;
    e.high = c[bins + 1] / count;
    e.count = count;
  });
  return entries;
}

function tally(counts: Float64Array, v: Vec, off: number, n: number, range: readonly [number, number], bins: number, margin: number): void {
  const [lo, hi] = range;
  const scale = bins / (hi - lo);
  for (let i = off; i < off + n; i++) {
    const x = v[i];
    let b = Math.floor((x - lo) * scale);
    if (b < 0) b = 0;
    else if (b >= bins) b = bins - 1;
    counts[b]++;
    if (x < lo + margin) counts[bins]++;
    else if (x > hi - margin) counts[bins + 1]++;
  }
}

