/**
 * The report's plots that are not line charts over steps (the sweep's strip and box, expected
 * best with its band, loss against a setting, parallel coordinates): a frame with linear, log or
 * category axes, in the same look as svg-chart.ts (its grid, ticks, colours and escaping), and the
 * marks drawn on it. Everything is SVG text, with no script and no external reference.
 */
import { escapeHtml, fmt, niceTicks, tickLabel } from './svg-chart.ts';

export type PlotAxis =
  | { kind: 'linear' | 'log'; label: string; min: number; max: number }
  | { kind: 'category'; label: string; categories: readonly string[] };

export interface Frame {
  /** SVG text drawn so far (background, grid, ticks, labels); marks are pushed after it */
  parts: string[];
  sx: (x: number) => number;
  sy: (y: number) => number;
  plot: { left: number; top: number; width: number; height: number };
  width: number;
  height: number;
}

/** Round ticks of a log axis: 1, 2 and 5 of each decade when few decades, 1 of each otherwise. */
export function logTicks(min: number, max: number): number[] {
  const out: number[] = [];
  const decades = Math.log10(max / min);
  const mantissas = decades <= 2 ? [1, 2, 5] : [1];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of mantissas) {
      const v = Number((m * 10 ** e).toPrecision(6));
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v);
    }
  }
  return out.length >= 2 ? out : [min, max];
}

interface Scale {
  at: (v: number) => number;
  ticks: { value: number; label: string }[];
}

/** An axis mapped to [0, 1], with a little room at the ends so dots on the edge stay whole. */
function scaleOf(axis: PlotAxis): Scale {
  if (axis.kind === 'category') {
    const n = axis.categories.length;
    return { at: (i) => (i + 0.5) / Math.max(1, n), ticks: axis.categories.map((c, i) => ({ value: i, label: c })) };
  }
  let { min, max } = axis;
  if (axis.kind === 'log') {
    if (!(min > 0)) throw new Error(`${axis.label}: a log axis needs values above 0, not ${min}`);
    if (max === min) [min, max] = [min / 2, max * 2];
    const [l0, l1] = [Math.log(min), Math.log(max)];
    const pad = (l1 - l0) * 0.04;
    return { at: (v) => (Math.log(v) - l0 + pad) / (l1 - l0 + 2 * pad), ticks: logTicks(min, max).map((v) => ({ value: v, label: tickLabel(v) })) };
  }
  if (max === min) [min, max] = [min - 0.5, max + 0.5];
  const pad = (max - min) * 0.04;
  return { at: (v) => (v - min + pad) / (max - min + 2 * pad), ticks: niceTicks(min, max, 6).map((v) => ({ value: v, label: tickLabel(v) })) };
}

/** The frame of a plot: white background, grid at the ticks, tick labels and axis titles. */
export function frame(opts: { title: string; x: PlotAxis; y: PlotAxis; width?: number; height?: number; legendRows?: number }): Frame {
  const width = opts.width ?? 880;
  const height = opts.height ?? 320;
  const m = { left: 64, right: 16, top: 12, bottom: 44 + (opts.legendRows ?? 0) * 18 };
  const plot = { left: m.left, top: m.top, width: width - m.left - m.right, height: height - m.top - m.bottom };
  const xs = scaleOf(opts.x);
  const ys = scaleOf(opts.y);
  const sx = (x: number): number => plot.left + xs.at(x) * plot.width;
  const sy = (y: number): number => plot.top + (1 - ys.at(y)) * plot.height;
  const parts = [
    `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(opts.title)}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    '<g stroke="#e3e5ea" stroke-width="1">',
    ...ys.ticks.map((t) => `<line x1="${plot.left}" x2="${plot.left + plot.width}" y1="${fmt(sy(t.value))}" y2="${fmt(sy(t.value))}"/>`),
    ...xs.ticks.map((t) => `<line x1="${fmt(sx(t.value))}" x2="${fmt(sx(t.value))}" y1="${plot.top}" y2="${plot.top + plot.height}"/>`),
    '</g>',
    `<rect x="${plot.left}" y="${plot.top}" width="${plot.width}" height="${plot.height}" fill="none" stroke="#9aa0ab"/>`,
    '<g fill="#5b6170">',
    ...ys.ticks.map((t) => `<text x="${plot.left - 6}" y="${fmt(sy(t.value) + 4)}" text-anchor="end">${escapeHtml(t.label)}</text>`),
    ...xs.ticks.map((t) => `<text x="${fmt(sx(t.value))}" y="${plot.top + plot.height + 16}" text-anchor="middle">${escapeHtml(t.label)}</text>`),
    `<text x="${plot.left + plot.width / 2}" y="${plot.top + plot.height + 32}" text-anchor="middle">${escapeHtml(opts.x.label)}</text>`,
    `<text transform="translate(14 ${plot.top + plot.height / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(opts.y.label)}</text>`,
    '</g>',
  ];
  return { parts, sx, sy, plot, width, height };
}

/** A dot: filled, or hollow (a ring) for a run the halving rule stopped. */
export function dot(x: number, y: number, color: string, hollow: boolean, r = 3.5): string {
  const c = escapeHtml(color);
  return hollow
    ? `<circle class="hollow" cx="${fmt(x)}" cy="${fmt(y)}" r="${r}" fill="#ffffff" stroke="${c}" stroke-width="1.5"/>`
    : `<circle cx="${fmt(x)}" cy="${fmt(y)}" r="${r}" fill="${c}" fill-opacity="0.85"/>`;
}

export interface LegendItem {
  label: string;
  color: string;
  /** a ring, a filled dot or a line */
  mark: 'dot' | 'ring' | 'line';
}

/** The legend under the plot, three items a row. */
export function legend(f: Frame, items: readonly LegendItem[]): string {
  const top = f.plot.top + f.plot.height + 46;
  const colW = f.plot.width / 3;
  return items.map((it, i) => {
    const x = f.plot.left + (i % 3) * colW;
    const y = top + Math.floor(i / 3) * 18;
    const mark = it.mark === 'line'
      ? `<line x1="${fmt(x)}" x2="${fmt(x + 24)}" y1="${y - 4}" y2="${y - 4}" stroke="${escapeHtml(it.color)}" stroke-width="2"/>`
      : dot(x + 12, y - 4, it.color, it.mark === 'ring');
    return `${mark}<text x="${fmt(x + 30)}" y="${y}" fill="#1d1f23">${escapeHtml(it.label)}</text>`;
  }).join('');
}

/** An empty plot that says why it is empty. */
export function emptyPlot(title: string, message: string, width = 880, height = 160): string {
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}" font-family="system-ui, sans-serif" font-size="12">`
    + `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/><text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#5b6170">${escapeHtml(message)}</text></svg>`;
}
