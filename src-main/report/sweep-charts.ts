/**
 * The sweep's plots in the report, as SVG text, drawn from the same data as the app's
 * (src-shared/sweep-views.ts): the strip of final losses with its box per cell, the expected best
 * against the number of trials with its band, loss against each setting, and parallel coordinates.
 */
import { runColor } from '../../src-shared/run-colors.ts';
import { cellTitle } from '../../src-shared/seed-groups.ts';
import {
  axisMarks, expectedBestCurve, type ParallelPlot, type ScatterPanel, type SettingAxis, type StripCell,
} from '../../src-shared/sweep-views.ts';
import type { Translate } from './report-i18n.ts';
import { escapeHtml, fmt } from './svg-chart.ts';
import { dot, emptyPlot, frame, legend, type LegendItem, type PlotAxis } from './svg-plot.ts';

const STOPPED_GREY = '#5b6170';

/** The stopped runs' legend entry, when there are any: they are drawn as rings. */
const stoppedItem = (any: boolean, tr: Translate): LegendItem[] => (any ? [{ label: tr('sweep.stoppedRing'), color: STOPPED_GREY, mark: 'ring' }] : []);

function lossRange(values: readonly number[], tr: Translate): PlotAxis {
  return { kind: 'linear', label: tr('sweep.strip.yAxis'), min: Math.min(...values), max: Math.max(...values) };
}

/** Per cell one column of dots (jittered), rings for stopped runs, and the box of the completed ones. */
export function stripSvg(cells: readonly StripCell[], tr: Translate): string {
  const title = tr('sweep.report.stripTitle');
  const ys = cells.flatMap((c) => c.dots.map((d) => d.y));
  if (ys.length === 0) return emptyPlot(title, tr('sweep.report.noneYet'));
  const anyStopped = cells.some((c) => c.dots.some((d) => d.stopped));
  const f = frame({ title, x: { kind: 'category', label: tr('sweep.strip.xAxis'), categories: cells.map((c) => cellTitle(c.cell)) }, y: lossRange(ys, tr), legendRows: 1 });
  const half = (f.sx(1) - f.sx(0)) * 0.3;
  for (const c of cells) {
    const color = runColor(c.index);
    if (c.box) {
      const b = c.box;
      const [x, y1, y3] = [f.sx(c.index), f.sy(b.q1), f.sy(b.q3)];
      f.parts.push(`<g class="box" stroke="${escapeHtml(color)}" stroke-width="1.4" fill="none">`
        + `<rect x="${fmt(x - half)}" y="${fmt(y3)}" width="${fmt(2 * half)}" height="${fmt(Math.max(0.5, y1 - y3))}"/>`
        + `<line class="median" x1="${fmt(x - half)}" x2="${fmt(x + half)}" y1="${fmt(f.sy(b.median))}" y2="${fmt(f.sy(b.median))}" stroke-width="2.4"/>`
        + `<line x1="${fmt(x)}" x2="${fmt(x)}" y1="${fmt(y3)}" y2="${fmt(f.sy(b.high))}"/><line x1="${fmt(x)}" x2="${fmt(x)}" y1="${fmt(y1)}" y2="${fmt(f.sy(b.low))}"/>`
        + `<line x1="${fmt(x - half / 2)}" x2="${fmt(x + half / 2)}" y1="${fmt(f.sy(b.high))}" y2="${fmt(f.sy(b.high))}"/><line x1="${fmt(x - half / 2)}" x2="${fmt(x + half / 2)}" y1="${fmt(f.sy(b.low))}" y2="${fmt(f.sy(b.low))}"/></g>`);
    }
    for (const d of c.dots) f.parts.push(dot(f.sx(d.x), f.sy(d.y), color, d.stopped));
  }
  f.parts.push(legend(f, [{ label: tr('sweep.report.completed'), color: STOPPED_GREY, mark: 'dot' }, ...stoppedItem(anyStopped, tr), { label: tr('sweep.report.boxKey'), color: STOPPED_GREY, mark: 'line' }]));
  return `${f.parts.join('')}</svg>`;
}

/** Each cell's expected best over n = 1..N trials, with its band of one sd. */
export function expectedBestSvg(cells: readonly { cell: string; index: number; expectedBest: number[]; expectedBestSd: number[] }[], tr: Translate): string {
  const title = tr('sweep.report.expectedBestTitle');
  const curves = cells.map((c) => ({ ...c, points: expectedBestCurve(c.expectedBest, c.expectedBestSd) }));
  const all = curves.flatMap((c) => c.points);
  if (all.length === 0) return emptyPlot(title, tr('sweep.report.noneYet'));
  const f = frame({
    title,
    x: { kind: 'linear', label: tr('sweep.expectedBest.xAxis'), min: 1, max: Math.max(...all.map((p) => p.n)) },
    y: { kind: 'linear', label: tr('sweep.expectedBest.yAxis'), min: Math.min(...all.map((p) => p.lo)), max: Math.max(...all.map((p) => p.hi)) },
    legendRows: Math.ceil(cells.length / 3),
  });
  for (const c of curves) {
    if (c.points.length === 0) continue;
    const color = escapeHtml(runColor(c.index));
    const upper = c.points.map((p) => `${fmt(f.sx(p.n))},${fmt(f.sy(p.hi))}`);
    const lower = c.points.map((p) => `${fmt(f.sx(p.n))},${fmt(f.sy(p.lo))}`).reverse();
    f.parts.push(`<polygon class="band" points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.15" stroke="none"/>`);
    f.parts.push(c.points.length === 1
      ? dot(f.sx(1), f.sy(c.points[0].mean), runColor(c.index), false)
      : `<polyline fill="none" stroke="${color}" stroke-width="1.8" points="${c.points.map((p) => `${fmt(f.sx(p.n))},${fmt(f.sy(p.mean))}`).join(' ')}"/>`);
  }
  f.parts.push(legend(f, cells.map((c) => ({ label: tr('sweep.report.band', { cell: cellTitle(c.cell) }), color: runColor(c.index), mark: 'line' }))));
  return `${f.parts.join('')}</svg>`;
}

