/**
 * What a hovered step shows, as pure functions of a chart's datasets: the data x nearest the
 * pointer (so the crosshair sits on a logged step), and each shown line's value there. Lines are
 * sorted by x (their points come thinned in order), so each look-up is a binary search.
 */
import { formatValue, type LineDataset } from './chart-lines.ts';
import type { MeanPoint } from './chart-seeds.ts';
import { tr } from '../i18n.ts';

interface XY {
  x: number;
  y: number;
}

/** The index of the point of an x-sorted line nearest x, or -1 for a line without points. */
export function nearestIndex(points: readonly XY[], x: number): number {
  if (points.length === 0) return -1;
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].x < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(points[lo - 1].x - x) <= Math.abs(points[lo].x - x)) return lo - 1;
  return lo;
}

/** the lines a hover reads: shown, and neither a band's edge nor a reference line */
function hoverable(datasets: readonly LineDataset[]): LineDataset[] {
  return datasets.filter((d) => !d.hidden && !d.band && !d.reference && d.data.length > 0);
}

/** The x of the data point nearest x over every shown line, or null when there is none. */
export function snapX(datasets: readonly LineDataset[], x: number): number | null {
  let best: number | null = null;
  for (const d of hoverable(datasets)) {
    const points = d.data as XY[];
    const i = nearestIndex(points, x);
    const px = points[i]?.x;
    if (i >= 0 && Number.isFinite(points[i].y) && (best === null || Math.abs(px - x) < Math.abs(best - x))) best = px;
  }
  return best;
}

export interface HoverRow {
  label: string;
  color: string;
  /** the value as the tooltip writes it, with the sd and seed count of a mean */
  text: string;
  /** where the row's point is (for its marker) */
  x: number;
  y: number;
}

/**
 * Each shown line's point nearest x, for the lines whose points span x (give or take reach, in x
 * units): a seed that stopped at step 400 has no value at step 1,000, but a validation line
 * evaluated every 50 steps shows its nearest evaluation. A mean says how many seeds it averages.
 */
export function hoverRows(datasets: readonly LineDataset[], x: number, reach: number): HoverRow[] {
  const rows: HoverRow[] = [];
  for (const d of hoverable(datasets)) {
    const points = d.data as (XY & Partial<MeanPoint>)[];
    if (x < points[0].x - reach || x > points[points.length - 1].x + reach) continue;
    const p = points[nearestIndex(points, x)];
    if (!Number.isFinite(p.y)) continue;
    let text = formatValue(d.kind, p.y);
    if (typeof p.n === 'number' && typeof p.sd === 'number') text += p.n >= 2 ? tr('charts.hoverSeeds', { sd: formatValue(d.kind, p.sd), n: p.n }) : tr('charts.hoverOneSeed');
    rows.push({ label: d.label ?? '', color: String(d.borderColor ?? '#888'), text, x: p.x, y: p.y });
  }
  return rows;
}
