/**
 * What the gradient-flow charts draw, as pure functions: per run the mean gradient norm against
 * the lag k (skipping what a log scale cannot show), and a run's gradient-norm history with the
 * steps where clipping acted.
 */
import type { GradientFlowReport } from '../../src-main/api/contract.ts';
import { minMaxIndices, type Point } from './chart-data.ts';
import { valueAt } from './config-path.ts';

export type FlowState = 'h' | 'c';

export interface LagLine {
  runId: number;
  label: string;
  color: string;
  points: Point[];
}

/** Lines of ||dL_T/d{h,c}_{T-k}|| against k for one layer; runs without that layer or state are left out. */
export function lagLines(reports: readonly GradientFlowReport[], layer: number, state: FlowState, describe: (runId: number) => { label: string; color: string }): LagLine[] {
  const lines: LagLine[] = [];
  for (const r of reports) {
    const rows = state === 'h' ? r.h : r.c;
    const ys = rows?.[layer];
    if (!ys) continue;
    const points: Point[] = [];
    // a log axis has no place for 0 (a gradient that vanished to underflow) or non-finite values
    ys.forEach((y, k) => {
      if (Number.isFinite(y) && y > 0) points.push({ x: k, y });
    });
    lines.push({ runId: r.runId, ...describe(r.runId), points });
  }
  return lines;
}

/** The most layers any report has. */
export function layerCount(reports: readonly GradientFlowReport[]): number {
  return reports.reduce((m, r) => Math.max(m, r.h.length), 0);
}

/**
 * How much of the lag-0 gradient is left at lag k (the ratio), or null where it cannot be said: a
 * one-number summary for the caption.
 */
export function retainedAt(report: GradientFlowReport, layer: number, k: number, state: FlowState = 'h'): number | null {
  const ys = (state === 'h' ? report.h : report.c)?.[layer];
  if (!ys || k >= ys.length || !(ys[0] > 0) || !Number.isFinite(ys[k])) return null;
  return ys[k] / ys[0];
}

/** The clip threshold of a run's config (train.clip), or null when it does not clip. */
export function clipThreshold(config: unknown): number | null {
  const clip = valueAt(config, 'train.clip');
  return typeof clip === 'number' && Number.isFinite(clip) && clip > 0 ? clip : null;
}

/** a run's logged gradient norms, as columns */
export interface GradHistory {
  step: number[];
  gradNorm: number[];
  clipped: boolean[];
}

export interface GradHistoryPoints {
  line: Point[];
  /** the steps where clipping acted (at most maxPoints of them, evenly spread) */
  clipped: Point[];
  /** how many logged steps were clipped, and of how many */
  clippedCount: number;
  count: number;
}

export function gradHistoryPoints(h: GradHistory, maxPoints: number): GradHistoryPoints {
  const line = minMaxIndices(h.gradNorm, maxPoints).map((i) => ({ x: h.step[i], y: h.gradNorm[i] }));
  const clippedIdx: number[] = [];
  for (let i = 0; i < h.clipped.length; i++) if (h.clipped[i] && Number.isFinite(h.gradNorm[i])) clippedIdx.push(i);
  const every = Math.max(1, Math.ceil(clippedIdx.length / maxPoints));
  const clipped = clippedIdx.filter((_, j) => j % every === 0).map((i) => ({ x: h.step[i], y: h.gradNorm[i] }));
  return { line, clipped, clippedCount: clippedIdx.length, count: h.step.length };
}
