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
  step: number[];
  /** mean of the runs' x at that step (the same for steps and characters; time differs per seed) */
  x: number[];
  mean: number[];
  /** sample standard deviation over the runs with a value there */
  sd: number[];
  /** how many runs have a finite value at that step */
  n: number[];
}

/**
 * Aligns runs by step (each run's steps ascending) and, at every step where at least minRuns of
 * them have a finite value, gives the mean and the sample sd over those runs. Steps that fewer
 * runs have reached (a seed that is still running, or behind) are left out, not averaged over one.
 */
export function alignBySteps(runs: readonly { steps: ArrayLike<number>; xs: ArrayLike<number>; ys: ArrayLike<number> }[], minRuns = 2): SeedColumns {
  const out: SeedColumns = { step: [], x: [], mean: [], sd: [], n: [] };
  const at = runs.map(() => 0);
  const len = runs.map((r) => Math.min(r.steps.length, r.xs.length, r.ys.length));
  const xs: number[] = [];
  const ys: number[] = [];
  for (;;) {
    // the smallest step not yet taken, over every run (a k-way merge: k is the number of seeds)
    let step = Infinity;
    for (let k = 0; k < runs.length; k++) if (at[k] < len[k] && runs[k].steps[at[k]] < step) step = runs[k].steps[at[k]];
    if (step === Infinity) break;
    xs.length = 0;
    ys.length = 0;
    for (let k = 0; k < runs.length; k++) {
      if (at[k] >= len[k] || runs[k].steps[at[k]] !== step) continue;
      const y = runs[k].ys[at[k]];
      if (Number.isFinite(y)) {
        xs.push(runs[k].xs[at[k]]);
        ys.push(y);
      }
      at[k]++;
    }
    const n = ys.length;
    if (n === 0 || n < minRuns) continue;
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < n; i++) {
      sx += xs[i];
      sy += ys[i];
    }
    const m = sy / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (ys[i] - m) * (ys[i] - m);
    out.step.push(step);
    out.x.push(sx / n);
    out.mean.push(m);
    out.sd.push(n > 1 ? Math.sqrt(ss / (n - 1)) : 0);
    out.n.push(n);
  }
  return out;
}

/** A mean point also says how many seeds it averages and their sd (for the tooltip). */
export interface MeanPoint extends Point {
  sd: number;
  n: number;
}

/**
 * The lines of one chart for a group of runs (the seeds of one cell): per line kind the mean over
 * seeds, smoothed per run first, then a band of mean +- 1 sample sd as two edges (upper, lower).
 * Thinning keeps the min-max points of the mean, and the band edges at the same rows.
 */
export function seedLines(groupKey: string, series: readonly RunSeries[], metric: ChartMetric, axis: XAxis, smoothing: number, maxPoints: number): SeriesSpec[] {
  const perRun = series.map((s) => lineColumns(s, metric, axis, smoothing));
  const kinds = perRun[0]?.map((c) => c.kind) ?? [];
  return kinds.flatMap((kind, i) => {
    const cols = alignBySteps(perRun.map((r) => r[i]));
    const keep = minMaxIndices(cols.mean, maxPoints);
    const mean: MeanPoint[] = keep.map((j) => ({ x: cols.x[j], y: cols.mean[j], sd: cols.sd[j], n: cols.n[j] }));
    return [
      { key: `${groupKey}:${kind}:mean`, kind, points: mean },
      { key: `${groupKey}:${kind}:upper`, kind, band: 'upper' as const, points: keep.map((j) => ({ x: cols.x[j], y: cols.mean[j] + cols.sd[j] })) },
      { key: `${groupKey}:${kind}:lower`, kind, band: 'lower' as const, points: keep.map((j) => ({ x: cols.x[j], y: cols.mean[j] - cols.sd[j] })) },
    ];
  });
}

/** Eight distinct hues that read on light and dark backgrounds; a run takes its cell's by position (colorIndexes). */
export const RUN_COLORS = ['#3b82f6', '#ef4444', '#10b981', '#f59e0b', '#8b5cf6', '#ec4899', '#14b8a6', '#84cc16'];

export function runColor(index: number): string {
  return RUN_COLORS[((index % RUN_COLORS.length) + RUN_COLORS.length) % RUN_COLORS.length];
}
