// Inside the cells: gate traces (layouts checked against each cell's own equations), saturation on a
// model whose gates are set by hand, text features on hand-written strings, and correlations.
import { describe, expect, it } from 'vitest';
import { CELL_NAMES } from '../../src-worker/engine/cells/index.ts';
import { gateInfo, gateSaturation, traceCells, type CellTrace } from '../../src-worker/engine/diagnostics/cell-trace.ts';
import { correlatedUnits, pearson, textFeatures } from '../../src-worker/engine/diagnostics/text-features.ts';
import { createKernels } from '../../src-worker/engine/kernel-sets.ts';
import { naiveKernels } from '../../src-worker/engine/kernels.ts';
import { Model } from '../../src-worker/engine/model.ts';
import { Rng } from '../../src-worker/engine/rng.ts';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function randomModel(cell: (typeof CELL_NAMES)[number], layers = 2): Model {
  const m = new Model({ cell, vocabSize: 5, hidden: 4, layers }, 'f64');
  const rng = new Rng(12);
  for (let i = 0; i < m.params.length; i++) m.params[i] = rng.uniformIn(-1, 1);
  return m;
}

const ids = Int32Array.from({ length: 23 }, (_, i) => (i * 3 + (i >> 2)) % 5);

describe('traceCells', () => {
  it('records an LSTM step exactly as its equations give it (gate order i, f, g, o)', () => {
    const m = randomModel('lstm', 1);
    const tr = traceCells(m, naiveKernels, ids);
    expect(tr.gates.map((g) => g.name)).toEqual(['i', 'f', 'g', 'o']);
    const H = 4, G = 16;
    const { Wx, Wh, bx, bh } = m.layers[0].p;
    let h = new Float64Array(H);
    let c = new Float64Array(H);
    for (let t = 0; t < 3; t++) {
      const a = new Float64Array(G);
      for (let j = 0; j < G; j++) {
        a[j] = Wx[ids[t] * G + j] + bx[j] + bh![j];
        for (let q = 0; q < H; q++) a[j] += h[q] * Wh[q * G + j];
      }
      const hn = new Float64Array(H), cn = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        const [i, f, g, o] = [sigmoid(a[j]), sigmoid(a[H + j]), Math.tanh(a[2 * H + j]), sigmoid(a[3 * H + j])];
        cn[j] = f * c[j] + i * g;
        hn[j] = o * Math.tanh(cn[j]);
        [i, f, g, o].forEach((v, gi) => expect(tr.layers[0].gates[gi][t * H + j]).toBeCloseTo(v, 6));
        expect(tr.layers[0].c![t * H + j]).toBeCloseTo(cn[j], 6);
        expect(tr.layers[0].h[t * H + j]).toBeCloseTo(hn[j], 6);
      }
      [h, c] = [hn, cn];
    }
  });

  it.each(CELL_NAMES)("%s: gate values satisfy the cell's state update at every step and layer", (cell) => {
    const m = randomModel(cell);
    const tr = traceCells(m, naiveKernels, ids, { chunk: 5 });
    const whole = traceCells(m, naiveKernels, ids, { chunk: 1000 });
    expect(tr).toEqual(whole); // chunking carries the state exactly
    expect(tr.steps).toBe(23);
    const H = 4;
    for (const layer of tr.layers) {
      const g = Object.fromEntries(tr.gates.map((info, gi) => [info.name, layer.gates[gi]]));
      for (let t = 0; t < tr.steps; t++) {
        for (let j = 0; j < H; j++) {
          const n = t * H + j;
          const hPrev = t > 0 ? layer.h[n - H] : 0;
          const cPrev = t > 0 && layer.c ? layer.c[n - H] : 0;
          // float32 storage of the trace: 1e-6 relative
          if (cell === 'rnn') {
            const { Wx, Wh, bx, bh } = m.layers[tr.layers.indexOf(layer)].p;
            const x = tr.layers.indexOf(layer) === 0 ? Wx[ids[t] * H + j] : Array.from({ length: H }, (_, q) => tr.layers[0].h[t * H + q] * Wx[q * H + j]).reduce((u, v) => u + v);
            let a = x + bx[j] + bh![j];
            for (let q = 0; q < H; q++) a += (t > 0 ? layer.h[(t - 1) * H + q] : 0) * Wh[q * H + j];
            expect(layer.h[n]).toBeCloseTo(Math.tanh(a), 6);
          }
          else if (cell === 'gru') expect(layer.h[n]).toBeCloseTo(g.z[n] * hPrev + (1 - g.z[n]) * g.g[n], 6);
          else if (cell === 'gru-reset-after') expect(layer.h[n]).toBeCloseTo(g.z[n] * hPrev + (1 - g.z[n]) * g.n[n], 6);
          else {
            expect(layer.c![n]).toBeCloseTo(g.f[n] * cPrev + g.i[n] * g.g[n], 6);
            expect(layer.h[n]).toBeCloseTo(g.o[n] * Math.tanh(layer.c![n]), 6);
          }
        }
      }
    }
    expect(tr.layers[0].c === null).toBe(!m.cell.hasCellState);
    expect(tr.layers[0].gates.length).toBe(gateInfo(cell).length);
  });

  it('names bad input', () => {
    const m = randomModel('gru');
    expect(() => traceCells(m, naiveKernels, new Int32Array(0))).toThrow(/^ids: needs at least 1 character, got 0/);
    expect(() => traceCells(m, naiveKernels, Int32Array.of(0, 5))).toThrow(/^ids: token id 5 at position 1 is outside the vocabulary of 5/);
    const big = new Model({ cell: 'lstm', vocabSize: 5, hidden: 4096, layers: 4 }, 'f32');
    expect(() => traceCells(big, naiveKernels, new Int32Array(1000))).toThrow(/^ids: a trace of 1000 steps would hold 98304000 values, more than 67108864; trace at most 682 characters/);
  });
});

