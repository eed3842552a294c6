// Baselines: interpolated Kneser-Ney n-grams against values worked out by hand, distributions that
// sum to 1, and the whole tiny-shakespeare corpus in well under the time a user would wait.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { baselines, entropy, NgramModel } from '../../src-worker/engine/baselines.ts';
import { Vocab } from '../../src-worker/engine/data.ts';
import { Rng } from '../../src-worker/engine/rng.ts';
import { corpusPath } from '../helpers.ts';

// Train "abaab" over V = 3 (a = 0, b = 1, c = 2), every discount fixed at D = 1/2.
//
// Raw counts: unigrams a 3, b 2 (5 in all, 2 types); bigrams ab 2, ba 1, aa 1 (context a: 3 in all,
// 2 types; context b: 1, 1 type); trigrams aba, baa, aab 1 each (one child per context).
// Continuation counts (distinct left neighbours): of unigrams a {b, a} 2, b {a} 1, c 0 (3 in all,
// 2 types); of bigrams, from the trigrams' suffixes: ba 1, aa 1, ab 1 (the text-initial ab has no
// left neighbour) (context a: 2 in all, 2 types; context b: 1, 1 type).
//
// Order 1, raw counts:  P(w) = (max(c - 1/2, 0) + 1/2 * 2 * 1/3) / 5
//   P(a) = (5/2 + 1/3) / 5 = 17/30, P(b) = (3/2 + 1/3) / 5 = 11/30, P(c) = (1/3) / 5 = 2/30
// Order 2: continuation unigram Pc(w) = (max(N(.w) - 1/2, 0) + 1/2 * 2 * 1/3) / 3
//   Pc(a) = (3/2 + 1/3) / 3 = 11/18, Pc(b) = (1/2 + 1/3) / 3 = 5/18, Pc(c) = (1/3) / 3 = 2/18
//   P(b|a) = (2 - 1/2 + 1/2 * 2 * 5/18) / 3 = (27/18 + 5/18) / 3 = 16/27
//   P(a|a) = (1/2 + 11/18) / 3 = 10/27,  P(c|a) = (2/18) / 3 = 1/27
//   P(a|b) = (1/2 + 1/2 * 1 * 11/18) / 1 = 29/36,  P(b|b) = 5/36,  P(c|b) = 2/36
//   P(w|c) = Pc(w): context c never occurred
// Order 3: continuation bigram Pc(w|a) = (max(N(.aw) - 1/2, 0) + 1/2 * 2 * Pc(w)) / 2
//   Pc(b|a) = (1/2 + 5/18) / 2 = 7/18, Pc(a|a) = (1/2 + 11/18) / 2 = 10/18, Pc(c|a) = (2/18) / 2 = 1/18
//   P(b|aa) = (1 - 1/2 + 1/2 * 1 * 7/18) / 1 = 25/36,  P(a|aa) = 10/36,  P(c|aa) = 1/36
const a = 0, b = 1, c = 2;
const TRAIN = Int32Array.of(a, b, a, a, b);

