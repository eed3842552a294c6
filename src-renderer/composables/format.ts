/** Numbers as the tables and forms show them (whole numbers: src-shared/format.ts). */
import { formatDuration as formatSharedDuration } from '../../src-shared/format.ts';
import { currentLang } from '../i18n.ts';

export function formatLoss(n: number | null | undefined, digits = 3): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits);
}

export function formatCompact(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** A duration in the interface's language: "3m 07s", "3분 07초". */
export function formatDuration(seconds: number | null | undefined): string {
  return formatSharedDuration(seconds, currentLang());
}

/** Seconds left at the pace so far: training seconds per step times the steps to go. */
export function timeLeft(step: number, steps: number, elapsed: number): number | null {
  if (step <= 0 || elapsed <= 0 || step >= steps) return step >= steps ? 0 : null;
  return ((steps - step) * elapsed) / step;
}

export function formatChar(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\t') return '\\t';
  if (c === ' ') return '␣';
  if (c === '\r') return '\\r';
  return c;
}
