/**
 * What the charts draw, as pure functions of a run's series: the x column for the chosen axis,
 * smoothing, and thinning to about two points per pixel. Chart.js only ever sees the result.
 */
import { lowerBound, type RunSeries } from '../stores/run-series.ts';

export interface Point {
  x: number;
  y: number;
}

export type XAxis = 'step' | 'chars' | 'time';

export const X_AXIS_LABELS: Record<XAxis, string> = {
  step: 'step',
  chars: 'characters seen',
  time: 'training time (s)',
};

/**
 * Keeps at most maxPoints points: the rows are cut into maxPoints / 2 buckets of consecutive
 * points, and each bucket keeps its lowest and its highest point, in their original order. Spikes
 * and dips survive (a loss spike is often the thing to see), unlike plain every-nth sampling.
 * Non-finite values are skipped.
 */
export function thinMinMax(xs: ArrayLike<number>, ys: ArrayLike<number>, maxPoints: number): Point[] {
  return minMaxIndices(ys, maxPoints, Math.min(xs.length, ys.length)).map((i) => ({ x: xs[i], y: ys[i] }));
}

/** The indices thinMinMax keeps of the first n values of ys (ascending). */
export function minMaxIndices(ys: ArrayLike<number>, maxPoints: number, n = ys.length): number[] {
  const out: number[] = [];
  if (n <= maxPoints) {
    for (let i = 0; i < n; i++) if (Number.isFinite(ys[i])) out.push(i);
    return out;
  }
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    let iMin = -1;
    let iMax = -1;
    for (let i = start; i < end; i++) {
      const y = ys[i];
      if (!Number.isFinite(y)) continue;
      if (iMin < 0 || y < ys[iMin]) iMin = i;
      if (iMax < 0 || y > ys[iMax]) iMax = i;
    }
    if (iMin < 0) continue;
    const first = Math.min(iMin, iMax);
    const second = Math.max(iMin, iMax);
    out.push(first);
    if (second !== first) out.push(second);
  }
  return out;
}

/**
 * Exponential moving average with the start-up bias removed (as TensorBoard smooths), so the first
 * points are not pulled towards zero. smoothing 0 returns the values; 0.99 is very smooth.
 * Non-finite values pass through without disturbing the average.
 */
export function ema(ys: ArrayLike<number>, smoothing: number): number[] {
  const out = new Array<number>(ys.length);
  if (smoothing <= 0) {
    for (let i = 0; i < ys.length; i++) out[i] = ys[i];
    return out;
  }
  const a = Math.min(smoothing, 0.999);
  let avg = 0;
  let weight = 0;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i];
    if (!Number.isFinite(y)) {
      out[i] = y;
      continue;
    }
    avg = a * avg + (1 - a) * y;
    weight = a * weight + (1 - a);
    out[i] = avg / weight;
  }
  return out;
}

export function xColumn(s: RunSeries, axis: XAxis): number[] {
  return axis === 'step' ? s.step : axis === 'chars' ? s.charsSeen : s.wallSeconds;
}

/** x of each evaluation: its step, or the characters seen / time at that step's metric row. */
export function evalX(s: RunSeries, axis: XAxis): number[] {
  if (axis === 'step') return s.evalStep;
  const col = xColumn(s, axis);
  return s.evalStep.map((step) => {
    const i = Math.min(lowerBound(s.step, step), s.step.length - 1);
    return i >= 0 ? col[i] : NaN;
  });
}

export type ChartMetric = 'loss' | 'gradNorm' | 'longRange';

export type LineKind = 'train' | 'val' | 'gradNorm' | 'longRange';

export interface SeriesSpec {
  /** stable across redraws: the chart reuses the dataset with the same key */
  key: string;
  kind: LineKind;
  /** a band's edge (mean + sd above, mean - sd below); absent for a line */
  band?: 'upper' | 'lower';
  points: Point[];
}

/** One line's columns: x of each row, the value, and the step that aligns seeds. */
interface LineColumns {
  kind: LineKind;
  steps: ArrayLike<number>;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
}

/** The columns of each line a metric draws for one run (smoothing applied). */
function lineColumns(s: RunSeries, metric: ChartMetric, axis: XAxis, smoothing: number): LineColumns[] {
  const xs = xColumn(s, axis);
  if (metric === 'gradNorm') return [{ kind: 'gradNorm', steps: s.step, xs, ys: ema(s.gradNorm, smoothing) }];
  const ex = evalX(s, axis);
  if (metric === 'longRange') return [{ kind: 'longRange', steps: s.evalStep, xs: ex, ys: s.longRangeAccuracy }];
  return [
    { kind: 'train', steps: s.step, xs, ys: ema(s.trainLoss, smoothing) },
    { kind: 'val', steps: s.evalStep, xs: ex, ys: s.valLoss },
  ];
}

/** The lines of one chart for one run: train and validation loss, the gradient norm, or long-range accuracy. */
export function runLines(runId: number, s: RunSeries, metric: ChartMetric, axis: XAxis, smoothing: number, maxPoints: number): SeriesSpec[] {
  return lineColumns(s, metric, axis, smoothing).map((c) => ({ key: `${runId}:${c.kind}`, kind: c.kind, points: thinMinMax(c.xs, c.ys, maxPoints) }));
}

