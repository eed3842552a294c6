// Per-character loss and top-k guesses, against a direct computation: a fresh forward over each
// prefix, its last row's softmax read and sorted by hand.
import { describe, expect, it } from 'vitest';
import { characterLosses, topK } from '../../src-worker/engine/diagnostics/char-loss.ts';
import { evaluate } from '../../src-worker/engine/evaluate.ts';
import { naiveKernels } from '../../src-worker/engine/kernels.ts';
import { Model } from '../../src-worker/engine/model.ts';
import { Rng } from '../../src-worker/engine/rng.ts';

describe('characterLosses', () => {
  const V = 6;
  const m = new Model({ cell: 'gru', vocabSize: V, hidden: 5, layers: 2, embedding: 3 }, 'f64');
  m.init(new Rng(21));
  const ids = Int32Array.from({ length: 17 }, (_, i) => (i * i + 2) % V);

  it('gives each position its loss and most likely next characters', () => {
    const r = characterLosses(m, naiveKernels, ids, { topK: 3, chunk: 4 });
    expect(r.nll.length).toBe(16);
    expect(r.topK).toBe(3);
    for (let i = 0; i < 16; i++) {
      const ws = m.workspace(i + 1, 1);
      ws.inputs.set(ids.subarray(0, i + 1));
      ws.targets.set(ids.subarray(1, i + 2));
      m.forward(naiveKernels, ws);
      const probs = Array.from(ws.probs.subarray(i * V, (i + 1) * V));
      expect(r.nll[i]).toBeCloseTo(-Math.log(probs[ids[i + 1]]), 12);
      const order = probs.map((p, j) => [p, j]).sort((x, y) => y[0] - x[0] || x[1] - y[1]);
      for (let q = 0; q < 3; q++) {
        expect(r.topIds[i * 3 + q]).toBe(order[q][1]);
        expect(r.topProbs[i * 3 + q]).toBeCloseTo(order[q][0], 12);
      }
    }
    const mean = r.nll.reduce((s, x) => s + x, 0) / 16;
    expect(mean).toBeCloseTo(evaluate(m, naiveKernels, ids).loss, 12);
  });

  it('names bad input', () => {
    expect(() => characterLosses(m, naiveKernels, Int32Array.of(1))).toThrow(/^ids: needs at least 2 characters, got 1/);
    expect(() => characterLosses(m, naiveKernels, Int32Array.of(1, 6))).toThrow(/^ids: token id 6 at position 1 is outside the vocabulary of 6/);
    expect(() => characterLosses(m, naiveKernels, ids, { topK: 7 })).toThrow(/^topK: must be a whole number from 1 to 6, got 7/);
  });
});

describe('topK', () => {
  it('keeps the k largest, largest first, the lower id first on ties', () => {
    const ids = new Int32Array(8).fill(-1);
    const vals = new Float64Array(8);
    topK([0.1, 0.3, 0.05, 0.3, 0.25], 0, 5, 3, ids, vals, 2);
    expect(Array.from(ids.subarray(2, 5))).toEqual([1, 3, 4]);
    expect(Array.from(vals.subarray(2, 5))).toEqual([0.3, 0.3, 0.25]);
    expect(ids[1]).toBe(-1);
    expect(ids[5]).toBe(-1);
    topK([7, 1, 9], 1, 2, 2, ids, vals, 0); // reads [1, 9] from offset 1
    expect(Array.from(ids.subarray(0, 2))).toEqual([1, 0]);
  });
});