describe('gateSaturation', () => {
  // All weights 0, so every gate is its bias through its non-linearity, the same at every step.
  // Unit 0: i = sigma(5) = 0.9933 (saturated high), unit 1: i = sigma(-5) = 0.0067 (low);
  // f = sigma(0) = 0.5; g = tanh(0) = 0, so c stays 0 and h = 0; o = sigma(3) = 0.953 (high).
  function setGates(): Model {
    const m = new Model({ cell: 'lstm', vocabSize: 3, hidden: 2, layers: 1 }, 'f32');
    const bx = m.layers[0].p.bx;
    bx[0] = 5;
    bx[1] = -5;
    bx[6] = bx[7] = 3;
    return m;
  }

  it('counts saturated values and fills the histogram, per gate, over every stream', () => {
    const text = Int32Array.from({ length: 41 }, (_, i) => i % 3);
    const entries = gateSaturation(setGates(), createKernels(), text, { streams: 2, chunk: 7 });
    expect(entries.map((e) => e.name)).toEqual(['i', 'f', 'g', 'o', 'h']);
    const by = Object.fromEntries(entries.map((e) => [e.name, e]));
    const count = 20 * 2 * 2; // 20 steps per stream (the 41st character left out), 2 streams, H 2
    for (const e of entries) {
      expect(e.count).toBe(count);
      expect(e.histogram.length).toBe(20);
      expect(e.histogram.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    }
    expect([by.i.low, by.i.high, by.i.histogram[0], by.i.histogram[19]]).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect([by.f.low, by.f.high, by.f.histogram[10]]).toEqual([0, 0, 1]); // 0.5 opens bin [0.5, 0.55)
    expect(by.g.range).toEqual([-1, 1]);
    expect([by.g.low, by.g.high, by.g.histogram[10]]).toEqual([0, 0, 1]); // 0 opens bin [0, 0.1) of [-1, 1]
    expect([by.o.low, by.o.high, by.o.histogram[19]]).toEqual([0, 1, 1]);
    expect([by.h.low, by.h.high, by.h.histogram[10]]).toEqual([0, 0, 1]);
  });

  it('moves the thresholds with the margin and the bins with their number', () => {
    const text = Int32Array.from({ length: 10 }, (_, i) => i % 3);
    const by = Object.fromEntries(gateSaturation(setGates(), naiveKernels, text, { margin: 0.01, bins: 4 }).map((e) => [e.name, e]));
    expect([by.i.low, by.i.high]).toEqual([0.5, 0.5]); // 0.0067 < 0.01 and 0.9933 > 0.99
    expect(by.o.high).toBe(0); // 0.953 is not above 0.99
    expect(Array.from(by.o.histogram)).toEqual([0, 0, 0, 1]);
  });

  it('has only h for the vanilla RNN', () => {
    const m = new Model({ cell: 'rnn', vocabSize: 3, hidden: 2, layers: 2 }, 'f32');
    expect(gateSaturation(m, naiveKernels, Int32Array.of(0, 1, 2)).map((e) => `${e.layer}${e.name}`)).toEqual(['0h', '1h']);
    expect(() => gateSaturation(m, naiveKernels, Int32Array.of(0, 1), { margin: 0.5 })).not.toThrow();
    expect(() => gateSaturation(m, naiveKernels, Int32Array.of(0, 1), { margin: 1 })).toThrow(/^margin: must be a finite number in \(0, 1\), got 1/);
    expect(() => gateSaturation(m, naiveKernels, Int32Array.of(0, 1), { streams: 3 })).toThrow(/^ids: needs at least 3 characters, got 2/);
  });
});

describe('textFeatures', () => {
  it('follows lines, quotes, brackets and whitespace in a hand-written string', () => {
    const f = textFeatures('ab "c(d)"\ne[f');
    //                             a  b  _  "  c  (  d  )  "  \n e  [  f
    expect(Array.from(f.linePosition)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3]);
    expect(Array.from(f.inQuotes)).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect(Array.from(f.inBrackets)).toEqual([0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1]);
    expect(Array.from(f.whitespace)).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
  });

  it('counts code points, takes curly quotes, and ignores an unmatched closer', () => {
    const f = textFeatures(')“😀”{');
    expect(f.linePosition.length).toBe(5);
    expect(Array.from(f.inQuotes)).toEqual([0, 1, 1, 0, 0]);
    expect(Array.from(f.inBrackets)).toEqual([0, 0, 0, 0, 1]);
  });
});

