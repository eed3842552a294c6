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
export interface LineColumns {
  kind: LineKind;
  steps: ArrayLike<number>;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
}

/**
 * The columns of each line a metric draws for one run, smoothed: the training loss, the gradient
 * norm and the long-range accuracy (an evaluation's accuracy swings with the few positions it
 * scores); the validation loss is drawn as measured.
 */
export function lineColumns(s: RunSeries, metric: ChartMetric, axis: XAxis, smoothing: number): LineColumns[] {
  const xs = xColumn(s, axis);
  if (metric === 'gradNorm') return [{ kind: 'gradNorm', steps: s.step, xs, ys: ema(s.gradNorm, smoothing) }];
  const ex = evalX(s, axis);
  if (metric === 'longRange') return [{ kind: 'longRange', steps: s.evalStep, xs: ex, ys: ema(s.longRangeAccuracy, smoothing) }];
  return [
    { kind: 'train', steps: s.step, xs, ys: ema(s.trainLoss, smoothing) },
    { kind: 'val', steps: s.evalStep, xs: ex, ys: s.valLoss },
  ];
}

/** The lines of one chart for one run: train and validation loss, the gradient norm, or long-range accuracy. */
export function runLines(runId: number, s: RunSeries, metric: ChartMetric, axis: XAxis, smoothing: number, maxPoints: number): SeriesSpec[] {
  return lineColumns(s, metric, axis, smoothing).map((c) => ({ key: `${runId}:${c.kind}`, kind: c.kind, points: thinMinMax(c.xs, c.ys, maxPoints) }));
}
