/**
 * Statistics over the seeds of an experiment: per cell the mean, the sample standard deviation and
 * the 95% confidence interval of the mean (Student's t), and a cautious verdict comparing cells on
 * one metric of their final evaluation: the validation loss in nats per character (lower is
 * better), or on a task corpus the long-range accuracy (higher is better).
 *
 * Pure and without imports: the app's summary over seeds and the HTML report both say what it says.
 *
 * The verdict rule, for two cells A and B with n_A, n_B >= 2 seeds each:
 *   d = mean_B - mean_A, se = sqrt(s_A^2 / n_A + s_B^2 / n_B),
 *   Welch-Satterthwaite df = se^4 / ((s_A^2/n_A)^2 / (n_A - 1) + (s_B^2/n_B)^2 / (n_B - 1)),
 *   95% interval of the difference: d -+ t(0.975, df) * se.
 * If that interval excludes 0, the cell with the better mean "beats" the other by |d|; otherwise the
 * two "differ by less than the seed spread". With one seed in a cell there is no spread to measure
 * the difference against, and we say so instead of naming a winner. Each pair is judged on its own
 * (no correction for comparing several pairs at once): with 2-5 seeds the t quantiles (12.7 down to
 * 2.8) already keep the rule cautious.
 */

/** Per cell, over its seeds. sd and ci95 are null with fewer than two values. */
export interface SeedStats {
  n: number;
  mean: number;
  /** sample standard deviation (n - 1 in the denominator) */
  sd: number | null;
  /** 95% confidence interval of the mean: mean -+ t(0.975, n - 1) * sd / sqrt(n) */
  ci95: { lo: number; hi: number } | null;
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (Bessel's n - 1); NaN for fewer than two values. */
export function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
}

// Lanczos approximation (g = 7, nine terms): |error| < 1e-14 for the half-integers and beyond we need.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Gamma(x) for x > 0. */
export function logGamma(x: number): number {
  // reflection keeps the series where it is accurate
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * The continued fraction of the incomplete beta function (DLMF 8.17.22), evaluated by the modified
 * Lentz method. Converges fast for x < (a + 1) / (a + b + 2).
 */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 1000; m++) {
    // even step: d_2m = m (b - m) x / ((a + 2m - 1)(a + 2m))
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 + even * d;
    c = 1 + even / c;
    if (Math.abs(d) < tiny) d = tiny;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    f *= d * c;
    // odd step: d_2m+1 = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))
    const odd = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + odd * d;
    c = 1 + odd / c;
    if (Math.abs(d) < tiny) d = tiny;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return f;
}

/** The regularized incomplete beta function I_x(a, b), for a, b > 0 and 0 <= x <= 1. */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = a * Math.log(x) + b * Math.log(1 - x) - (logGamma(a) + logGamma(b) - logGamma(a + b));
  const front = Math.exp(logFront);
  // use the fraction where it converges, and the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) elsewhere
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(a, b, x)) / a;
  return 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T <= t) for Student's t with df > 0 degrees of freedom (df need not be a whole number). */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  // P(|T| > |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2)
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * The p-quantile of Student's t with df degrees of freedom: the t with P(T <= t) = p, found by
 * bisection on the CDF to 1e-12 relative (the CDF is monotone, so bisection cannot go astray).
 * t(0.975, 4) = 2.776...
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) return NaN;
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) {
    lo = hi;
    hi *= 2;
    if (hi > 1e15) return Infinity;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** Mean, sample sd and the 95% interval of the mean of one cell's values (non-finite values are dropped). */
export function seedStats(values: readonly number[]): SeedStats {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  const m = mean(xs);
  if (n < 2) return { n, mean: m, sd: null, ci95: null };
  const sd = sampleSd(xs);
  const half = (studentTQuantile(0.975, n - 1) * sd) / Math.sqrt(n);
  return { n, mean: m, sd, ci95: { lo: m - half, hi: m + half } };
}

/** Welch's 95% interval for mean(b) - mean(a), from each side's n, mean and sd (n >= 2 each). */
export function welchInterval(a: SeedStats, b: SeedStats): { diff: number; lo: number; hi: number; df: number } {
  const diff = b.mean - a.mean;
  if (a.n < 2 || b.n < 2 || a.sd === null || b.sd === null) return { diff, lo: NaN, hi: NaN, df: NaN };
  const va = (a.sd * a.sd) / a.n;
  const vb = (b.sd * b.sd) / b.n;
  const se2 = va + vb;
  // every seed gave the same number on both sides: no spread, the difference is what it is
  if (se2 === 0) return { diff, lo: diff, hi: diff, df: a.n + b.n - 2 };
  const df = (se2 * se2) / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  const half = studentTQuantile(0.975, df) * Math.sqrt(se2);
  return { diff, lo: diff - half, hi: diff + half, df };
}

/** What a verdict judges: one number per seed, which way is better, and how the sentences say it. */
export interface VerdictMetric {
  /** what the sentences call it, e.g. "validation loss" */
  name: string;
  higherIsBetter: boolean;
  /** a value as the summary shows it, e.g. "1.234" or "93.5%" */
  format(x: number): string;
  /** a difference or an end of its interval, as the numbers behind a sentence show it */
  formatDiff(x: number): string;
  /** what follows "A beats B" for a difference d > 0, e.g. "by 0.400 nats per character" */
  beatsBy(d: number): string;
  /** the unit after the interval of the difference, if the numbers need one */
  intervalUnit: string;
}

/** Validation loss in nats per character: lower is better. The verdict's default. */
export const VAL_LOSS: VerdictMetric = {
  name: 'validation loss',
  higherIsBetter: false,
  format: formatNats,
  formatDiff: formatNats,
  beatsBy: (d) => `by ${formatNats(d)} nats per character`,
  intervalUnit: '',
};

/** A fraction as a percentage with one decimal: 0.935 -> "93.5%". */
function formatPercent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function formatPoints(x: number): string {
  return (100 * x).toFixed(1);
}

/**
 * Accuracy (0..1) on the positions a task corpus marks as needing long-range memory: higher is
 * better, and differences are percentage points.
 */
export const LONG_RANGE_ACCURACY: VerdictMetric = {
  name: 'long-range accuracy',
  higherIsBetter: true,
  format: formatPercent,
  formatDiff: formatPoints,
  beatsBy: (d) => `on long-range accuracy by ${formatPoints(d)} percentage points`,
  intervalUnit: ' percentage points',
};

interface CellValues {
  /** what the sentence calls the cell, e.g. "LSTM" */
  name: string;
  /** one value per seed, of the metric judged (validation loss unless told) */
  values: readonly number[];
}

/** One pair of cells: `better` has the better mean (or comes first when they tie); diff = |mean difference|. */
export type PairVerdict =
  | { kind: 'beats' | 'within-spread'; better: string; worse: string; nBetter: number; nWorse: number; diff: number; lo: number; hi: number; df: number }
  | { kind: 'no-spread'; better: string; worse: string; nBetter: number; nWorse: number; diff: number };

/**
 * Every pair of cells with at least one value, best-ranked first: (1st, 2nd), (1st, 3rd), ...,
 * (2nd, 3rd), ... Ranking is by mean, best first: lowest for a loss, highest for an accuracy.
 */
export function pairVerdicts(cells: readonly CellValues[], metric: VerdictMetric = VAL_LOSS): PairVerdict[] {
  const sign = metric.higherIsBetter ? -1 : 1;
  const ranked = cells
    .map((c) => ({ name: c.name, stats: seedStats(c.values) }))
    .filter((c) => c.stats.n > 0)
    .sort((a, b) => sign * (a.stats.mean - b.stats.mean));
  const out: PairVerdict[] = [];
  for (let i = 0; i < ranked.length; i++) {
    for (let j = i + 1; j < ranked.length; j++) {
      const a = ranked[i];
      const b = ranked[j];
      const base = { better: a.name, worse: b.name, nBetter: a.stats.n, nWorse: b.stats.n };
      if (a.stats.n < 2 || b.stats.n < 2) {
        out.push({ kind: 'no-spread', ...base, diff: sign * (b.stats.mean - a.stats.mean) });
        continue;
      }
      // the interval of (worse - better) for a loss, (better - worse) for an accuracy: > 0 when the better wins
      const w = metric.higherIsBetter ? welchInterval(b.stats, a.stats) : welchInterval(a.stats, b.stats);
      out.push({ kind: w.lo > 0 ? 'beats' : 'within-spread', ...base, ...w });
    }
  }
  return out;
}

/** Nats with three decimals, or two significant digits below 0.001 (so a tiny difference is not "0.000"). */
export function formatNats(x: number): string {
  return Math.abs(x) >= 0.001 || x === 0 ? x.toFixed(3) : x.toPrecision(2);
}

function seedsPhrase(a: number, b: number): string {
  return a === b ? `over ${a} seeds` : `over ${a} and ${b} seeds`;
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** One short sentence (without a full stop) for one pair. */
function pairSentence(v: PairVerdict, metric: VerdictMetric): string {
  switch (v.kind) {
    case 'beats':
      return `${capitalize(v.better)} beats ${v.worse} ${metric.beatsBy(v.diff)} ${seedsPhrase(v.nBetter, v.nWorse)}`;
    case 'within-spread':
      return `${capitalize(v.better)} and ${v.worse} differ by less than the seed spread`;
    case 'no-spread': {
      const single = [v.nBetter < 2 ? v.better : null, v.nWorse < 2 ? v.worse : null].filter((x) => x !== null);
      return single.length === 2
        ? `${capitalize(v.better)} and ${v.worse}: one seed each, no spread to compare against`
        : `${capitalize(v.better)} and ${v.worse}: ${single[0]} has one seed, no spread to compare against`;
    }
  }
}

/** The numbers behind a pair's sentence: the difference and its interval, or null without spread. */
function pairDetail(v: PairVerdict, metric: VerdictMetric): string | null {
  if (v.kind === 'no-spread') return null;
  const df = Number.isFinite(v.df) ? `, Welch df ${v.df.toFixed(1)}` : '';
  const f = (x: number): string => metric.formatDiff(x).replace('-', '−');
  return `difference ${f(v.diff)}, 95% interval ${f(v.lo)} to ${f(v.hi)}${metric.intervalUnit}${df}`;
}

export interface VerdictItem {
  sentence: string;
  /** the difference and its interval, where there is one */
  detail: string | null;
}

/**
 * What there is to judge: nothing yet (no cell has a value), the results of only one of several
 * cells, one cell only, one seed in every cell, or the pairs of cells.
 */
export type VerdictOutcome =
  | { kind: 'empty' }
  | { kind: 'only'; name: string }
  | { kind: 'one-cell' }
  | { kind: 'one-seed-each' }
  | { kind: 'pairs'; pairs: PairVerdict[] };

export function verdictOutcome(cells: readonly CellValues[], metric: VerdictMetric = VAL_LOSS): VerdictOutcome {
  const present = cells.filter((c) => c.values.some((v) => Number.isFinite(v)));
  if (present.length === 0) return { kind: 'empty' };
  if (present.length === 1) return cells.length > 1 ? { kind: 'only', name: present[0].name } : { kind: 'one-cell' };
  if (present.every((c) => c.values.filter((v) => Number.isFinite(v)).length < 2)) return { kind: 'one-seed-each' };
  return { kind: 'pairs', pairs: pairVerdicts(present, metric) };
}

/**
 * The verdict in English (the report's and the CLI's; the app says it in its own language), one
 * item per pair of cells; or a single item when there is nothing to judge.
 */
export function verdictItems(cells: readonly CellValues[], metric: VerdictMetric = VAL_LOSS): VerdictItem[] {
  const outcome = verdictOutcome(cells, metric);
  switch (outcome.kind) {
    case 'empty': return [{ sentence: `No ${metric.name} yet: nothing to compare.`, detail: null }];
    case 'only': return [{ sentence: `Only ${outcome.name} has results so far: nothing to compare it with yet.`, detail: null }];
    case 'one-cell': return [{ sentence: 'One cell only: nothing to compare it with.', detail: null }];
    case 'one-seed-each': return [{ sentence: 'One seed each: no spread to compare against, so no verdict. Run two or more seeds to judge the differences.', detail: null }];
    case 'pairs': return outcome.pairs.map((v) => ({ sentence: `${pairSentence(v, metric)}.`, detail: pairDetail(v, metric) }));
  }
}

export function verdictSentences(cells: readonly CellValues[]): string[] {
  return verdictItems(cells).map((i) => i.sentence);
}

/** The verdict in one line: the pair sentences joined with semicolons. */
export function verdict(cells: readonly CellValues[]): string {
  const s = verdictSentences(cells);
  if (s.length === 1) return s[0];
  return `${s.map((x) => x.slice(0, -1)).join('; ')}.`;
}
