/**
 * Statistics over seeds. Reference values are scipy.stats (SciPy 1.17.1): t.ppf, t.cdf, and
 * ttest_ind(..., equal_var=False).df / .confidence_interval(0.95) for Welch's interval; the printed
 * t tables agree to their three decimals. Tolerances are stated per check.
 */
import { describe, expect, it } from 'vitest';
import { logGamma, LONG_RANGE_ACCURACY, mean, pairVerdicts, sampleSd, seedStats, studentTCdf, studentTQuantile, verdict, verdictItems, verdictSentences, welchInterval } from '../../src-shared/seed-stats.ts';

describe("Student's t", () => {
  it('has the quantiles of the printed tables and of SciPy (to 1e-9), whole and fractional df', () => {
    const ref: [number, number][] = [
      [1, 12.706204736174694], [2, 4.302652729749462], [3, 3.1824463052837078], [4, 2.7764451051977934],
      [5, 2.5705818356363146], [9, 2.262157162798205], [29, 2.045229642132703], [99, 1.9842169515864174],
      [1.5, 6.016663104427929], [3.7, 2.8675207071911895], [7.2, 2.3513738506156905], [7.25, 2.348194849105371],
    ];
    for (const [df, t] of ref) expect(studentTQuantile(0.975, df), `t(0.975, ${df})`).toBeCloseTo(t, 9);
    // the values a t table prints, to its three decimals
    expect(studentTQuantile(0.975, 4).toFixed(3)).toBe('2.776');
    expect(studentTQuantile(0.975, 1).toFixed(3)).toBe('12.706');
    expect(studentTQuantile(0.975, 9).toFixed(3)).toBe('2.262');
    expect(studentTQuantile(0.95, 4)).toBeCloseTo(2.1318467863266495, 9);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.7764451051977943, 9);
    // many degrees of freedom: the normal quantile
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959966356814107, 5);
    expect(studentTQuantile(0.5, 3)).toBe(0);
    expect(studentTQuantile(1, 3)).toBeNaN();
    expect(studentTQuantile(0.975, 0)).toBeNaN();
  });

  it('has the CDF of SciPy (to 1e-12)', () => {
    expect(studentTCdf(2, 4)).toBeCloseTo(0.9419417382415922, 12);
    expect(studentTCdf(2, 1)).toBeCloseTo(0.8524163823495667, 12);
    expect(studentTCdf(2, 1.5)).toBeCloseTo(0.8879058348219744, 12);
    expect(studentTCdf(-3, 2.5)).toBeCloseTo(0.036288047774515914, 12);
    expect(studentTCdf(0, 7)).toBe(0.5);
  });

  it('rests on an accurate log-gamma (to 1e-12)', () => {
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(10.5)).toBeCloseTo(13.940625219403763, 11);
  });
});

// five seeds per cell; LSTM and GRU are close, RNN far behind
const LSTM = [1.5, 1.52, 1.48, 1.51, 1.49];
const GRU = [1.52, 1.48, 1.54, 1.5, 1.51];
const RNN = [1.9, 1.93, 1.88, 1.92, 1.87];

describe('seedStats', () => {
  it('gives the mean, the sample sd and the 95% interval of the mean (to 1e-12)', () => {
    expect(mean(LSTM)).toBeCloseTo(1.5, 12);
    expect(sampleSd(LSTM)).toBeCloseTo(0.01581138830084191, 12);
    const s = seedStats(LSTM);
    expect(s.n).toBe(5);
    expect(s.sd).toBeCloseTo(0.01581138830084191, 12);
    expect(s.ci95!.lo).toBeCloseTo(1.4803675683852244, 12);
    expect(s.ci95!.hi).toBeCloseTo(1.5196324316147756, 12);
    const r = seedStats(RNN);
    expect(r.mean).toBeCloseTo(1.9, 12);
    expect(r.ci95!.lo).toBeCloseTo(1.8683436552191668, 12);
    expect(r.ci95!.hi).toBeCloseTo(1.931656344780833, 12);
  });

  it('has no spread for one seed, and drops values that are not numbers', () => {
    expect(seedStats([1.7])).toEqual({ n: 1, mean: 1.7, sd: null, ci95: null });
    expect(seedStats([1.7, NaN])).toEqual({ n: 1, mean: 1.7, sd: null, ci95: null });
    expect(seedStats([]).n).toBe(0);
    // two seeds: t(0.975, 1) = 12.706 makes a wide interval
    const two = seedStats([1, 2]);
    expect(two.ci95!.hi - two.mean).toBeCloseTo((12.706204736174694 * Math.SQRT1_2) / Math.SQRT2, 9);
  });
});

