// Gradient flow through time: checked against central finite differences of a step-by-step forward
// that perturbs one state in the middle of the sequence, for every cell, two layers, float64.
import { describe, expect, it } from 'vitest';
import { recall } from '../../src-main/lab/tasks/recall.ts';
import { Vocab } from '../../src-worker/engine/data.ts';
import { CELL_NAMES, type CellName } from '../../src-worker/engine/cells/index.ts';
import { gradientFlow } from '../../src-worker/engine/diagnostics/gradient-flow.ts';
import { createKernels } from '../../src-worker/engine/kernel-sets.ts';
import { naiveKernels } from '../../src-worker/engine/kernels.ts';
import { Model } from '../../src-worker/engine/model.ts';
import { Rng } from '../../src-worker/engine/rng.ts';

interface Perturbation {
  layer: number;
  /** state index from the start of the stream: 0 is the zero initial state, s the state after s inputs */
  block: number;
  /**
   * nudge the state after every layer has made this step, as the state carried into a window (the
   * layers above have already read the unperturbed value); otherwise right after its own layer made it
   */
  carried: boolean;
  stream: number;
  unit: number;
  state: 'h' | 'c';
  eps: number;
}

/**
 * Sum over streams of the loss at the last step, computed one step and one layer at a time with the
 * cells' forward on one-step windows, so a state can be nudged after its layer has made it and
 * before the layer above (and the next step) read it. Independent of Model.forward/backward and of
 * the probes under test.
 */
function lastStepLoss(model: Model, ids: Int32Array, B: number, m: number, pert: Perturbation | null): number {
  const { hidden: H, embedding: E, vocabSize: V } = model.config;
  const L = model.layers.length;
  const G = model.cell.gates;
  const ws = model.workspace(1, B);
  const h = Array.from({ length: L }, () => new Float64Array(B * H));
  const c = Array.from({ length: L }, () => new Float64Array(B * H));
  const nudge = (l: number, block: number, carried: boolean): void => {
    if (pert && pert.layer === l && pert.block === block && pert.carried === carried) (pert.state === 'h' ? h : c)[l][pert.stream * H + pert.unit] += pert.eps;
  };
  for (let l = 0; l < L; l++) nudge(l, 0, true);
  for (let t = 0; t < m; t++) {
    for (let l = 0; l < L; l++) {
      const { p, inputSize: I } = model.layers[l];
      const w = ws.layers[l];
      for (let b = 0; b < B; b++) {
        const x = ids[b * m + t];
        for (let j = 0; j < G * H; j++) {
          let a = p.bx[j];
          for (let i = 0; i < I; i++) {
            const input = l > 0 ? h[l - 1][b * H + i] : E > 0 ? model.embedding![x * E + i] : i === x ? 1 : 0;
            a += input * p.Wx[i * G * H + j];
          }
          w.xw[b * G * H + j] = a;
        }
      }
      w.hs.set(h[l]);
      w.cs?.set(c[l]);
      model.cell.forward(naiveKernels, p, w);
      h[l].set(w.hs.subarray(B * H, 2 * B * H));
      if (w.cs) c[l].set(w.cs.subarray(B * H, 2 * B * H));
      nudge(l, t + 1, false);
    }
    for (let l = 0; l < L; l++) nudge(l, t + 1, true);
  }
  let total = 0;
  for (let b = 0; b < B; b++) {
    const logits = new Float64Array(V);
    for (let v = 0; v < V; v++) {
      logits[v] = model.bd[v];
      for (let j = 0; j < H; j++) logits[v] += h[L - 1][b * H + j] * model.Wd[j * V + v];
    }
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((s, z) => s + Math.exp(z - max), 0));
    total += lse - logits[ids[b * m + m]];
  }
  return total;
}

/** Mean over streams of ||d(sum of last-step losses)/d state||, by central differences. */
function numericFlow(model: Model, ids: Int32Array, B: number, m: number, layer: number, block: number, carried: boolean, state: 'h' | 'c'): number {
  const H = model.config.hidden;
  const eps = 1e-5;
  let sum = 0;
  for (let stream = 0; stream < B; stream++) {
    let ss = 0;
    for (let unit = 0; unit < H; unit++) {
      const plus = lastStepLoss(model, ids, B, m, { layer, block, carried, stream, unit, state, eps });
      const minus = lastStepLoss(model, ids, B, m, { layer, block, carried, stream, unit, state, eps: -eps });
      ss += ((plus - minus) / (2 * eps)) ** 2;
    }
    sum += Math.sqrt(ss);
  }
  return sum / B;
}

function relErr(analytic: number, numeric: number): number {
  return Math.abs(analytic - numeric) / Math.max(Math.abs(numeric), 1e-4);
}

function tinyModel(cell: CellName, embedding = 0, dtype: 'f32' | 'f64' = 'f64'): Model {
  const model = new Model({ cell, vocabSize: 5, hidden: 3, layers: 2, embedding }, dtype);
  const rng = new Rng(3);
  // large weights so the gates are far from linear and a wrong path shows
  for (let i = 0; i < model.params.length; i++) model.params[i] = rng.uniformIn(-1.2, 1.2);
  return model;
}

function tinyText(B: number, m: number): Int32Array {
  const rng = new Rng(9);
  return Int32Array.from({ length: B * m + 1 }, () => rng.below(5));
}

