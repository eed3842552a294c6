/**
 * The charts of one experiment share their x axis, so they share what is done to it: hovering a
 * step on one draws the crosshair and the values at that step on all of them, and dragging across
 * one zooms all of them to that x range (a rectangle taller than a sliver also sets that chart's
 * y range). Double-click, or the Reset zoom control, goes back to the whole range.
 *
 * The pointer is followed with pointer events on the canvas (captured while dragging, so a drag
 * may end outside it), and everything that moves is drawn on each chart's overlay once per
 * animation frame; only a zoom redraws the charts themselves, in place (update('none')).
 */
import type { Chart, Plugin, Scale } from 'chart.js';
import type { LineDataset } from './chart-lines.ts';
import { hoverRows, snapX } from './chart-hover.ts';
import { ChartOverlay, type Selection } from './chart-overlay.ts';
import { tr } from '../i18n.ts';

export interface Range {
  min: number;
  max: number;
}

/** a drag narrower than this (pixels) is a click, not a zoom */
const MIN_DRAG_PX = 5;
/** a drag less tall than this zooms x only */
const MIN_DRAG_HEIGHT_PX = 12;
/** a line shows in the hover box up to this far (pixels) beyond its first and last points */
const HOVER_REACH_PX = 24;

interface Member {
  chart: Chart<'line'>;
  overlay: ChartOverlay;
  /** "step 1,050": the hover box's title */
  title: (x: number) => string;
  selection: Selection | null;
}

export class ChartLink {
  private readonly members = new Set<Member>();
  private hoverX: number | null = null;
  private xRange: Range | null = null;
  private frame: number | null = null;

  /** onZoom hears whether the charts are zoomed, after every change */
  constructor(private readonly onZoom: (zoomed: boolean) => void = () => {}) {}

  get zoomed(): boolean {
    return this.xRange !== null;
  }

  join(m: Member): () => void {
    this.members.add(m);
    if (this.xRange) applyRange(m.chart, this.xRange, null);
    return () => {
      this.members.delete(m);
      m.overlay.dispose();
    };
  }

  hover(x: number | null): void {
    this.hoverX = x;
    this.paintSoon();
  }

  /** Repaints every overlay in the next animation frame (however often asked before it). */
  paintSoon(): void {
    if (this.frame !== null) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.paint();
    });
  }

  private paint(): void {
    const x = this.hoverX;
    for (const m of this.members) {
      const datasets = m.chart.data.datasets as LineDataset[];
      const xScale = m.chart.scales.x;
      const reach = x === null || !xScale ? 0 : Math.abs(xScale.getValueForPixel(xScale.getPixelForValue(x) + HOVER_REACH_PX)! - x);
      // a line logged elsewhere (an evaluation every 50 steps) says where its value is from
      const rows = x === null ? [] : hoverRows(datasets, x, reach).map((r) => (r.x === x ? r : { ...r, text: tr('charts.hoverAt', { text: r.text, x: m.title(r.x) }) }));
      m.overlay.draw({ x, title: x === null ? '' : m.title(x), rows, selection: m.selection });
      // what is shown, for end-to-end tests and tools
      const { dataset } = m.chart.canvas;
      if (x === null) {
        delete dataset.hoverX;
        delete dataset.hover;
      } else {
        dataset.hoverX = String(x);
        dataset.hover = JSON.stringify(rows.map((r) => `${r.label}: ${r.text}`));
      }
    }
  }

  /** Zooms every chart to x; the chart the rectangle was drawn on also to y. */
  zoom(x: Range, y: Range | null, from: Member | null): void {
    this.xRange = x;
    for (const m of this.members) applyRange(m.chart, x, m === from ? y : null);
    this.onZoom(true);
  }

  reset(): void {
    if (!this.xRange && ![...this.members].some((m) => m.chart.options.scales?.y?.min !== undefined)) return;
    this.xRange = null;
    for (const m of this.members) applyRange(m.chart, null, null);
    this.onZoom(false);
  }

  dispose(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
  }
}

