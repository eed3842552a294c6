import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src-worker/engine/evaluate.ts';
import { naiveKernels } from '../../src-worker/engine/kernels.ts';
import { Model } from '../../src-worker/engine/model.ts';
import { Rng } from '../../src-worker/engine/rng.ts';
import { Sampler } from '../../src-worker/engine/sample.ts';

function model(cell: 'lstm' | 'gru' = 'lstm'): Model {
  const m = new Model({ cell, vocabSize: 6, hidden: 5, layers: 2 });
  m.init(new Rng(4));
  return m;
}

describe('evaluate', () => {
  const ids = Int32Array.from({ length: 41 }, (_, i) => (i * 7 + (i >> 2)) % 6);

  it('does not depend on the chunk length (state carried exactly)', () => {
    const m = model();
    const nll = new Float64Array(40);
    const correct = new Uint8Array(40);
    const whole = evaluate(m, naiveKernels, ids, { chunk: 1000, nll, correct });
    expect(nll.reduce((a, b) => a + b, 0) / 40).toBeCloseTo(whole.loss, 12);
    expect(correct.reduce((a, b) => a + b, 0) / 40).toBe(whole.accuracy);
    for (const chunk of [1, 3, 7, 40]) {
      const r = evaluate(m, naiveKernels, ids, { chunk });
      // same operations in the same order per position: equal up to float32 storage of the state
      expect(r.loss).toBeCloseTo(whole.loss, 6);
      expect(r.accuracy).toBe(whole.accuracy);
    }
    expect(whole.count).toBe(40);
    expect(whole.bitsPerChar).toBeCloseTo(whole.loss / Math.LN2, 12);
    expect(whole.perplexity).toBeCloseTo(Math.exp(whole.loss), 12);
  });
});

describe('Sampler', () => {
  it('is reproducible with a seed and streams one character at a time', () => {
    const draw = (seed: number) => {
      const s = new Sampler(model(), naiveKernels, new Rng(seed), { temperature: 0.8 });
      s.feed([1, 2, 3]);
      return Array.from({ length: 30 }, () => s.next());
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
  });

  it('greedy takes the most likely character; top-k 1 is the same', () => {
    const greedy = new Sampler(model(), naiveKernels, new Rng(1), { greedy: true });
    const top1 = new Sampler(model(), naiveKernels, new Rng(2), { topK: 1 });
    greedy.feed([0]);
    top1.feed([0]);
    const a = Array.from({ length: 20 }, () => greedy.next());
    const b = Array.from({ length: 20 }, () => top1.next());
    expect(b).toEqual(a);
  });

  it('top-k draws only among the k most likely characters', () => {
    const m = model('gru');
    const probe = new Sampler(m, naiveKernels, new Rng(3), { greedy: true });
    probe.feed([4]);
    const probs = (probe as unknown as { ws: { probs: Float32Array } }).ws.probs;
    const top2 = [...probs].map((p, i) => [p, i]).sort((x, y) => y[0] - x[0]).slice(0, 2).map((x) => x[1]);
    // a high temperature flattens the distribution, so without top-k all 6 would appear in 60 draws
    const seen = new Set<number>();
    for (let seed = 0; seed < 60; seed++) {
      const s = new Sampler(m, naiveKernels, new Rng(seed), { topK: 2, temperature: 5 });
      s.feed([4]);
      seen.add(s.next());
    }
    expect([...seen].sort()).toEqual([...top2].sort());
  });

  it('refuses bad options and sampling without a prime', () => {
    expect(() => new Sampler(model(), naiveKernels, new Rng(1), { temperature: 0 })).toThrow(/^temperature: must be a finite number in \(0, 100\]/);
    expect(() => new Sampler(model(), naiveKernels, new Rng(1), { topK: 7 })).toThrow(/^topK: must be a whole number from 0 to 6/);
    expect(() => new Sampler(model(), naiveKernels, new Rng(1)).next()).toThrow(/^prime: needs at least one character/);
    expect(() => new Sampler(model(), naiveKernels, new Rng(1)).feed([9])).toThrow(/^prime: token id 9 is outside/);
  });
});

describe('evaluate with parallel streams', () => {
  it('equals the mean over the streams evaluated one by one from a zero state', () => {
    const m = model();
    const ids = Uint16Array.from({ length: 62 }, (_, i) => (i * 5 + (i >> 3)) % 6);
    const S = 4;
    const per = Math.floor((ids.length - 1) / S); // 15 predictions per stream; the 61st is left out
    const r = evaluate(m, naiveKernels, ids, { streams: S, chunk: 4 });
    expect(r.count).toBe(S * per);
    let sum = 0;
    for (let s = 0; s < S; s++) sum += evaluate(m, naiveKernels, ids.subarray(s * per, s * per + per + 1)).loss * per;
    expect(r.loss).toBeCloseTo(sum / (S * per), 6);
  });
});