describe.each(CELL_NAMES)('gradientFlow, %s', (cell) => {
  // 3 warm-up steps then one window of T = 4 over B = 2 streams: m = 7 steps per stream
  const T = 4, W = 3, B = 2, m = W + T;

  it.each([0, 2])('matches finite differences of the perturbed state, every lag and layer (embedding %i)', (E) => {
    const model = tinyModel(cell, E);
    const ids = tinyText(B, m);
    const gradsBefore = Float64Array.from(model.grads);
    const flow = gradientFlow(model, naiveKernels, ids, { window: T, streams: B, warmup: W });
    expect(flow.samples).toBe(B);
    expect(flow.maxLag).toBe(T);
    expect(model.grads).toEqual(gradsBefore);
    for (let l = 0; l < 2; l++) {
      for (let k = 0; k <= T; k++) {
        // lag T is the window's carried-in state: the layers above read it before the window began
        const numeric = numericFlow(model, ids, B, m, l, W + T - k, k === T, 'h');
        // float64 central differences (eps 1e-5) agree to ~1e-9 relative, or ~1e-11 absolute for tiny
        // norms (the RNN's lower layer at lag 4 is ~4e-6): judged on max(norm, 1e-4) as gradcheck does
        expect(flow.h[l][k], `layer ${l} lag ${k}`).toBeGreaterThan(1e-6);
        expect(relErr(flow.h[l][k], numeric), `layer ${l} lag ${k}: ${flow.h[l][k]} vs ${numeric}`).toBeLessThan(1e-6);
        if (model.cell.hasCellState) {
          const numericC = numericFlow(model, ids, B, m, l, W + T - k, k === T, 'c');
          if (k === 0) {
            expect(flow.c![l][0]).toBe(0);
            expect(numericC).toBeLessThan(1e-9);
          } else {
            expect(relErr(flow.c![l][k], numericC), `c: layer ${l} lag ${k}`).toBeLessThan(1e-6);
          }
        }
      }
    }
    if (!model.cell.hasCellState) expect(flow.c).toBeNull();
  });

  it('averages over windows and agrees between float64 and float32 with the fast kernels', () => {
    const model = tinyModel(cell);
    const ids = tinyText(3, 40);
    const k = createKernels();
    const f32 = new Model(model.config, 'f32', k.alloc?.bind(k));
    f32.params.set(model.params);
    const opts = { window: 6, maxLag: 4, streams: 3, warmup: 5, windows: 5 };
    const a = gradientFlow(model, naiveKernels, ids, opts);
    const b = gradientFlow(f32, k, ids, opts);
    expect(a.samples).toBe(15);
    expect(a.h[0].length).toBe(5);
    for (let l = 0; l < 2; l++) {
      for (let lag = 0; lag <= 4; lag++) expect(Math.abs(b.h[l][lag] - a.h[l][lag]) / a.h[l][lag]).toBeLessThan(1e-4);
    }
  });
});

describe('gradientFlow on the recall task', () => {
  // Recall with lag 10 over 4 letters; windows of 20, so lag K = 19 reaches back past a whole line.
  // At initialisation (PyTorch's init, H 32, two layers) the ratio norm(K) / norm(0) measured over
  // seeds 1..6: plain RNN 2e-5..9e-5 (bottom layer) and 4e-6..2e-5 (top); LSTM 4e-2..8e-2 and
  // 3e-3..7e-3; so the LSTM keeps 100x to 3000x more. We assert 20x.
  // Trained models do not keep that contrast: after 200 to 1500 Adam steps on this task (lr 2e-3 to
  // 1e-2, H 16 or 32, one layer) the RNN's ratio rose to 7e-3..8e-1 and the LSTM's to 2e-2..7e-2,
  // 1x to 3x apart and once the other way round, so a trained comparison is not asserted.
  const lag = 10;
  const text = recall({ length: 3000, seed: 2, lag, symbols: 4 }).text;
  const vocab = Vocab.fromText(text);
  const ids = vocab.encode(text);
  const k = createKernels();

  it.each([1, 2, 3])('an untrained LSTM passes far more gradient 19 steps back than a plain RNN (seed %i)', (seed) => {
    const ratio = (cell: CellName): number[] => {
      const model = new Model({ cell, vocabSize: vocab.size, hidden: 32, layers: 2 }, 'f32', k.alloc?.bind(k));
      model.init(new Rng(seed));
      const flow = gradientFlow(model, k, ids, { window: 2 * lag, maxLag: 2 * lag - 1, streams: 8, windows: 4 });
      expect(flow.samples).toBe(32);
      return flow.h.map((h) => h[flow.maxLag] / h[0]);
    };
    const rnn = ratio('rnn');
    const lstm = ratio('lstm');
    for (let l = 0; l < 2; l++) expect(lstm[l], `layer ${l}: rnn ${rnn[l]}, lstm ${lstm[l]}`).toBeGreaterThan(20 * rnn[l]);
  });
});

describe('gradientFlow input checks', () => {
  const model = tinyModel('lstm');
  const ids = tinyText(1, 30);
  it('names the problem', () => {
    expect(() => gradientFlow(model, naiveKernels, ids, { window: 8, maxLag: 9 })).toThrow(/^maxLag: must be a whole number from 0 to 8, got 9/);
    expect(() => gradientFlow(model, naiveKernels, ids, { window: 0 })).toThrow(/^window: must be a whole number from 1/);
    expect(() => gradientFlow(model, naiveKernels, ids, { window: 20, warmup: 20 })).toThrow(/^ids: text of 31 characters is too short for 1 stream\(s\) of 20 warm-up characters plus one 20-step window; it needs at least 41/);
    expect(() => gradientFlow(model, naiveKernels, ids, { window: 5, windows: 6 })).toThrow(/^windows: must be a whole number from 1 to 5, got 6/);
    expect(() => gradientFlow(model, naiveKernels, Int32Array.of(1, 7, 2), { window: 1 })).toThrow(/^ids: token id 7 at position 1 is outside the vocabulary of 5/);
    expect(() => gradientFlow(model, naiveKernels, new Int32Array(0), { window: 1 })).toThrow(/^ids: needs at least 2 characters, got 0/);
  });
});
