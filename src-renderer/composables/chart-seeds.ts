/**
 * The seeds of one cell as one line and a band: at each step the mean of the seeds that have a
 * value there (a seed still running, paused or cancelled simply stops contributing where its
 * data end, so a cell is drawn over the whole range any of its seeds covers), and a band of +-1
 * sample sd only where two or more seeds have a value. Every mean point says how many seeds it
 * averages.
 */
import { lineColumns, minMaxIndices, type ChartMetric, type Point, type SeriesSpec, type XAxis } from './chart-data.ts';
import type { RunSeries } from '../stores/run-series.ts';

/** Mean and spread of several runs at each step. */
export interface SeedColumns {
  step: Float64Array;
  /** mean of the runs' x at that step (the same for steps and characters; time differs per seed) */
  x: Float64Array;
  mean: Float64Array;
  /** sample standard deviation over the runs with a value there (0 where only one has) */
  sd: Float64Array;
  /** how many runs have a finite value at that step */
  n: Float64Array;
}

type Columns = { steps: ArrayLike<number>; xs: ArrayLike<number>; ys: ArrayLike<number> };

/** Whether every run's steps are the first steps of the longest run's: then row i is one step in all of them. */
function sharedSteps(runs: readonly Columns[], len: readonly number[]): boolean {
  let longest = 0;
  for (let k = 1; k < runs.length; k++) if (len[k] > len[longest]) longest = k;
  const ref = runs[longest].steps;
  for (let k = 0; k < runs.length; k++) {
    const s = runs[k].steps;
    if (s === ref) continue;
    for (let i = 0; i < len[k]; i++) if (s[i] !== ref[i]) return false;
  }
  return true;
}

/**
 * Aligns runs by step (each run's steps ascending) and, at every step where at least one of them
 * has a finite value, gives the mean and the sample sd over the runs that have one, and how many
 * they are. Seeds of one experiment log the same steps, so that case reads row by row; otherwise
 * the runs are merged by step. Either way each row keeps Welford's running mean and sum of
 * squares in typed arrays, so 100,000 steps x a few seeds take a few milliseconds.
 */
export function alignBySteps(runs: readonly Columns[]): SeedColumns {
  const len = runs.map((r) => Math.min(r.steps.length, r.xs.length, r.ys.length));
  return runs.length > 0 && sharedSteps(runs, len) ? alignRows(runs, len) : mergeBySteps(runs, len);
}

function emptyColumns(cap: number): SeedColumns {
  return { step: new Float64Array(cap), x: new Float64Array(cap), mean: new Float64Array(cap), sd: new Float64Array(cap), n: new Float64Array(cap) };
}

/** Welford's update of a row with one run's value (the row's sd holds the sum of squares until compact). */
function accumulate(c: SeedColumns, row: number, x: number, y: number): void {
  if (!Number.isFinite(y)) return;
  const n = ++c.n[row];
  c.x[row] += x;
  const d = y - c.mean[row];
  c.mean[row] += d / n;
  c.sd[row] += d * (y - c.mean[row]);
}

/** Keeps the rows with a value, turning sums into means and sums of squares into sds, in place. */
function compact(c: SeedColumns, rows: number): SeedColumns {
  let m = 0;
  for (let i = 0; i < rows; i++) {
    const n = c.n[i];
    if (n === 0) continue;
    c.step[m] = c.step[i];
    c.x[m] = c.x[i] / n;
    c.mean[m] = c.mean[i];
    c.sd[m] = n > 1 ? Math.sqrt(c.sd[i] / (n - 1)) : 0;
    c.n[m] = n;
    m++;
  }
  return { step: c.step.subarray(0, m), x: c.x.subarray(0, m), mean: c.mean.subarray(0, m), sd: c.sd.subarray(0, m), n: c.n.subarray(0, m) };
}

/** Runs that logged the same steps: run by run down the rows. */
function alignRows(runs: readonly Columns[], len: readonly number[]): SeedColumns {
  const rows = Math.max(0, ...len);
  const c = emptyColumns(rows);
  for (let k = 0; k < runs.length; k++) {
    const { steps, xs, ys } = runs[k];
    for (let i = 0; i < len[k]; i++) {
      c.step[i] = steps[i];
      accumulate(c, i, xs[i], ys[i]);
    }
  }
  return compact(c, rows);
}

/** Runs with different steps: a k-way merge over their ascending steps (k is the number of seeds). */
function mergeBySteps(runs: readonly Columns[], len: readonly number[]): SeedColumns {
  const K = runs.length;
  const c = emptyColumns(len.reduce((a, b) => a + b, 0));
  const at = new Array<number>(K).fill(0);
  let row = 0;
  for (;;) {
    let step = Infinity;
    for (let k = 0; k < K; k++) if (at[k] < len[k] && runs[k].steps[at[k]] < step) step = runs[k].steps[at[k]];
    if (step === Infinity) break;
    c.step[row] = step;
    for (let k = 0; k < K; k++) {
      const i = at[k];
      if (i >= len[k] || runs[k].steps[i] !== step) continue;
      at[k] = i + 1;
      accumulate(c, row, runs[k].xs[i], runs[k].ys[i]);
    }
    row++;
  }
  return compact(c, row);
}