/** Mean and spread of several runs at each step. */
export interface SeedColumns {
  step: Float64Array;
  /** mean of the runs' x at that step (the same for steps and characters; time differs per seed) */
  x: Float64Array;
  mean: Float64Array;
  /** sample standard deviation over the runs with a value there */
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
 * Aligns runs by step (each run's steps ascending) and, at every step where at least minRuns of
 * them have a finite value, gives the mean and the sample sd over those runs. Steps that fewer
 * runs have reached (a seed that is still running, or behind) are left out, not averaged over one.
 * Seeds of one experiment log the same steps, so that case reads row by row; otherwise the runs are
 * merged by step. Either way each row keeps Welford's running mean and sum of squares in typed
 * arrays, so 100,000 steps x a few seeds take a few milliseconds.
 */
export function alignBySteps(runs: readonly Columns[], minRuns = 2): SeedColumns {
  const len = runs.map((r) => Math.min(r.steps.length, r.xs.length, r.ys.length));
  return runs.length > 0 && sharedSteps(runs, len) ? alignRows(runs, len, minRuns) : mergeBySteps(runs, len, minRuns);
}

function emptyColumns(cap: number): SeedColumns {
  return { step: new Float64Array(cap), x: new Float64Array(cap), mean: new Float64Array(cap), sd: new Float64Array(cap), n: new Float64Array(cap) };
}

/** Keeps the rows with at least minRuns values, turning sums of squares into sds, in place. */
function compact(c: SeedColumns, rows: number, minRuns: number): SeedColumns {
  let m = 0;
  for (let i = 0; i < rows; i++) {
    const n = c.n[i];
    if (n === 0 || n < minRuns) continue;
    c.step[m] = c.step[i];
    c.x[m] = c.x[i] / n;
    c.mean[m] = c.mean[i];
    c.sd[m] = n > 1 ? Math.sqrt(c.sd[i] / (n - 1)) : 0;
    c.n[m] = n;
    m++;
  }
  return { step: c.step.subarray(0, m), x: c.x.subarray(0, m), mean: c.mean.subarray(0, m), sd: c.sd.subarray(0, m), n: c.n.subarray(0, m) };
}

/** Runs that logged the same steps: run by run down the rows, each row's Welford mean and sum of squares (in sd). */
function alignRows(runs: readonly Columns[], len: readonly number[], minRuns: number): SeedColumns {
  const rows = Math.max(0, ...len);
  const c = emptyColumns(rows);
  for (let k = 0; k < runs.length; k++) {
    const { steps, xs, ys } = runs[k];
    for (let i = 0; i < len[k]; i++) {
      c.step[i] = steps[i];
      const y = ys[i];
      if (!Number.isFinite(y)) continue;
      const n = ++c.n[i];
      c.x[i] += xs[i];
      const d = y - c.mean[i];
      c.mean[i] += d / n;
      c.sd[i] += d * (y - c.mean[i]);
    }
  }
  return compact(c, rows, minRuns);
}

/** Runs with different steps: a k-way merge over their ascending steps (k is the number of seeds). */
function mergeBySteps(runs: readonly Columns[], len: readonly number[], minRuns: number): SeedColumns {
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
      const y = runs[k].ys[i];
      if (!Number.isFinite(y)) continue;
      const n = ++c.n[row];
      c.x[row] += runs[k].xs[i];
      const d = y - c.mean[row];
      c.mean[row] += d / n;
      c.sd[row] += d * (y - c.mean[row]);
    }
    row++;
  }
  return compact(c, row, minRuns);
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

/**
 * The lines of one chart for a group of runs (the seeds of one cell): per line kind the mean over
 * seeds, smoothed per run first, then a band of mean +- 1 sample sd as two edges (upper, lower).
 * The mean is thinned like a run's line (min-max); the band's edges are bucket averages at an
 * eighth of that resolution, both edges over the same buckets.
 */
export function seedLines(groupKey: string, series: readonly RunSeries[], metric: ChartMetric, axis: XAxis, smoothing: number, maxPoints: number): SeriesSpec[] {
  const perRun = series.map((s) => lineColumns(s, metric, axis, smoothing));
  const kinds = perRun[0]?.map((c) => c.kind) ?? [];
  return kinds.flatMap((kind, i) => {
    const cols = alignBySteps(perRun.map((r) => r[i]));
    const mean: MeanPoint[] = minMaxIndices(cols.mean, maxPoints).map((j) => ({ x: cols.x[j], y: cols.mean[j], sd: cols.sd[j], n: cols.n[j] }));
    const edge = (sign: 1 | -1): Point[] => bucketMeans(cols.x, cols.mean.map((m, j) => m + sign * cols.sd[j]), Math.max(50, Math.round(maxPoints * BAND_RESOLUTION)));
    return [
      { key: `${groupKey}:${kind}:mean`, kind, points: mean },
      { key: `${groupKey}:${kind}:upper`, kind, band: 'upper' as const, points: edge(1) },
      { key: `${groupKey}:${kind}:lower`, kind, band: 'lower' as const, points: edge(-1) },
    ];
  });
}