function applyRange(chart: Chart<'line'>, x: Range | null, y: Range | null): void {
  const scales = chart.options.scales;
  if (!scales?.x || !scales.y) return;
  scales.x.min = x?.min;
  scales.x.max = x?.max;
  scales.y.min = y?.min;
  scales.y.max = y?.max;
  if (x) chart.canvas.dataset.xRange = `${x.min},${x.max}`;
  else delete chart.canvas.dataset.xRange;
  chart.update('none');
}

/** The data range between two pixels of a scale, low to high. */
function rangeOf(scale: Scale, a: number, b: number): Range {
  const [u, v] = [scale.getValueForPixel(a)!, scale.getValueForPixel(b)!];
  return { min: Math.min(u, v), max: Math.max(u, v) };
}

/**
 * Hover and zoom on one chart, as one of `link`'s charts. The plugin goes into the chart's
 * inline plugins (it repaints the overlay after the chart redraws, e.g. on a resize); attach
 * starts following the pointer once the chart exists and returns the function that stops it.
 */
export function chartInteractions(link: ChartLink, title: (x: number) => string): { plugin: Plugin<'line'>; attach: (chart: Chart<'line'>) => () => void } {
  const plugin: Plugin<'line'> = {
    id: 'linkedHover',
    afterRender: () => link.paintSoon(),
  };
  function attach(chart: Chart<'line'>): () => void {
    const canvas = chart.canvas;
    const m: Member = { chart, overlay: new ChartOverlay(chart), title, selection: null };
    const leave = link.join(m);
    const at = (e: PointerEvent): { x: number; y: number } => {
      const r = canvas.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    const inside = (p: { x: number; y: number }): boolean => {
      const a = chart.chartArea;
      return !!a && p.x >= a.left && p.x <= a.right && p.y >= a.top && p.y <= a.bottom;
    };
    const clamp = (p: { x: number; y: number }): { x: number; y: number } => {
      const a = chart.chartArea;
      return { x: Math.min(a.right, Math.max(a.left, p.x)), y: Math.min(a.bottom, Math.max(a.top, p.y)) };
    };
    const onMove = (e: PointerEvent): void => {
      const p = at(e);
      if (m.selection) {
        const c = clamp(p);
        m.selection = { ...m.selection, x1: c.x, y1: c.y };
        link.paintSoon();
        return;
      }
      const x = inside(p) ? chart.scales.x.getValueForPixel(p.x) : undefined;
      link.hover(x === undefined ? null : snapX(chart.data.datasets as LineDataset[], x));
    };
    const onDown = (e: PointerEvent): void => {
      const p = at(e);
      if (e.button !== 0 || !inside(p)) return;
      e.preventDefault();
      canvas.setPointerCapture(e.pointerId);
      m.selection = { x0: p.x, y0: p.y, x1: p.x, y1: p.y };
      link.hover(null);
    };
    const onUp = (e: PointerEvent): void => {
      const s = m.selection;
      if (!s) return;
      m.selection = null;
      if (canvas.hasPointerCapture(e.pointerId)) canvas.releasePointerCapture(e.pointerId);
      link.paintSoon();
      if (Math.abs(s.x1 - s.x0) < MIN_DRAG_PX) return;
      const y = Math.abs(s.y1 - s.y0) >= MIN_DRAG_HEIGHT_PX ? rangeOf(chart.scales.y, s.y0, s.y1) : null;
      link.zoom(rangeOf(chart.scales.x, s.x0, s.x1), y, m);
    };
    const onCancel = (): void => {
      m.selection = null;
      link.paintSoon();
    };
    const onLeave = (): void => {
      if (!m.selection) link.hover(null);
    };
    const listeners: [string, (e: PointerEvent) => void][] = [
      ['pointermove', onMove], ['pointerdown', onDown], ['pointerup', onUp], ['pointercancel', onCancel], ['pointerleave', onLeave], ['dblclick', () => link.reset()],
    ];
    for (const [type, fn] of listeners) canvas.addEventListener(type, fn as EventListener);
    return () => {
      for (const [type, fn] of listeners) canvas.removeEventListener(type, fn as EventListener);
      leave();
    };
  }
  return { plugin, attach };
}