describe('pearson and correlatedUnits', () => {
  it('gives the textbook values', () => {
    expect(pearson([1, 2, 3, 4, 5], [3, 5, 7, 9, 11])).toBeCloseTo(1, 14);
    expect(pearson([1, 2, 3, 4, 5], [-1, -2, -3, -4, -5])).toBeCloseTo(-1, 14);
    // deviations (-1.5, -0.5, 0.5, 1.5) and (-1.5, 0.5, -0.5, 1.5): 4 / sqrt(5 * 5)
    expect(pearson([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 14);
    expect(pearson([1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 9);
    // column 1 of a (4, 2) row-major matrix
    expect(pearson([9, 1, 9, 2, 9, 3, 9, 4], [1, 3, 2, 4], 4, 1, 2)).toBeCloseTo(0.8, 14);
    expect(pearson([2, 2, 2], [1, 2, 3])).toBeNaN();
  });

  it('ranks units by |r| across layers and states, leaving out constant ones', () => {
    const T = 6, H = 3;
    const feature = [0, 1, 0, 2, 5, 1];
    const h0 = new Float32Array(T * H), c0 = new Float32Array(T * H), h1 = new Float32Array(T * H);
    for (let t = 0; t < T; t++) {
      h0[t * H] = feature[t]; // r = 1
      h0[t * H + 1] = 7; // constant: no correlation
      h0[t * H + 2] = [1, 3, 2, 4, 0, 0][t];
      c0[t * H + 2] = -2 * feature[t] + (t % 2) * 0.1; // r close to -1
      h1[t * H + 1] = t; // weak
    }
    const trace: CellTrace = { cell: 'lstm', gates: gateInfo('lstm'), steps: T, hidden: H, layers: [{ h: h0, c: c0, gates: [] }, { h: h1, c: null, gates: [] }] };
    const top = correlatedUnits(trace, { f: feature, flat: [1, 1, 1, 1, 1, 1] }, 3);
    expect(top.flat).toEqual([]);
    expect(top.f.map((u) => [u.layer, u.state, u.unit])).toEqual([[0, 'h', 0], [0, 'c', 2], [1, 'h', 1]]);
    expect(top.f[0].r).toBeCloseTo(1, 6);
    expect(top.f[1].r).toBeCloseTo(pearson(Array.from({ length: T }, (_, t) => c0[t * H + 2]), feature), 12);
    expect(top.f[1].r).toBeLessThan(-0.99);
    expect(() => correlatedUnits(trace, { f: [1, 2] })).toThrow(/^features.f: has 2 values but the trace has 6 steps/);
  });

  it('finds a line-position unit in a model built to count', () => {
    // a two-unit RNN: unit 0 climbs by 0.3 (before tanh) with every character and drops to -1 on a
    // newline, so it follows the position in the line; unit 1 only sees the current character
    const text = '\nab cd\nefghij\nk\nlmnop q\n'; // a newline first: every line starts from h = -1
    const vocab = [...new Set(text)].sort();
    const ids = Int32Array.from([...text], (ch) => vocab.indexOf(ch));
    const m = new Model({ cell: 'rnn', vocabSize: vocab.length, hidden: 2, layers: 1 }, 'f64');
    const p = m.layers[0].p; // Wx (V, 2), Wh (2, 2)
    p.Wh[0] = 1;
    for (let v = 0; v < vocab.length; v++) {
      p.Wx[2 * v] = vocab[v] === '\n' ? -20 : 0.3;
      p.Wx[2 * v + 1] = v % 2 === 0 ? 0.5 : -0.5;
    }
    const top = correlatedUnits(traceCells(m, naiveKernels, ids), textFeatures(text), 2);
    expect(top.linePosition.map((u) => u.unit)).toEqual([0, 1]);
    expect(top.linePosition[0].r).toBeGreaterThan(0.95);
    expect(Math.abs(top.linePosition[1].r)).toBeLessThan(0.5);
  });
});
