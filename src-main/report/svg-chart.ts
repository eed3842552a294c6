/**
 * Line charts as inline SVG text, for the self-contained report: axes with round ticks, a grid,
 * one polyline per series, dotted horizontal reference lines labelled at their right end, and a
 * legend. No scripts, no fonts, no external references, so the SVG opens anywhere and prints
 * sharp. Every text in it goes through escapeHtml.
 */
import { spreadLabels } from '../../src-shared/reference-lines.ts';

export type Point = readonly [x: number, y: number];

export interface SvgLine {
  label: string;
  color: string;
  points: readonly Point[];
  dashed?: boolean;
}

export interface SvgChartOptions {
  /** read by screen readers (role="img") */
  title: string;
  xLabel: string;
  yLabel: string;
  lines: readonly SvgLine[];
  /** horizontal lines across the plot at these values (baselines), labelled at their right end */
  references?: readonly { label: string; value: number }[];
  width?: number;
  height?: number;
}

/** Points per line in a report chart: plenty for a page, and the file stays small. */
export const REPORT_POINTS_PER_LINE = 1000;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value, safe inside HTML and SVG. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/**
 * At most `max` points: consecutive points averaged in equal buckets (x and y), so a noisy loss
 * curve becomes its local mean rather than a band. Non-finite values are dropped first.
 */
export function thinMean(points: readonly Point[], max = REPORT_POINTS_PER_LINE): Point[] {
  const finite = points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (finite.length <= max) return finite;
  const out: Point[] = [];
  for (let b = 0; b < max; b++) {
    const from = Math.floor((b * finite.length) / max);
    const to = Math.floor(((b + 1) * finite.length) / max);
    let sx = 0;
    let sy = 0;
    for (let i = from; i < to; i++) {
      sx += finite[i][0];
      sy += finite[i][1];
    }
    out.push([sx / (to - from), sy / (to - from)]);
  }
  return out;
}

/** About `count` round tick values (1, 2 or 5 times a power of ten) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

export function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  return String(+v.toPrecision(4));
}

export const fmt = (n: number): string => (Math.round(n * 10) / 10).toString();

const REFERENCE_GREY = '#8a8f98';

/**
 * The chart as an <svg> element's text. Lines with no finite point are left out of the plot, not the
 * legend. Reference lines widen the y range to show them, but a chart without data stays empty.
 */
export function lineChartSvg(opts: SvgChartOptions): string {
  const width = opts.width ?? 880;
  const height = opts.height ?? 340;
  const lines = opts.lines.map((l) => ({ ...l, points: l.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)) }));
  const all = lines.flatMap((l) => l.points);
  const legendRows = Math.ceil(lines.length / 3);
  const m = { left: 64, right: 16, top: 12, bottom: 44 + legendRows * 18 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const parts: string[] = [];
  parts.push(`<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(opts.title)}" font-family="system-ui, sans-serif" font-size="12">`);
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  if (all.length === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#5b6170">no data yet</text></svg>`);
    return parts.join('');
  }
  let [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const references = (opts.references ?? []).filter((r) => Number.isFinite(r.value));
  const ys = [...all.map((p) => p[1]), ...references.map((r) => r.value)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const pad = (y1 - y0) * 0.04;
  [y0, y1] = [y0 - pad, y1 + pad];
  const xTicks = niceTicks(x0, x1, 8);
  const yTicks = niceTicks(y0, y1, 6);
  const sx = (x: number): number => m.left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = (y: number): number => m.top + (1 - (y - y0) / (y1 - y0)) * plotH;

  parts.push('<g stroke="#e3e5ea" stroke-width="1">');
  for (const t of yTicks) parts.push(`<line x1="${m.left}" x2="${m.left + plotW}" y1="${fmt(sy(t))}" y2="${fmt(sy(t))}"/>`);
  for (const t of xTicks) parts.push(`<line x1="${fmt(sx(t))}" x2="${fmt(sx(t))}" y1="${m.top}" y2="${m.top + plotH}"/>`);
  parts.push('</g>');
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#9aa0ab"/>`);
  parts.push('<g fill="#5b6170">');
  for (const t of yTicks) parts.push(`<text x="${m.left - 6}" y="${fmt(sy(t) + 4)}" text-anchor="end">${escapeHtml(tickLabel(t))}</text>`);
  for (const t of xTicks) parts.push(`<text x="${fmt(sx(t))}" y="${m.top + plotH + 16}" text-anchor="middle">${escapeHtml(tickLabel(t))}</text>`);
  parts.push(`<text x="${m.left + plotW / 2}" y="${m.top + plotH + 32}" text-anchor="middle">${escapeHtml(opts.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(opts.yLabel)}</text>`);
  parts.push('</g>');

  if (references.length > 0) {
    parts.push(`<g class="references" stroke="${REFERENCE_GREY}" stroke-width="1.2" stroke-dasharray="2 3">`);
    for (const r of references) parts.push(`<line x1="${m.left}" x2="${m.left + plotW}" y1="${fmt(sy(r.value))}" y2="${fmt(sy(r.value))}"/>`);
    parts.push('</g>');
  }

  for (const l of lines) {
    if (l.points.length === 0) continue;
    const dash = l.dashed ? ' stroke-dasharray="6 4"' : '';
    const pts = l.points.map(([x, y]) => `${fmt(sx(x))},${fmt(sy(y))}`).join(' ');
    if (l.points.length === 1) {
      parts.push(`<circle cx="${fmt(sx(l.points[0][0]))}" cy="${fmt(sy(l.points[0][1]))}" r="3" fill="${escapeHtml(l.color)}"/>`);
    } else {
      parts.push(`<polyline fill="none" stroke="${escapeHtml(l.color)}" stroke-width="1.6" stroke-linejoin="round"${dash} points="${pts}"/>`);
    }
  }

  if (references.length > 0) {
    // above each line at its right end, on a white halo over the runs' lines; close ones spread apart inside the plot
    const at = spreadLabels(references.map((r) => sy(r.value) - 3), 13, m.top + 12, m.top + plotH - 2);
    parts.push('<g class="reference-labels" fill="#5b6170" font-size="11" text-anchor="end" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">');
    references.forEach((r, i) => parts.push(`<text x="${m.left + plotW - 4}" y="${fmt(at[i])}">${escapeHtml(r.label)}</text>`));
    parts.push('</g>');
  }

  const legendTop = m.top + plotH + 46;
  const colW = plotW / 3;
  lines.forEach((l, i) => {
    const x = m.left + (i % 3) * colW;
    const y = legendTop + Math.floor(i / 3) * 18;
    const dash = l.dashed ? ' stroke-dasharray="6 4"' : '';
    parts.push(`<line x1="${fmt(x)}" x2="${fmt(x + 24)}" y1="${y - 4}" y2="${y - 4}" stroke="${escapeHtml(l.color)}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${fmt(x + 30)}" y="${y}" fill="#1d1f23">${escapeHtml(l.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