function settingPlotAxis(axis: SettingAxis, tr: Translate): PlotAxis {
  const label = axis.kind === 'log' ? tr('sweep.logScale', { label: axis.label }) : axis.label;
  return axis.kind === 'category' ? { kind: 'category', label, categories: axis.categories } : { kind: axis.kind, label, min: axis.min, max: axis.max };
}

/** Final loss against one setting, every cell in its colour. */
export function scatterSvg(panel: ScatterPanel, tr: Translate): string {
  const title = tr('sweep.report.scatterTitle', { setting: panel.axis.label });
  const ys = panel.cells.flatMap((c) => c.points.map((p) => p.y));
  if (ys.length === 0) return emptyPlot(title, tr('sweep.report.noneYet'));
  const anyStopped = panel.cells.some((c) => c.points.some((p) => p.stopped));
  const items: LegendItem[] = [...panel.cells.map((c): LegendItem => ({ label: cellTitle(c.cell), color: runColor(c.index), mark: 'dot' })), ...stoppedItem(anyStopped, tr)];
  const f = frame({ title, x: settingPlotAxis(panel.axis, tr), y: lossRange(ys, tr), height: 300, legendRows: Math.ceil(items.length / 3) });
  for (const c of panel.cells) for (const p of c.points) f.parts.push(dot(f.sx(p.x), f.sy(p.y), runColor(c.index), p.stopped));
  f.parts.push(legend(f, items));
  return `${f.parts.join('')}</svg>`;
}

/** One vertical axis per setting and one for the loss; one line per trial in its cell's colour, stopped ones dashed. */
export function parallelSvg(plot: ParallelPlot, cells: readonly string[], tr: Translate): string {
  const title = tr('sweep.report.parallelTitle');
  if (plot.lines.length === 0) return emptyPlot(title, tr('sweep.report.noneYet'));
  const width = 880;
  const rows = Math.ceil((cells.length + 1) / 3);
  const height = 300 + rows * 18;
  const m = { left: 70, right: 70, top: 28, bottom: 30 + rows * 18 };
  const plotH = height - m.top - m.bottom;
  const step = (width - m.left - m.right) / Math.max(1, plot.axes.length - 1);
  const ax = (i: number): number => m.left + i * step;
  const ay = (t: number): number => m.top + (1 - t) * plotH;
  const parts = [
    `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  for (const l of plot.lines) {
    const pts = l.at.map((t, i) => `${fmt(ax(i))},${fmt(ay(t))}`).join(' ');
    parts.push(`<polyline${l.stopped ? ' class="stopped" stroke-dasharray="4 3"' : ''} fill="none" stroke="${escapeHtml(runColor(l.index))}" stroke-opacity="0.75" stroke-width="1.3" points="${pts}"/>`);
  }
  plot.axes.forEach((a, i) => {
    const x = ax(i);
    parts.push(`<line x1="${fmt(x)}" x2="${fmt(x)}" y1="${m.top}" y2="${m.top + plotH}" stroke="#9aa0ab"/>`);
    // the end axes' titles run inwards, so a long one stays inside the figure
    const anchor = i === 0 ? 'start' : i === plot.axes.length - 1 ? 'end' : 'middle';
    parts.push(`<text x="${fmt(x)}" y="${m.top - 10}" text-anchor="${anchor}" fill="#1d1f23" font-weight="600">${escapeHtml(a.kind === 'log' ? tr('sweep.logShort', { label: a.label }) : a.label)}</text>`);
    for (const [t, label] of axisMarks(a)) {
      parts.push(`<text x="${fmt(x + 5)}" y="${fmt(ay(t) + 4)}" fill="#5b6170" stroke="#ffffff" stroke-width="3" paint-order="stroke">${escapeHtml(label)}</text>`);
    }
  });
  const top = m.top + plotH + 30;
  const colW = (width - m.left - m.right) / 3;
  const items = [...cells.map((c, i) => ({ label: cellTitle(c), color: runColor(i), dashed: false })), { label: tr('sweep.stoppedDashed'), color: STOPPED_GREY, dashed: true }];
  items.forEach((it, i) => {
    const x = m.left + (i % 3) * colW;
    const y = top + Math.floor(i / 3) * 18;
    parts.push(`<line x1="${fmt(x)}" x2="${fmt(x + 24)}" y1="${y - 4}" y2="${y - 4}" stroke="${escapeHtml(it.color)}" stroke-width="2"${it.dashed ? ' stroke-dasharray="4 3"' : ''}/><text x="${fmt(x + 30)}" y="${y}" fill="#1d1f23">${escapeHtml(it.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
