/**
 * The sweep's Chart.js datasets and axes, from the views' data (src-shared/sweep-views.ts): dots
 * as point-only datasets (a cell's colour; hollow for runs the halving rule stopped), a box as
 * line segments, the expected best as a line over a filled band. Pure, so tests
 * read exactly what the charts draw.
 */
import { runColor } from '../../src-shared/run-colors.ts';
import { expectedBestCurve, type ScatterPanel, type SettingAxis, type StripCell } from '../../src-shared/sweep-views.ts';
import { tr } from '../i18n.ts';
import { cellName } from './run-text.ts';

/** A point a tooltip can name: the run behind it. */
export interface SweepPoint {
  x: number;
  y: number;
  runId?: number;
  stopped?: boolean;
}

export interface SweepDataset {
  key: string;
  label: string;
  data: SweepPoint[];
  color: string;
  /** the fill inside a dot: the colour, or none for a ring */
  fill: string;
  showLine: boolean;
  pointRadius: number;
  width: number;
  /** fill down to the dataset before it (a band's upper edge over its lower) */
  band?: boolean;
  /** the tooltip skips it (boxes and bands) */
  quiet?: boolean;
}

export interface SweepAxis {
  kind: 'linear' | 'log' | 'category';
  title: string;
  categories?: string[];
  min?: number;
  max?: number;
}

const HOLLOW = 'transparent';

function dots(key: string, label: string, color: string, points: SweepPoint[]): SweepDataset {
  return { key, label, data: points, color, fill: color, showLine: false, pointRadius: 3.5, width: 1.5 };
}

/**
 * A cell's dots: completed filled, stopped as rings, each set its own dataset so both can be
 * styled. Sorted by x: with parsing off, Chart.js takes a dataset as sorted when it looks for the
 * points inside the axis' bounds.
 */
function cellDots(prefix: string, cell: string, index: number, points: SweepPoint[]): SweepDataset[] {
  const color = runColor(index);
  const byX = [...points].sort((a, b) => a.x - b.x);
  const done = byX.filter((p) => !p.stopped);
  const stopped = byX.filter((p) => p.stopped);
  const out = [dots(`${prefix}:${cell}:done`, cellName(cell), color, done)];
  if (stopped.length) out.push({ ...dots(`${prefix}:${cell}:stopped`, tr('sweep.stoppedDots', { cell: cellName(cell) }), color, stopped), fill: HOLLOW });
  return out;
}

/** How wide a box is, in cells (the strip is STRIP_WIDTH wide). */
const BOX_HALF = 0.3;

/**
 * A cell's box as line segments, one dataset each with its points in x order (see cellDots): the
 * box's four sides, the median, and each whisker with its cap.
 */
function boxSegments(c: StripCell): SweepDataset[] {
  const b = c.box!;
  const color = runColor(c.index);
  const [l, r, x, cap] = [c.index - BOX_HALF, c.index + BOX_HALF, c.index, BOX_HALF / 2];
  const segments: [string, SweepPoint, SweepPoint][] = [
    ['bottom', { x: l, y: b.q1 }, { x: r, y: b.q1 }], ['top', { x: l, y: b.q3 }, { x: r, y: b.q3 }],
    ['left', { x: l, y: b.q1 }, { x: l, y: b.q3 }], ['right', { x: r, y: b.q1 }, { x: r, y: b.q3 }],
    ['median', { x: l, y: b.median }, { x: r, y: b.median }],
    ['high', { x, y: b.q3 }, { x, y: b.high }], ['high-cap', { x: x - cap, y: b.high }, { x: x + cap, y: b.high }],
    ['low', { x, y: b.q1 }, { x, y: b.low }], ['low-cap', { x: x - cap, y: b.low }, { x: x + cap, y: b.low }],
  ];
  return segments.map(([part, p, q]) => ({
    key: `box:${c.cell}:${part}`, label: tr('sweep.strip.box', { cell: cellName(c.cell) }), data: [p, q], color, fill: color, showLine: true, pointRadius: 0, width: part === 'median' ? 2.5 : 1.5, quiet: true,
  }));
}

export function stripDatasets(cells: readonly StripCell[]): SweepDataset[] {
  return cells.flatMap((c) => [...(c.box ? boxSegments(c) : []), ...cellDots('strip', c.cell, c.index, c.dots.map((d) => ({ x: d.x, y: d.y, runId: d.runId, stopped: d.stopped })))]);
}

export function stripAxes(cells: readonly StripCell[]): { x: SweepAxis; y: SweepAxis } {
  return {
    x: { kind: 'category', title: tr('sweep.strip.xAxis'), categories: cells.map((c) => cellName(c.cell)) },
    y: { kind: 'linear', title: tr('sweep.strip.yAxis') },
  };
}

export function expectedBestDatasets(cells: readonly { cell: string; expectedBest: number[]; expectedBestSd: number[] }[]): SweepDataset[] {
  return cells.flatMap((c, index) => {
    const color = runColor(index);
    const curve = expectedBestCurve(c.expectedBest, c.expectedBestSd);
    const base = { fill: color, pointRadius: 0, width: 0, showLine: true, quiet: true };
    return [
      { ...base, key: `eb:${c.cell}:lo`, label: tr('sweep.expectedBest.minusSd', { cell: cellName(c.cell) }), color, data: curve.map((p) => ({ x: p.n, y: p.lo })) },
      { ...base, key: `eb:${c.cell}:hi`, label: tr('sweep.expectedBest.plusSd', { cell: cellName(c.cell) }), color, data: curve.map((p) => ({ x: p.n, y: p.hi })), band: true },
      { key: `eb:${c.cell}`, label: cellName(c.cell), color, fill: color, showLine: true, pointRadius: curve.length === 1 ? 3 : 0, width: 2, data: curve.map((p) => ({ x: p.n, y: p.mean })) },
    ];
  });
}

export function settingAxis(axis: SettingAxis): SweepAxis {
  if (axis.kind === 'category') return { kind: 'category', title: axis.label, categories: axis.categories };
  return { kind: axis.kind, title: axis.kind === 'log' ? tr('sweep.logScale', { label: axis.label }) : axis.label, min: axis.min, max: axis.max };
}

export function scatterDatasets(panel: ScatterPanel): SweepDataset[] {
  return panel.cells.flatMap((c) => cellDots(`scatter:${panel.axis.name}`, c.cell, c.index, c.points));
}

/** A band's fill: the colour at a low opacity (the palette is #rrggbb). */
export function bandColor(color: string): string {
  return `${color}33`;
}
