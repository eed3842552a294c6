/**
 * A run's numbers as columns (one plain array per field), kept outside Vue's reactivity: 100,000
 * rows a run as reactive objects would cost far more than the charts that draw them. `version`
 * changes whenever the columns do, so a chart can tell what to redraw.
 */
import type { EvalRow, MetricRow } from '../../src-main/api/contract.ts';

export interface RunSeries {
  step: number[];
  charsSeen: number[];
  wallSeconds: number[];
  trainLoss: number[];
  gradNorm: number[];
  evalStep: number[];
  valLoss: number[];
  bitsPerChar: number[];
  accuracy: number[];
  /** task corpora: accuracy on the positions that need long-range memory (NaN elsewhere) */
  longRangeAccuracy: number[];
  /** bumped on every change */
  version: number;
}

export function emptySeries(): RunSeries {
  return { step: [], charsSeen: [], wallSeconds: [], trainLoss: [], gradNorm: [], evalStep: [], valLoss: [], bitsPerChar: [], accuracy: [], longRangeAccuracy: [], version: 0 };
}

/** index of the first element >= value in an ascending array */
export function lowerBound(xs: readonly number[], value: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const METRIC_COLUMNS = ['step', 'charsSeen', 'wallSeconds', 'trainLoss', 'gradNorm'] as const;
const EVAL_COLUMNS = ['evalStep', 'valLoss', 'bitsPerChar', 'accuracy', 'longRangeAccuracy'] as const;

/**
 * Appends metric rows. A resumed run records again from its last checkpoint, so rows at or before
 * the last step we hold replace what we had from that step on.
 */
export function appendMetrics(s: RunSeries, rows: readonly MetricRow[]): void {
  if (rows.length === 0) return;
  const first = rows[0].step;
  if (s.step.length > 0 && first <= s.step[s.step.length - 1]) {
    const cut = lowerBound(s.step, first);
    for (const c of METRIC_COLUMNS) s[c].length = cut;
  }
  for (const r of rows) {
    s.step.push(r.step);
    s.charsSeen.push(r.charsSeen);
    s.wallSeconds.push(r.wallSeconds);
    s.trainLoss.push(r.trainLoss);
    s.gradNorm.push(r.gradNorm);
  }
  s.version++;
}

export function appendEval(s: RunSeries, e: Pick<EvalRow, 'step' | 'valLoss' | 'bitsPerChar' | 'accuracy' | 'longRangeAccuracy'>): void {
  if (s.evalStep.length > 0 && e.step <= s.evalStep[s.evalStep.length - 1]) {
    const cut = lowerBound(s.evalStep, e.step);
    for (const c of EVAL_COLUMNS) s[c].length = cut;
  }
  s.evalStep.push(e.step);
  s.valLoss.push(e.valLoss);
  s.bitsPerChar.push(e.bitsPerChar);
  s.accuracy.push(e.accuracy);
  s.longRangeAccuracy.push(e.longRangeAccuracy ?? NaN);
  s.version++;
}

/**
 * Replaces the series with what the lab has stored, keeping live rows that arrived after it (the
 * history request and the live events race).
 */
export function mergeHistory(s: RunSeries, metrics: readonly MetricRow[], evals: readonly EvalRow[]): void {
  const lastStored = metrics.length ? metrics[metrics.length - 1].step : -Infinity;
  const from = lowerBound(s.step, lastStored + 1e-9);
  const live = METRIC_COLUMNS.map((c) => s[c].slice(from));
  const lastEval = evals.length ? evals[evals.length - 1].step : -Infinity;
  const fromEval = lowerBound(s.evalStep, lastEval + 1e-9);
  const liveEvals = EVAL_COLUMNS.map((c) => s[c].slice(fromEval));
  s.step = metrics.map((m) => m.step);
  s.charsSeen = metrics.map((m) => m.charsSeen);
  s.wallSeconds = metrics.map((m) => m.wallSeconds);
  s.trainLoss = metrics.map((m) => m.trainLoss);
  s.gradNorm = metrics.map((m) => m.gradNorm);
  METRIC_COLUMNS.forEach((c, i) => s[c].push(...live[i]));
  s.evalStep = evals.map((e) => e.step);
  s.valLoss = evals.map((e) => e.valLoss);
  s.bitsPerChar = evals.map((e) => e.bitsPerChar);
  s.accuracy = evals.map((e) => e.accuracy);
  s.longRangeAccuracy = evals.map((e) => e.longRangeAccuracy ?? NaN);
  EVAL_COLUMNS.forEach((c, i) => s[c].push(...liveEvals[i]));
  s.version++;
}
