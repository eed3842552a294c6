/**
 * A Chart.js plugin that draws the reference lines (datasets marked `reference`, which Chart.js
 * itself does not draw) across the whole plot, beneath the runs' lines, and writes each one's label
 * ("5-gram (Kneser-Ney) 1.58") at its right end, just above it, on a translucent patch of the page's
 * colour so a run's line passing under it does not make it unreadable. Labels of close lines are
 * spread apart inside the plot, none overlapping. The lines span the plot rather than the runs'
 * points because the x axis ends on a round tick past the last point. Drawn on the canvas, so
 * saved and copied PNGs carry them.
 */
import type { Chart, Plugin } from 'chart.js';
import { figureBackground } from './chart-image.ts';
import { spreadLabels } from '../../src-shared/reference-lines.ts';

const FONT_PX = 11;
/** height of one label, with its patch */
const LABEL_PX = FONT_PX + 3;

interface ReferenceDataset {
  label?: string;
  reference?: true;
  borderColor?: unknown;
  borderWidth?: unknown;
  borderDash?: unknown;
  data: { y: number }[];
}

interface ShownReference {
  label: string;
  /** pixel row of the line */
  y: number;
  color: string;
  width: number;
  dash: number[];
}

/** The reference lines shown and in view, with their pixel rows; none before the chart has its scales. */
function shownReferences(chart: Chart<'line'>): ShownReference[] {
  const scale = chart.scales.y;
  if (!scale || !chart.chartArea) return [];
  return (chart.data.datasets as unknown as ReferenceDataset[]).flatMap((d, i) => {
    if (!d.reference || d.data.length === 0 || !chart.isDatasetVisible(i)) return [];
    const y = scale.getPixelForValue(d.data[0].y);
    // a zoomed axis may leave the line out of view: then it has no label either
    if (!Number.isFinite(y) || y < chart.chartArea.top - 0.5 || y > chart.chartArea.bottom + 0.5) return [];
    return [{
      label: d.label ?? '',
      y,
      color: String(d.borderColor ?? '#666'),
      width: typeof d.borderWidth === 'number' ? d.borderWidth : 1,
      dash: Array.isArray(d.borderDash) ? (d.borderDash as number[]) : [],
    }];
  });
}

export const referenceLabels: Plugin<'line'> = {
  id: 'referenceLabels',
  beforeDatasetsDraw(chart: Chart<'line'>) {
    const refs = shownReferences(chart);
    if (refs.length === 0) return;
    const { ctx, chartArea: area } = chart;
    ctx.save();
    ctx.beginPath();
    ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
    ctx.clip();
    for (const r of refs) {
      ctx.strokeStyle = r.color;
      ctx.lineWidth = r.width;
      ctx.setLineDash(r.dash);
      ctx.beginPath();
      ctx.moveTo(area.left, r.y);
      ctx.lineTo(area.right, r.y);
      ctx.stroke();
    }
    ctx.restore();
  },
  afterDatasetsDraw(chart: Chart<'line'>) {
    const refs = shownReferences(chart);
    if (refs.length === 0) return;
    const { ctx, chartArea: area } = chart;
    // the text's bottom just above its line, kept inside the plot
    const at = spreadLabels(refs.map((r) => r.y - 2), LABEL_PX, area.top + LABEL_PX, area.bottom - 2);
    ctx.save();
    ctx.font = `${FONT_PX}px system-ui, -apple-system, 'Segoe UI', sans-serif`;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'bottom';
    const background = figureBackground();
    const right = area.right - 4;
    refs.forEach((r, k) => {
      const width = ctx.measureText(r.label).width;
      ctx.globalAlpha = 0.8;
      ctx.fillStyle = background;
      ctx.fillRect(right - width - 3, at[k] - LABEL_PX + 1, width + 6, LABEL_PX);
      ctx.globalAlpha = 1;
      ctx.fillStyle = r.color;
      ctx.fillText(r.label, right, at[k]);
    });
    ctx.restore();
  },
};
