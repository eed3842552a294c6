/**
 * A transparent canvas laid over a chart for what moves with the pointer: the crosshair at the
 * hovered step, a marker on each line there with a box of their values, and the rectangle being
 * dragged to zoom. Drawing these never redraws the chart beneath (thousands of points per line),
 * so hovering three charts at once costs a few small canvas operations per frame. Saved PNGs take
 * the chart's own canvas and leave the overlay out.
 */
import type { Chart } from 'chart.js';
import { figureBackground } from './chart-image.ts';
import type { HoverRow } from './chart-hover.ts';
import { themeColors } from './chart-setup.ts';
import { tr } from '../i18n.ts';

export interface Selection {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface OverlayState {
  /** the hovered data x, or null */
  x: number | null;
  title: string;
  rows: HoverRow[];
  /** pixels, while a zoom is being dragged */
  selection: Selection | null;
}

const FONT = "12px system-ui, -apple-system, 'Segoe UI', sans-serif";
const ROW_PX = 16;
const BOX_PAD = 6;

export class ChartOverlay {
  readonly canvas: HTMLCanvasElement;

  constructor(private readonly chart: Chart<'line'>) {
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('aria-hidden', 'true');
    this.canvas.className = 'chart-overlay';
    Object.assign(this.canvas.style, { position: 'absolute', left: '0', top: '0', pointerEvents: 'none' });
    chart.canvas.insertAdjacentElement('afterend', this.canvas);
  }

  /** Sizes the overlay as the chart's canvas and returns its context in CSS pixels. */
  private context(): CanvasRenderingContext2D | null {
    const src = this.chart.canvas;
    if (this.canvas.width !== src.width || this.canvas.height !== src.height) {
      this.canvas.width = src.width;
      this.canvas.height = src.height;
    }
    this.canvas.style.width = `${src.clientWidth}px`;
    this.canvas.style.height = `${src.clientHeight}px`;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return null;
    const ratio = src.clientWidth > 0 ? src.width / src.clientWidth : 1;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, src.clientWidth, src.clientHeight);
    return ctx;
  }

  draw(state: OverlayState): void {
    const ctx = this.context();
    const area = this.chart.chartArea;
    const { x: xScale, y: yScale } = this.chart.scales;
    if (!ctx || !area || !xScale || !yScale) return;
    const colors = themeColors();
    if (state.selection) {
      const s = state.selection;
      ctx.fillStyle = 'rgba(59, 130, 246, 0.15)';
      ctx.strokeStyle = 'rgba(59, 130, 246, 0.8)';
      ctx.lineWidth = 1;
      const [x, y, w, h] = [Math.min(s.x0, s.x1), Math.min(s.y0, s.y1), Math.abs(s.x1 - s.x0), Math.abs(s.y1 - s.y0)];
      ctx.fillRect(x, y, w, h);
      ctx.strokeRect(x + 0.5, y + 0.5, w, h);
    }
    if (state.x === null) return;
    const px = xScale.getPixelForValue(state.x);
    if (!(px >= area.left && px <= area.right)) return;
    ctx.strokeStyle = colors.text;
    ctx.globalAlpha = 0.6;
    ctx.lineWidth = 1;
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(Math.round(px) + 0.5, area.top);
    ctx.lineTo(Math.round(px) + 0.5, area.bottom);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
    for (const r of state.rows) {
      const rx = xScale.getPixelForValue(r.x);
      const ry = yScale.getPixelForValue(r.y);
      if (!(ry >= area.top - 1 && ry <= area.bottom + 1)) continue;
      ctx.fillStyle = r.color;
      ctx.beginPath();
      ctx.arc(rx, ry, 3.5, 0, 2 * Math.PI);
      ctx.fill();
    }
    this.drawBox(ctx, px, state, colors.text);
  }

  /** The values at the crosshair, in a box beside it (on the side with room), as many rows as fit. */
  private drawBox(ctx: CanvasRenderingContext2D, px: number, state: OverlayState, text: string): void {
    const area = this.chart.chartArea;
    const fit = Math.max(1, Math.floor((area.bottom - area.top - 2 * BOX_PAD) / ROW_PX) - 1);
    const rows = state.rows.length > fit ? [...state.rows.slice(0, fit - 1), null] : state.rows;
    const lines = [state.title, ...rows.map((r) => (r ? `${r.label}: ${r.text}` : tr('charts.hoverMore', { n: state.rows.length - fit + 1 })))];
    ctx.font = FONT;
    const width = Math.max(...lines.map((l) => ctx.measureText(l).width)) + 2 * BOX_PAD + 12;
    const height = lines.length * ROW_PX + 2 * BOX_PAD - 4;
    const left = px + 12 + width <= area.right ? px + 12 : Math.max(area.left, px - 12 - width);
    const top = area.top + 4;
    ctx.globalAlpha = 0.92;
    ctx.fillStyle = figureBackground();
    ctx.fillRect(left, top, width, height);
    ctx.globalAlpha = 1;
    ctx.strokeStyle = text;
    ctx.lineWidth = 0.5;
    ctx.strokeRect(left + 0.5, top + 0.5, width, height);
    ctx.textBaseline = 'top';
    lines.forEach((line, i) => {
      const y = top + BOX_PAD + i * ROW_PX;
      const row = i > 0 ? rows[i - 1] : null;
      if (row) {
        ctx.fillStyle = row.color;
        ctx.fillRect(left + BOX_PAD, y + 3, 8, 8);
      }
      ctx.fillStyle = text;
      ctx.font = i === 0 ? `600 ${FONT}` : FONT;
      ctx.fillText(line, left + BOX_PAD + (i > 0 ? 12 : 0), y);
    });
  }

  dispose(): void {
    this.canvas.remove();
  }
}
