/** A LabClient whose every method is a vi.fn, plus emit() to push live events into the stores. */
import { vi, type Mock } from 'vitest';
import { METHOD_NAMES } from '../../src-shared/methods.ts';
import type { ApiEvent, BaselinesReport, CellInspection, CharacterLossReport, CharacterLossRun, GradientFlowReport, LabClient, MethodName, Run, RunMemoryInfo } from '../../src-main/api/contract.ts';

export type FakeClient = LabClient & { [M in MethodName]: Mock<LabClient[M]> } & { emit(e: ApiEvent): void };

export function fakeClient(overrides: Partial<{ [M in MethodName]: LabClient[M] }> = {}): FakeClient {
  const listeners = new Set<(e: ApiEvent) => void>();
  const client: Record<string, unknown> = {
    onEvent(l: (e: ApiEvent) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit(e: ApiEvent) {
      for (const l of listeners) l(e);
    },
  };
  // every app start reads where runs train (startLab): here, unless a test says otherwise
  const defaults: Partial<{ [M in MethodName]: LabClient[M] }> = { getExecution: async () => ({ mode: 'local', threads: 2 }) };
  for (const m of METHOD_NAMES) {
    client[m] = vi.fn(overrides[m] ?? defaults[m] ?? (async () => {
      throw new Error(`fake client: ${m} not set up`);
    }));
  }
  return client as FakeClient;
}

export function makeRun(over: Partial<Run> = {}): Run {
  return {
    id: 1, experimentId: 1, cell: 'lstm', seed: 1, config: {}, params: 1000, status: 'not-started', queue: null, copy: 0, trial: null, halted: null, kernelSet: null, error: null,
    step: 0, steps: 1000, bestValLoss: null, elapsed: 0, ownerPid: null, control: null, createdAt: 0, startedAt: null, finishedAt: null,
    ...over,
  };
}

export function metricRow(step: number, trainLoss = 2, wallSeconds = step / 10) {
  return { step, charsSeen: step * 100, wallSeconds, trainLoss, gradNorm: 1, clipped: false, lr: 0.002, charsPerSecond: 1000 };
}

// ---- inside the cells: answers shaped as the lab gives them ----

/** float32 little-endian bytes of values, at `offset` bytes into a larger buffer (to test unaligned views) */
export function float32Bytes(values: ArrayLike<number>, offset = 0): Uint8Array {
  const buf = new ArrayBuffer(offset + values.length * 4);
  const view = new DataView(buf);
  for (let i = 0; i < values.length; i++) view.setFloat32(offset + i * 4, values[i], true);
  return new Uint8Array(buf, offset, values.length * 4);
}

export function gradientFlowReport(over: Partial<GradientFlowReport> = {}): GradientFlowReport {
  const decay = (base: number) => Array.from({ length: 11 }, (_, k) => base ** k);
  return { runId: 1, cell: 'lstm', checkpoint: 'best', step: 500, window: 10, maxLag: 10, samples: 32, h: [decay(0.9)], c: [decay(0.95)], ...over };
}

/** An LSTM's trace over a passage: h of unit u at step t is (t + u) / 100, gates 0.5, c = 2 t / T (to exceed 1). */
export function cellInspection(passage: string, over: Partial<CellInspection> = {}, hidden = 3): CellInspection {
  const T = Array.from(passage).length;
  const grid = (f: (t: number, u: number) => number) => float32Bytes(Array.from({ length: T * hidden }, (_, i) => f(Math.floor(i / hidden), i % hidden)), 4);
  return {
    runId: 1, cell: 'lstm', checkpoint: 'best', step: 500, passage, hidden,
    gates: [
      { name: 'i', label: 'input gate', activation: 'sigmoid' },
      { name: 'f', label: 'forget gate', activation: 'sigmoid' },
      { name: 'g', label: 'candidate', activation: 'tanh' },
      { name: 'o', label: 'output gate', activation: 'sigmoid' },
    ],
    layers: [{ h: grid((t, u) => (t + u) / 100), c: grid((t) => (2 * t) / T), gates: [grid(() => 0.5), grid(() => 0.99), grid(() => -0.2), grid(() => 0.05)] }],
    correlated: { linePosition: [{ layer: 0, state: 'h', unit: 2, r: 0.91 }], inQuotes: [{ layer: 0, state: 'c', unit: 1, r: -0.6 }], inBrackets: [], whitespace: [] },
    saturation: [
      { layer: 0, name: 'i', label: 'input gate', range: [0, 1], low: 0.1, high: 0.2, histogram: Array.from({ length: 20 }, () => 0.05), count: 300 },
      { layer: 0, name: 'f', label: 'forget gate', range: [0, 1], low: 0.01, high: 0.6, histogram: Array.from({ length: 20 }, () => 0.05), count: 300 },
    ],
    saturationChars: 2000,
    ...over,
  };
}

export function characterLossReport(passage: string, runs: { runId: number; cell: string; seed?: number; nll?: number[] }[]): CharacterLossReport {
  const n = Array.from(passage).length - 1;
  return {
    checkpoint: 'best',
    passage,
    runs: runs.map((r) => {
      const nll = r.nll ?? Array.from({ length: n }, (_, i) => 0.5 + (i % 3));
      return {
        runId: r.runId, cell: r.cell as CharacterLossRun['cell'], seed: r.seed ?? 1, step: 500, nll,
        guesses: nll.map(() => ({ chars: ['e', 't', ' '], probs: [0.5, 0.3, 0.1] })),
        loss: nll.reduce((a, b) => a + b, 0) / nll.length,
      };
    }),
  };
}

export function baselinesReport(corpusId = 1): BaselinesReport {
  return { corpusId, vocabSize: 30, uniform: Math.log(30), unigram: 2.9, trainEntropy: 2.85, ngram: [{ order: 1, loss: 2.9 }, { order: 3, loss: 2.1 }, { order: 5, loss: 1.9 }] };
}

/** A planned run's memory of `bytes` in all, split as an Adam run's roughly is. */
export function planMemory(bytes: number): RunMemoryInfo {
  const w = Math.round(bytes / 8);
  return { bytes, weights: w, gradients: w, optimizer: 2 * w, activations: bytes - 7 * w, checkpoints: 3 * w };
}
