/**
 * A chart as a PNG figure that stands on its own: its title above, the chart drawn again at twice
 * the pixel density (sharp in papers and slides), and beneath it a legend saying what each colour
 * and line style is (and any note, e.g. how many seeds a mean averages), all on a solid background
 * (a transparent PNG turns unreadable on a dark slide); then saved or put on the clipboard.
 */
import type { Chart } from 'chart.js';
import { tr } from '../i18n.ts';

/** pixels per CSS pixel in saved and copied charts */
export const FIGURE_PIXEL_RATIO = 2;

/** The page's panel colour, which the chart's text and grid colours were chosen against. */
export function figureBackground(): string {
  return getComputedStyle(document.documentElement).getPropertyValue('--surface').trim() || '#ffffff';
}

function figureText(): string {
  return getComputedStyle(document.documentElement).getPropertyValue('--text').trim() || '#1d1f23';
}

/** One key of the legend: a line (solid or dashed), a shaded band, or a filled box. */
export interface LegendItem {
  label: string;
  color: string;
  /** line dash; absent or empty for a solid line */
  dash?: number[];
  mark?: 'line' | 'band' | 'box';
}

/** What a saved figure says besides the chart. */
export interface FigureText {
  title: string;
  legend: LegendItem[];
  /** lines of small print under the legend */
  notes?: string[];
}

/** sizes in CSS pixels (multiplied by the ratio on the canvas) */
const PAD = 12;
const TITLE_PX = 15;
const LEGEND_PX = 12;
const NOTE_PX = 11;
const ROW_PX = 18;
const KEY_PX = 22;
const ITEM_GAP = 18;
const FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif";

export interface FigureLayout {
  width: number;
  height: number;
  /** baseline of the title */
  titleY: number;
  plotY: number;
  plotHeight: number;
  items: { item: LegendItem; x: number; y: number }[];
  notes: { text: string; y: number }[];
}

/**
 * Where everything goes, in CSS pixels: the title, the plot (plotWidth x plotHeight) under it,
 * then the legend's keys left to right, wrapping to a new row where the next would not fit, then
 * the notes. measure(text, px) is the width of a text at that font size.
 */
export function figureLayout(plotWidth: number, plotHeight: number, text: FigureText, measure: (text: string, px: number) => number): FigureLayout {
  const titleY = PAD + TITLE_PX;
  const plotY = titleY + PAD / 2;
  // the baseline of the legend's first row, when there is a legend
  let y = plotY + plotHeight + (text.legend.length > 0 ? PAD + LEGEND_PX : 0);
  let x = PAD;
  const items: FigureLayout['items'] = [];
  for (const item of text.legend) {
    const w = KEY_PX + 6 + measure(item.label, LEGEND_PX);
    if (x > PAD && x + w > plotWidth - PAD) {
      x = PAD;
      y += ROW_PX;
    }
    items.push({ item, x, y });
    x += w + ITEM_GAP;
  }
  const notes = (text.notes ?? []).map((t) => {
    y += ROW_PX;
    return { text: t, y };
  });
  return { width: plotWidth, height: y + PAD, titleY, plotY, plotHeight, items, notes };
}

/** The drawing calls a figure needs (a canvas 2D context has them). */
export type FigureContext = Pick<CanvasRenderingContext2D, 'fillStyle' | 'strokeStyle' | 'lineWidth' | 'font' | 'textBaseline' | 'globalAlpha'
  | 'fillRect' | 'fillText' | 'measureText' | 'drawImage' | 'beginPath' | 'moveTo' | 'lineTo' | 'stroke' | 'setLineDash' | 'scale'>;