describe('welchInterval', () => {
  it("matches SciPy's Welch test: df and the 95% interval of the difference (to 1e-9)", () => {
    const w = welchInterval(seedStats(LSTM), seedStats(RNN));
    expect(w.diff).toBeCloseTo(0.4, 12);
    expect(w.df).toBeCloseTo(6.680412371134033, 9);
    expect(w.lo).toBeCloseTo(0.3679649636035513, 9);
    expect(w.hi).toBeCloseTo(0.4320350363964485, 9);
    const g = welchInterval(seedStats(LSTM), seedStats(GRU));
    expect(g.df).toBeCloseTo(7.2, 9);
    expect(g.lo).toBeCloseTo(-0.018798330642658605, 9);
    expect(g.hi).toBeCloseTo(0.03879833064265863, 9);
  });

  it('treats identical seeds as no spread: the difference is exact', () => {
    const w = welchInterval(seedStats([1, 1]), seedStats([2, 2]));
    expect([w.lo, w.hi]).toEqual([1, 1]);
  });
});

describe('the verdict', () => {
  const cells = [{ name: 'RNN', values: RNN }, { name: 'LSTM', values: LSTM }, { name: 'GRU', values: GRU }];

  it('names a winner only where the Welch interval excludes zero', () => {
    const pairs = pairVerdicts(cells);
    expect(pairs.map((p) => `${p.better}/${p.worse}:${p.kind}`)).toEqual(['LSTM/GRU:within-spread', 'LSTM/RNN:beats', 'GRU/RNN:beats']);
    expect(verdictSentences(cells)).toEqual([
      'LSTM and GRU differ by less than the seed spread.',
      'LSTM beats RNN by 0.400 nats per character over 5 seeds.',
      'GRU beats RNN by 0.390 nats per character over 5 seeds.',
    ]);
    expect(verdict(cells)).toBe('LSTM and GRU differ by less than the seed spread; LSTM beats RNN by 0.400 nats per character over 5 seeds; GRU beats RNN by 0.390 nats per character over 5 seeds.');
  });

  it('gives the numbers behind each sentence', () => {
    expect(verdictItems(cells).map((i) => i.detail)).toEqual([
      'difference 0.010, 95% interval −0.019 to 0.039, Welch df 7.2',
      'difference 0.400, 95% interval 0.368 to 0.432, Welch df 6.7',
      expect.stringMatching(/^difference 0\.390, 95% interval 0\.3\d\d to 0\.4\d\d, Welch df \d\.\d$/),
    ]);
    expect(verdictItems([{ name: 'LSTM', values: [1.5] }, { name: 'RNN', values: [1.9] }])[0].detail).toBeNull();
  });

  it('is cautious with two seeds: a gap smaller than what t(0.975, 1) allows is within the spread', () => {
    // means 1.50 and 1.60, sd 0.0707 each: se 0.0707, Welch df 2, t = 4.303: interval -0.204 to 0.404
    expect(verdictSentences([{ name: 'LSTM', values: [1.45, 1.55] }, { name: 'RNN', values: [1.55, 1.65] }])).toEqual(['LSTM and RNN differ by less than the seed spread.']);
    // a clear gap is still called with two seeds
    expect(verdictSentences([{ name: 'LSTM', values: [1.5, 1.51] }, { name: 'RNN', values: [1.9, 1.91] }])).toEqual(['LSTM beats RNN by 0.400 nats per character over 2 seeds.']);
  });

  it('says it cannot judge spread with one seed', () => {
    expect(verdict([{ name: 'LSTM', values: [1.5] }, { name: 'RNN', values: [1.9] }])).toBe('One seed each: no spread to compare against, so no verdict. Run two or more seeds to judge the differences.');
    // a cell whose second seed has not been evaluated yet
    expect(verdictSentences([{ name: 'LSTM', values: [1.5, 1.52] }, { name: 'RNN', values: [1.9, NaN] }])).toEqual(['LSTM and RNN: RNN has one seed, no spread to compare against.']);
    expect(verdict([{ name: 'LSTM', values: [1.5, 1.52] }])).toBe('One cell only: nothing to compare it with.');
    expect(verdict([{ name: 'LSTM', values: [1.5, 1.52] }, { name: 'GRU', values: [] }])).toBe('Only LSTM has results so far: nothing to compare it with yet.');
    expect(verdict([{ name: 'LSTM', values: [] }, { name: 'GRU', values: [NaN] }])).toBe('No validation loss yet: nothing to compare.');
  });

  it('says "over 5 and 4 seeds" when the cells have different numbers of seeds', () => {
    expect(verdictSentences([{ name: 'LSTM', values: LSTM }, { name: 'RNN', values: RNN.slice(0, 4) }])[0]).toMatch(/^LSTM beats RNN by 0\.\d{3} nats per character over 5 and 4 seeds\.$/);
  });
});