describe('NgramModel (interpolated Kneser-Ney)', () => {
  const model = new NgramModel(TRAIN, 3, 3, { discount: 0.5 });

  it('gives the hand-computed probabilities', () => {
    const cases: [number[], number, number, number][] = [
      // context, next, order, expected
      [[], a, 1, 17 / 30], [[], b, 1, 11 / 30], [[], c, 1, 2 / 30],
      [[b, a], a, 1, 17 / 30], // order 1 ignores the context
      [[a], b, 2, 16 / 27], [[a], a, 2, 10 / 27], [[a], c, 2, 1 / 27],
      [[b], a, 2, 29 / 36], [[b], b, 2, 5 / 36], [[b], c, 2, 2 / 36],
      [[c], a, 2, 11 / 18], [[c], c, 2, 2 / 18],
      [[c, a], b, 2, 16 / 27], // only the last order - 1 characters count
      [[a, a], b, 3, 25 / 36], [[a, a], a, 3, 10 / 36], [[a, a], c, 3, 1 / 36],
      [[a], b, 3, 16 / 27], // shorter context: the model of order 2, raw counts at its top
    ];
    for (const [context, w, order, expected] of cases) {
      expect(model.prob(context, w, order), `P(${w} | ${context}) order ${order}`).toBeCloseTo(expected, 14);
    }
  });

  it('scores a validation text by the same positions as evaluate()', () => {
    // "abc": position 0 predicts b after a, position 1 predicts c after b
    const valid = Int32Array.of(a, b, c);
    expect(model.crossEntropy(valid, 2)).toBeCloseTo(-(Math.log(16 / 27) + Math.log(2 / 36)) / 2, 14);
    expect(model.crossEntropy(valid, 1)).toBeCloseTo(-(Math.log(11 / 30) + Math.log(2 / 30)) / 2, 14);
  });

  it('estimates each discount as n1 / (n1 + 2 n2), within [0.1, 1]', () => {
    const auto = new NgramModel(TRAIN, 3, 2);
    expect(auto.discountRaw[2]).toBe(2 / (2 + 2 * 1)); // bigrams: two seen once (ba, aa), one twice (ab)
    expect(auto.discountRaw[1]).toBe(0.1); // unigrams 3 and 2: n1 = 0 gives 0, raised to 0.1
    expect(auto.discountCont[1]).toBe(1 / (1 + 2 * 1)); // continuation counts a 2, b 1
  });

  it('gives distributions that sum to 1 over the vocabulary, for seen, unseen and short contexts', () => {
    const rng = new Rng(5);
    const V = 7;
    // a skewed text, so counts of 1, 2 and more all occur and some contexts never do
    const train = Int32Array.from({ length: 600 }, () => Math.min(rng.below(V), rng.below(V)));
    const m = new NgramModel(train, V, 5);
    const contexts: number[][] = [[], [3], [6, 6, 6, 6], Array.from(train.subarray(100, 104)), Array.from(train.subarray(0, 2)), [0, 1, 2, 3, 4, 5]];
    for (let i = 0; i < 20; i++) contexts.push(Array.from({ length: 4 }, () => rng.below(V)));
    for (const ctx of contexts) {
      for (let order = 1; order <= 5; order++) {
        const sum = m.distribution(ctx, order).reduce((s, p) => s + p, 0);
        expect(Math.abs(sum - 1), `context ${ctx} order ${order}`).toBeLessThan(1e-12);
      }
    }
  });

  it('crossEntropy equals the mean of -ln prob() over the positions', () => {
    const rng = new Rng(8);
    const train = Int32Array.from({ length: 400 }, () => rng.below(4) + (rng.below(3) === 0 ? 1 : 0));
    const valid = Int32Array.from({ length: 60 }, () => rng.below(5));
    const m = new NgramModel(train, 5, 4);
    for (let order = 1; order <= 4; order++) {
      let sum = 0;
      for (let i = 0; i + 1 < valid.length; i++) sum -= Math.log(m.prob(valid.subarray(0, i + 1), valid[i + 1], order));
      expect(m.crossEntropy(valid, order)).toBeCloseTo(sum / (valid.length - 1), 12);
    }
  });

  it('names bad input', () => {
    expect(() => new NgramModel(Int32Array.of(0, 3), 3)).toThrow(/^train: token id 3 at position 1 is outside the vocabulary of 3/);
    expect(() => new NgramModel(new Int32Array(0), 3)).toThrow(/^train: needs at least 1 character, got 0/);
    expect(() => new NgramModel(TRAIN, 3, 9)).toThrow(/^maxOrder: must be a whole number from 1 to 8, got 9/);
    expect(() => model.crossEntropy(Int32Array.of(0), 2)).toThrow(/^ids: needs at least 2 characters, got 1/);
    expect(() => model.crossEntropy(Int32Array.of(0, 1), 4)).toThrow(/^order: must be a whole number from 1 to 3/);
    expect(() => model.prob([0], 5)).toThrow(/^w: token id 5 is outside the vocabulary of 3/);
  });
});

describe('baselines', () => {
  it('reports uniform, unigram and n-gram losses', () => {
    const r = baselines(TRAIN, Int32Array.of(a, b, c), 3, { maxOrder: 2 });
    expect(r.uniform).toBe(Math.log(3));
    expect(r.unigram.trainEntropy).toBeCloseTo(-(3 / 5) * Math.log(3 / 5) - (2 / 5) * Math.log(2 / 5), 14);
    expect(r.ngram.map((x) => x.order)).toEqual([1, 2]);
    expect(r.unigram.crossEntropy).toBe(r.ngram[0].loss);
    expect(entropy(Int32Array.of(1, 1, 1), 2)).toBe(0);
  });

  it('handles tiny-shakespeare (1.1M characters) in a couple of seconds', () => {
    const text = readFileSync(corpusPath(), 'utf8');
    const vocab = Vocab.fromText(text);
    const ids = vocab.encode(text);
    const cut = Math.floor(ids.length * 0.9);
    const t0 = performance.now();
    const r = baselines(ids.subarray(0, cut), ids.subarray(cut), vocab.size);
    const seconds = (performance.now() - t0) / 1000;
    // measured 0.3 s on a 2-core machine; the bound leaves room for a slow CI runner
    expect(seconds).toBeLessThan(5);
    const losses = r.ngram.map((x) => x.loss);
    // measured (nats/char): 3.347, 2.484, 2.045, 1.729, 1.579; each order must beat the last
    expect(losses[0]).toBeCloseTo(3.347, 2);
    expect(losses[4]).toBeCloseTo(1.579, 2);
    for (let i = 1; i < 5; i++) expect(losses[i]).toBeLessThan(losses[i - 1]);
    expect(r.uniform).toBeCloseTo(Math.log(65), 12);
    expect(r.unigram.trainEntropy).toBeLessThan(r.unigram.crossEntropy);
  });
});
