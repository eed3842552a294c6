/**
 * Expected best validation loss against the number of trials (Dodge et al. 2019, "Show Your Work",
 * with the variance as corrected in Dodge et al. 2021 and Tang et al. 2020), so that a comparison of
 * tuned cells states the budget it was tuned with.
 *
 * The estimator treats the N observed losses of a cell as the distribution of one trial and asks
 * what the best (lowest) of n trials drawn from it with replacement would be, for n = 1..N. It is
 * computed exactly from the order statistics, not by resampling: with the losses sorted ascending,
 * v_(1) <= ... <= v_(N), the minimum of n draws is v_(i) or worse with probability
 * ((N - i + 1) / N)^n, hence
 *
 *   P_i = ((N - i + 1) / N)^n - ((N - i) / N)^n,
 *   mean(n) = sum_i v_(i) P_i,   var(n) = sum_i (v_(i) - mean(n))^2 P_i.
 *
 * Ties need no special case: tied values share their probability mass, and the sum over them is the
 * probability that the minimum takes that value. The variance is taken about the mean rather than
 * as E[v^2] - mean^2 (the same quantity) because losses sit far from zero relative to their spread,
 * where the difference of squares loses most of its digits.
 */

/**
 * Lower is better. `losses[k]` is the final validation loss of trial k of one cell, in any order;
 * the result has `mean[n - 1]` and `sd[n - 1]` for the best of n trials, n = 1..N (empty arrays for
 * no trials). Throws a RangeError naming the index of the first loss that is not a finite number.
 */
export function expectedBest(losses: readonly number[]): { mean: number[]; sd: number[] } {
  losses.forEach((v, k) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`expectedBest: losses[${k}] must be a finite number, got ${String(v)}`);
  });
  const v = [...losses].sort((a, b) => a - b);
  const N = v.length;
  const mean: number[] = [];
  const sd: number[] = [];
  const p = new Float64Array(N);
  for (let n = 1; n <= N; n++) {
    // above = P(the minimum's rank >= i), next = P(rank >= i + 1) (0-based ranks), both ((N - rank) / N)^n
    let above = 1;
    let m = 0;
    for (let i = 0; i < N; i++) {
      const next = Math.pow((N - i - 1) / N, n);
      p[i] = above - next;
      above = next;
      m += v[i] * p[i];
    }
    let s = 0;
    for (let i = 0; i < N; i++) s += (v[i] - m) * (v[i] - m) * p[i];
    mean.push(m);
    sd.push(Math.sqrt(Math.max(0, s)));
  }
  return { mean, sd };
}