describe('the verdict on long-range accuracy (higher is better)', () => {
  // three seeds per cell; reference values from scipy.stats.ttest_ind(a, b, equal_var=False)
  const GRU_ACC = [0.95, 0.97, 0.99];
  const LSTM_ACC = [0.9, 0.7, 0.98];
  const RNN_ACC = [0.24, 0.25, 0.26];
  const cells = [{ name: 'RNN', values: RNN_ACC }, { name: 'LSTM', values: LSTM_ACC }, { name: 'GRU', values: GRU_ACC }];

  it('ranks the highest mean first and gives Welch\'s interval of better minus worse (to 1e-9)', () => {
    const pairs = pairVerdicts(cells, LONG_RANGE_ACCURACY);
    expect(pairs.map((p) => `${p.better}/${p.worse}:${p.kind}`)).toEqual(['GRU/LSTM:within-spread', 'GRU/RNN:beats', 'LSTM/RNN:beats']);
    const [gruLstm, gruRnn, lstmRnn] = pairs as Extract<(typeof pairs)[number], { kind: 'beats' | 'within-spread' }>[];
    expect(gruRnn.diff).toBeCloseTo(0.72, 12);
    expect(gruRnn.df).toBeCloseTo(2.9411764705882355, 9);
    expect(gruRnn.lo).toBeCloseTo(0.678446004968175, 9);
    expect(gruRnn.hi).toBeCloseTo(0.7615539950318252, 9);
    expect(lstmRnn.df).toBeCloseTo(2.0192303247428636, 9);
    expect(lstmRnn.lo).toBeCloseTo(0.2541300819923944, 9);
    expect(lstmRnn.hi).toBeCloseTo(0.9658699180076056, 9);
    // the interval includes 0: no winner
    expect(gruLstm.lo).toBeCloseTo(-0.23916133177669052, 9);
    expect(gruLstm.hi).toBeCloseTo(0.4591613317766907, 9);
  });

  it('says it in percentage points, with the numbers behind each sentence', () => {
    expect(verdictItems(cells, LONG_RANGE_ACCURACY)).toEqual([
      { sentence: 'GRU and LSTM differ by less than the seed spread.', detail: 'difference 11.0, 95% interval −23.9 to 45.9 percentage points, Welch df 2.1' },
      { sentence: 'GRU beats RNN on long-range accuracy by 72.0 percentage points over 3 seeds.', detail: 'difference 72.0, 95% interval 67.8 to 76.2 percentage points, Welch df 2.9' },
      { sentence: 'LSTM beats RNN on long-range accuracy by 61.0 percentage points over 3 seeds.', detail: 'difference 61.0, 95% interval 25.4 to 96.6 percentage points, Welch df 2.0' },
    ]);
    expect(LONG_RANGE_ACCURACY.format(0.935)).toBe('93.5%');
    expect(LONG_RANGE_ACCURACY.format(0.25)).toBe('25.0%');
  });

  it('depends on the direction: the same numbers read as a loss put the RNN first', () => {
    expect(pairVerdicts(cells).map((p) => `${p.better}/${p.worse}:${p.kind}`)).toEqual(['RNN/LSTM:beats', 'RNN/GRU:beats', 'LSTM/GRU:within-spread']);
    expect(verdictSentences(cells)[1]).toBe('RNN beats GRU by 0.720 nats per character over 3 seeds.');
  });

  it('gives no verdict with one seed, and says what is missing', () => {
    expect(verdictItems([{ name: 'GRU', values: [0.97] }, { name: 'RNN', values: [0.25] }], LONG_RANGE_ACCURACY)).toEqual([
      { sentence: 'One seed each: no spread to compare against, so no verdict. Run two or more seeds to judge the differences.', detail: null },
    ]);
    expect(verdictItems([{ name: 'GRU', values: GRU_ACC }, { name: 'RNN', values: [0.25, NaN] }], LONG_RANGE_ACCURACY)).toEqual([
      { sentence: 'GRU and RNN: RNN has one seed, no spread to compare against.', detail: null },
    ]);
    expect(verdictItems([{ name: 'GRU', values: [] }, { name: 'RNN', values: [NaN] }], LONG_RANGE_ACCURACY)[0].sentence).toBe('No long-range accuracy yet: nothing to compare.');
  });
});
