/**
 * Inside the cells, the lab's side: which text a diagnostic reads, and the model worker's results
 * turned into the API's reports (plain numbers, traces as float32 bytes). The measuring itself is
 * in src-worker/engine/diagnostics and runs in the model worker.
 */
import type { CellInspection, CharacterLossRun, CheckpointKind, GradientFlowReport, PassageRequest, SaturationRow } from '../api/contract.ts';
import { DIAGNOSE_MAX_PASSAGE } from '../../src-shared/limits.ts';
import type { CellName } from '../../src-worker/engine/cells/index.ts';
import type { CellTrace, SaturationEntry } from '../../src-worker/engine/diagnostics/cell-trace.ts';
import type { CharacterLosses } from '../../src-worker/engine/diagnostics/char-loss.ts';
import type { GradientFlow } from '../../src-worker/engine/diagnostics/gradient-flow.ts';
import type { UnitCorrelation } from '../../src-worker/engine/diagnostics/text-features.ts';

export const DEFAULT_PASSAGE = 400;
/** characters of the validation text the saturation histograms count */
export const SATURATION_CHARS = 20_000;
/** most traced values one inspection returns (steps x units x vectors x layers): 32 MB of float32 */
export const INSPECT_MAX_VALUES = 8 * 1024 * 1024;
/** longest window the gradient flow is measured over */
export const FLOW_MAX_WINDOW = 400;

export class PassageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PassageError';
  }
}

/**
 * The passage a request names, as characters and token ids: the user's own text (every character
 * must be in the vocabulary) or a slice of the validation ids.
 */
export function resolvePassage(req: PassageRequest, vocab: readonly string[], valid: Uint16Array): { text: string; ids: Uint16Array } {
  if (req.text !== undefined) {
    const chars = [...req.text];
    if (chars.length < 2) throw new PassageError('the text needs at least 2 characters (each one is predicted from those before it)');
    if (chars.length > DIAGNOSE_MAX_PASSAGE) throw new PassageError(`the text has ${chars.length} characters; at most ${DIAGNOSE_MAX_PASSAGE} are read`);
    const index = new Map(vocab.map((c, i) => [c, i]));
    const ids = new Uint16Array(chars.length);
    chars.forEach((c, i) => {
      const id = index.get(c);
      if (id === undefined) throw new PassageError(`character ${i + 1} of the text, ${JSON.stringify(c)}, is not in the corpus vocabulary`);
      ids[i] = id;
    });
    return { text: req.text, ids };
  }
  const start = req.start ?? 0;
  const length = req.length ?? DEFAULT_PASSAGE;
  if (length < 2 || length > DIAGNOSE_MAX_PASSAGE) throw new PassageError(`a passage has 2 to ${DIAGNOSE_MAX_PASSAGE} characters, got ${length}`);
  if (start + 2 > valid.length) throw new PassageError(`the validation text has ${valid.length} characters; a passage cannot start at ${start}`);
  const ids = valid.slice(start, Math.min(valid.length, start + length));
  return { text: Array.from(ids, (id) => vocab[id]).join(''), ids };
}

/**
 * Windows for the gradient flow on a validation text of n ids: the requested window (default the
 * run's seqLen), up to 8 streams of up to 4 windows each after a one-window warm-up.
 */
export function flowWindows(n: number, seqLen: number, window?: number): { window: number; streams: number; windows: number; warmup: number } {
  const T = window ?? Math.min(seqLen, FLOW_MAX_WINDOW);
  if (!Number.isInteger(T) || T < 1 || T > FLOW_MAX_WINDOW) throw new PassageError(`the window must be from 1 to ${FLOW_MAX_WINDOW} steps, got ${T}`);
  const perStream = (streams: number): number => Math.floor((n - 1) / streams);
  if (perStream(1) < 2 * T) throw new PassageError(`the validation text has ${n} characters; a ${T}-step window after a ${T}-step warm-up needs ${2 * T + 1}`);
  let streams = 8;
  while (streams > 1 && perStream(streams) < 2 * T) streams--;
  const windows = Math.min(4, Math.floor((perStream(streams) - T) / T));
  return { window: T, streams, windows, warmup: T };
}

export function gradientFlowReport(base: { runId: number; cell: CellName; checkpoint: CheckpointKind; step: number }, flow: GradientFlow): GradientFlowReport {
  return {
    ...base,
    window: flow.window,
    maxLag: flow.maxLag,
    samples: flow.samples,
    h: flow.h.map((a) => Array.from(a)),
    c: flow.c ? flow.c.map((a) => Array.from(a)) : null,
  };
}

export function cellInspection(base: { runId: number; cell: CellName; checkpoint: CheckpointKind; step: number }, passage: string,
  trace: CellTrace, correlated: Record<string, UnitCorrelation[]>, saturation: SaturationEntry[], saturationChars: number): CellInspection {
  const bytes = (a: Float32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return {
    ...base,
    passage,
    hidden: trace.hidden,
    gates: trace.gates.map((g) => ({ name: g.name, label: g.label, activation: g.activation })),
    layers: trace.layers.map((l) => ({ h: bytes(l.h), c: l.c ? bytes(l.c) : null, gates: l.gates.map(bytes) })),
    correlated: Object.fromEntries(Object.entries(correlated).map(([f, rows]) => [f, rows.map((r) => ({ ...r }))])),
    saturation: saturation.map((e): SaturationRow => ({
      layer: e.layer, name: e.name, label: e.label, range: [e.range[0], e.range[1]], low: e.low, high: e.high,
      histogram: Array.from(e.histogram), count: e.count,
    })),
    saturationChars,
  };
}

export function characterLossRun(base: { runId: number; cell: CellName; seed: number; step: number }, vocab: readonly string[], r: CharacterLosses): CharacterLossRun {
  const nll = Array.from(r.nll);
  const guesses = nll.map((_, i) => {
    const ids = r.topIds.subarray(i * r.topK, (i + 1) * r.topK);
    return { chars: Array.from(ids, (id) => vocab[id]), probs: Array.from(r.topProbs.subarray(i * r.topK, (i + 1) * r.topK)) };
  });
  return { ...base, nll, guesses, loss: nll.reduce((a, b) => a + b, 0) / nll.length };
}
