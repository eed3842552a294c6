/**
 * The expected best of n trials (Dodge et al. 2019), checked against arithmetic done by hand, against
 * brute-force enumeration of every sequence of n draws with replacement, and against the properties
 * the estimator must have. Exact rationals, so the tolerance is round-off: 1e-12.
 */
import { describe, expect, it } from 'vitest';
import { expectedBest } from '../../src-shared/sweep/expected-best.ts';

/** Every one of the N^n equally likely sequences of n draws, and the mean and variance of their minimum. */
function bruteForce(losses: readonly number[], n: number): { mean: number; sd: number } {
  const N = losses.length;
  const mins: number[] = [];
  const idx = new Array<number>(n).fill(0);
  for (;;) {
    mins.push(Math.min(...idx.map((k) => losses[k])));
    let d = 0;
    while (d < n && ++idx[d] === N) idx[d++] = 0;
    if (d === n) break;
  }
  const mean = mins.reduce((a, b) => a + b, 0) / mins.length;
  const variance = mins.reduce((a, b) => a + (b - mean) * (b - mean), 0) / mins.length;
  return { mean, sd: Math.sqrt(variance) };
}

describe('expectedBest', () => {
  it('matches the hand-computed case [3, 1, 2]', () => {
    // sorted 1, 2, 3 with N = 3; P_i = ((N - i + 1) / N)^n - ((N - i) / N)^n
    // n = 1: P = 1/3, 1/3, 1/3. mean = 2.  E[v^2] = 14/3, var = 14/3 - 4 = 2/3
    // n = 2: P = 1 - 4/9 = 5/9, 4/9 - 1/9 = 3/9, 1/9.  mean = (5 + 6 + 3)/9 = 14/9
    //        E[v^2] = (5 + 12 + 9)/9 = 26/9, var = 26/9 - 196/81 = 38/81
    // n = 3: P = 1 - 8/27 = 19/27, 8/27 - 1/27 = 7/27, 1/27.  mean = (19 + 14 + 3)/27 = 4/3
    //        E[v^2] = (19 + 28 + 9)/27 = 56/27, var = 56/27 - 16/9 = 8/27
    const { mean, sd } = expectedBest([3, 1, 2]);
    expect(mean).toHaveLength(3);
    expect(sd).toHaveLength(3);
    [2, 14 / 9, 4 / 3].forEach((m, k) => expect(mean[k], `mean, n = ${k + 1}`).toBeCloseTo(m, 12));
    [2 / 3, 38 / 81, 8 / 27].forEach((v, k) => expect(sd[k], `sd, n = ${k + 1}`).toBeCloseTo(Math.sqrt(v), 12));
  });

  it('equals brute-force enumeration of all N^n draws, ties included', () => {
    const cases = [[0.5], [2, 7], [3, 1, 2], [1, 1, 2], [4.2, 3.9, 4.2, 5.1], [2, 2, 2, 2], [1.31, 1.27, 1.9, 1.27, 1.45], [-1, 0.25, 3, -1, 8, 0.25]];
    for (const losses of cases) {
      const { mean, sd } = expectedBest(losses);
      for (let n = 1; n <= losses.length; n++) {
        const want = bruteForce(losses, n);
        expect(mean[n - 1], `mean of [${losses}] at n = ${n}`).toBeCloseTo(want.mean, 12);
        expect(sd[n - 1], `sd of [${losses}] at n = ${n}`).toBeCloseTo(want.sd, 12);
      }
    }
  });

  it('handles ties: [1, 1, 2] at n = 2 puts 8/9 on the tied minimum', () => {
    // P(min = 1) = 1 - P(both draws are the 2) = 1 - 1/9; mean = 8/9 + 2/9 = 10/9
    expect(expectedBest([1, 1, 2]).mean[1]).toBeCloseTo(10 / 9, 12);
    const same = expectedBest([0.7, 0.7, 0.7, 0.7]);
    for (const m of same.mean) expect(m).toBeCloseTo(0.7, 12);
    for (const s of same.sd) expect(s).toBeCloseTo(0, 12);
  });

  it('does not depend on the order of the trials', () => {
    const a = expectedBest([1.9, 1.2, 1.5, 1.2, 2.4, 1.35]);
    const b = expectedBest([1.2, 2.4, 1.35, 1.9, 1.2, 1.5]);
    expect(b).toEqual(a);
  });

  it('is non-increasing in n, starts at the sample mean and closes on the minimum geometrically', () => {
    // 40 losses on a skewed spread, like a learning-rate sweep with a few bad trials
    const losses = Array.from({ length: 40 }, (_, k) => 1.2 + 0.01 * k + (k % 7 === 3 ? 1.5 : 0));
    const { mean } = expectedBest(losses);
    expect(mean[0]).toBeCloseTo(losses.reduce((a, b) => a + b, 0) / losses.length, 12);
    for (let n = 2; n <= losses.length; n++) expect(mean[n - 1]).toBeLessThanOrEqual(mean[n - 2] + 1e-15);
    // mean(n) - min = sum over the worse ranks of (v - min) P_i <= (max - min) P(min of n > v_(1))
    // = (max - min) ((N - 1) / N)^n, so the expected best tends to the minimum as n grows
    const lo = Math.min(...losses);
    const hi = Math.max(...losses);
    const N = losses.length;
    for (let n = 1; n <= N; n++) {
      expect(mean[n - 1]).toBeGreaterThanOrEqual(lo);
      expect(mean[n - 1] - lo).toBeLessThanOrEqual((hi - lo) * ((N - 1) / N) ** n + 1e-12);
    }
    expect(mean[N - 1] - lo).toBeLessThan(0.2 * (mean[0] - lo));
  });

  it('handles no trials and one trial', () => {
    expect(expectedBest([])).toEqual({ mean: [], sd: [] });
    expect(expectedBest([1.75])).toEqual({ mean: [1.75], sd: [0] });
  });

  it('refuses a loss that is not a finite number, naming its index', () => {
    expect(() => expectedBest([1, 2, NaN])).toThrow(/losses\[2\].*NaN/);
    expect(() => expectedBest([Infinity, 1])).toThrow(/losses\[0\].*Infinity/);
    expect(() => expectedBest([1, '2' as unknown as number])).toThrow(/losses\[1\]/);
  });
});
