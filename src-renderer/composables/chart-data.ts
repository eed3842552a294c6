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
  const n = Math.min(xs.length, ys.length);
  const out: Point[] = [];
  if (n <= maxPoints) {
    for (let i = 0; i < n; i++) if (Number.isFinite(ys[i])) out.push({ x: xs[i], y: ys[i] });
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
    out.push({ x: xs[first], y: ys[first] });
    if (second !== first) out.push({ x: xs[second], y: ys[second] });
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

export interface SeriesSpec {
  runId: number;
  kind: 'train' | 'val' | 'gradNorm' | 'longRange';
  points: Point[];
}

/** The lines of one chart for one run: train and validation loss, the gradient norm, or long-range accuracy. */
export function runLines(runId: number, s: RunSeries, metric: ChartMetric, axis: XAxis, smoothing: number, maxPoints: number): SeriesSpec[] {
  const xs = xColumn(s, axis);
  if (metric === 'gradNorm') {
    return [{ runId, kind: 'gradNorm', points: thinMinMax(xs, ema(s.gradNorm, smoothing), maxPoints) }];
  }
  const ex = evalX(s, axis);
  if (metric === 'longRange') return [{ runId, kind: 'longRange', points: thinMinMax(ex, s.longRangeAccuracy, maxPoints) }];
  return [
    { runId, kind: 'train', points: thinMinMax(xs, ema(s.trainLoss, smoothing), maxPoints) },
    { runId, kind: 'val', points: thinMinMax(ex, s.valLoss, maxPoints) },
  ];
}

/** Eight distinct hues that read on light and dark backgrounds; a run keeps its colour by position. */
export const RUN_COLORS = ['#3b82f6', '#ef4444', '#10b981', '#f59e0b', '#8b5cf6', '#ec4899', '#14b8a6', '#84cc16'];

export function runColor(index: number): string {
  return RUN_COLORS[((index % RUN_COLORS.length) + RUN_COLORS.length) % RUN_COLORS.length];
}