/** A mean point also says how many seeds it averages and their sd (for the tooltip). */
export interface MeanPoint extends Point {
  sd: number;
  n: number;
}

/**
 * At most maxPoints points, each the average x and y of a bucket of consecutive rows (all rows
 * when there are few). For a band's edges: a smooth outline of a few hundred points fills fast on a
 * canvas without a GPU, where a min-max edge of thousands of zig-zag points does not.
 */
export function bucketMeans(xs: ArrayLike<number>, ys: ArrayLike<number>, maxPoints: number): Point[] {
  const n = Math.min(xs.length, ys.length);
  const buckets = Math.min(n, Math.max(1, maxPoints));
  const out: Point[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    let sx = 0;
    let sy = 0;
    let count = 0;
    for (let i = start; i < end; i++) {
      if (!Number.isFinite(ys[i])) continue;
      sx += xs[i];
      sy += ys[i];
      count++;
    }
    if (count > 0) out.push({ x: sx / count, y: sy / count });
  }
  return out;
}

/** points of a band's edge per point of a line: the band is a soft shape, and filling it costs */
export const BAND_RESOLUTION = 1 / 8;

/** The stretches of consecutive rows where at least two seeds have a value, as [start, end). */
export function bandSegments(n: ArrayLike<number>): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= n.length; i++) {
    const inside = i < n.length && n[i] >= 2;
    if (inside && start < 0) start = i;
    if (!inside && start >= 0) {
      out.push([start, i]);
      start = -1;
    }
  }
  return out;
}

/** What a metric can be: losses and norms are never below 0, an accuracy lies between 0 and 1. */
const BOUNDS: Record<ChartMetric, { min: number; max: number }> = {
  loss: { min: 0, max: Infinity },
  gradNorm: { min: 0, max: Infinity },
  longRange: { min: 0, max: 1 },
};

/**
 * The band's two edges (mean + sd, mean - sd, within what the metric can be: a norm's band does
 * not reach below 0) over the stretches where two or more seeds have a value, each stretch
 * bucket-averaged with its share of maxPoints. Between stretches a point with no value breaks both
 * edges, so the band is not drawn across rows of a single seed.
 */
export function bandEdges(c: SeedColumns, maxPoints: number, bounds = BOUNDS.loss): { upper: Point[]; lower: Point[] } {
  const segments = bandSegments(c.n);
  const rows = segments.reduce((sum, [a, b]) => sum + b - a, 0);
  const upper: Point[] = [];
  const lower: Point[] = [];
  segments.forEach(([a, b], k) => {
    if (k > 0) {
      const gapX = (c.x[segments[k - 1][1] - 1] + c.x[a]) / 2;
      upper.push({ x: gapX, y: NaN });
      lower.push({ x: gapX, y: NaN });
    }
    const budget = Math.max(1, Math.round((maxPoints * (b - a)) / rows));
    const xs = c.x.subarray(a, b);
    const mean = c.mean.subarray(a, b);
    const sd = c.sd.subarray(a, b);
    upper.push(...bucketMeans(xs, mean.map((m, j) => Math.min(bounds.max, m + sd[j])), budget));
    lower.push(...bucketMeans(xs, mean.map((m, j) => Math.max(bounds.min, m - sd[j])), budget));
  });
  return { upper, lower };
}

/**
 * The lines of one chart for a group of runs (the seeds of one cell): per line kind the mean over
 * the seeds present at each step, smoothed per run first, and the band of mean +- 1 sample sd as
 * two edges (upper, lower) where two or more seeds are present. The mean is thinned like a run's
 * line (min-max); the band's edges are bucket averages at an eighth of that resolution.
 */
export function seedLines(groupKey: string, series: readonly RunSeries[], metric: ChartMetric, axis: XAxis, smoothing: number, maxPoints: number): SeriesSpec[] {
  const perRun = series.map((s) => lineColumns(s, metric, axis, smoothing));
  const kinds = perRun[0]?.map((c) => c.kind) ?? [];
  return kinds.flatMap((kind, i) => {
    const cols = alignBySteps(perRun.map((r) => r[i]));
    const mean: MeanPoint[] = minMaxIndices(cols.mean, maxPoints).map((j) => ({ x: cols.x[j], y: cols.mean[j], sd: cols.sd[j], n: cols.n[j] }));
    const band = bandEdges(cols, Math.max(50, Math.round(maxPoints * BAND_RESOLUTION)), BOUNDS[metric]);
    return [
      { key: `${groupKey}:${kind}:mean`, kind, points: mean },
      { key: `${groupKey}:${kind}:upper`, kind, band: 'upper' as const, points: band.upper },
      { key: `${groupKey}:${kind}:lower`, kind, band: 'lower' as const, points: band.lower },
    ];
  });
}