/** Draws the figure at `ratio` device pixels per CSS pixel: background, title, the chart's canvas, legend, notes. */
export function drawFigure(ctx: FigureContext, layout: FigureLayout, text: FigureText, plot: CanvasImageSource, ratio: number, colors: { background: string; text: string }): void {
  ctx.scale(ratio, ratio);
  ctx.fillStyle = colors.background;
  ctx.fillRect(0, 0, layout.width, layout.height);
  ctx.fillStyle = colors.text;
  ctx.textBaseline = 'alphabetic';
  ctx.font = `600 ${TITLE_PX}px ${FONT}`;
  ctx.fillText(text.title, PAD, layout.titleY);
  // the chart's canvas holds ratio device pixels per CSS pixel already
  ctx.drawImage(plot, 0, layout.plotY, layout.width, layout.plotHeight);
  ctx.font = `${LEGEND_PX}px ${FONT}`;
  for (const { item, x, y } of layout.items) {
    const mid = y - LEGEND_PX / 3;
    if (item.mark === 'band' || item.mark === 'box') {
      ctx.globalAlpha = item.mark === 'band' ? 0.3 : 1;
      ctx.fillStyle = item.color;
      ctx.fillRect(x, mid - 5, KEY_PX, 10);
      ctx.globalAlpha = 1;
    } else {
      ctx.strokeStyle = item.color;
      ctx.lineWidth = 2;
      ctx.setLineDash(item.dash ?? []);
      ctx.beginPath();
      ctx.moveTo(x, mid);
      ctx.lineTo(x + KEY_PX, mid);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.fillStyle = colors.text;
    ctx.fillText(item.label, x + KEY_PX + 6, y);
  }
  ctx.font = `${NOTE_PX}px ${FONT}`;
  for (const n of layout.notes) ctx.fillText(n.text, PAD, n.y);
}

/**
 * Redraws the chart at `ratio` device pixels per CSS pixel, draws it into a figure with its title
 * and legend, and puts the chart back as it was. Chart.js draws synchronously (animation is off),
 * so the visible canvas is never shown at the other density.
 */
export function chartPng(chart: Chart, text: FigureText, opts: { ratio?: number; background?: string } = {}): Promise<Blob> {
  const ratio = opts.ratio ?? FIGURE_PIXEL_RATIO;
  const before = chart.options.devicePixelRatio;
  let out: HTMLCanvasElement;
  try {
    chart.options.devicePixelRatio = ratio;
    chart.resize();
    const src = chart.canvas;
    out = document.createElement('canvas');
    const ctx = out.getContext('2d');
    if (!ctx) throw new Error('this browser cannot draw on a canvas');
    const measure = (t: string, px: number): number => {
      ctx.font = `${px}px ${FONT}`;
      return ctx.measureText(t).width;
    };
    const layout = figureLayout(src.width / ratio, src.height / ratio, text, measure);
    out.width = Math.round(layout.width * ratio);
    out.height = Math.round(layout.height * ratio);
    // resizing a canvas resets its context
    drawFigure(ctx, layout, text, src, ratio, { background: opts.background ?? figureBackground(), text: figureText() });
  } finally {
    chart.options.devicePixelRatio = before;
    chart.resize();
  }
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('the chart could not be encoded as PNG'))), 'image/png'));
}

/** Why images cannot go on the clipboard here, or null when they can. */
export function clipboardProblem(): string | null {
  if (!window.isSecureContext) return tr('charts.toolbar.insecure');
  if (!navigator.clipboard?.write || typeof ClipboardItem === 'undefined') return tr('charts.toolbar.noImages');
  return null;
}

/** Puts a PNG on the clipboard; the Blob may still be in the making (Safari wants it so). */
export async function copyPng(png: Promise<Blob>): Promise<void> {
  await navigator.clipboard.write([new ClipboardItem({ 'image/png': png })]);
}

/** A legend from the chart's own datasets: each shown one with a label, except bands' edges and reference lines (labelled on the plot). */
export function datasetLegend(chart: Chart): LegendItem[] {
  const bars = (chart.config as { type?: string }).type === 'bar';
  return chart.data.datasets.flatMap((d, i) => {
    const marked = d as { reference?: true; band?: string; borderDash?: unknown; showLine?: boolean };
    if (!d.label || marked.reference || marked.band || !chart.isDatasetVisible(i)) return [];
    const color = String(('borderColor' in d && d.borderColor) || d.backgroundColor || '#888');
    const dash = Array.isArray(marked.borderDash) ? (marked.borderDash as number[]) : [];
    return [{ label: d.label, color, dash, mark: bars || marked.showLine === false ? 'box' as const : 'line' as const }];
  });
}
