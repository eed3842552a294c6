/**
 * What a run chart hands Chart.js, as pure functions: one line per run, or per cell the mean over
 * its seeds with a band; the datasets they become (reused by key, so Chart.js updates in place);
 * the reference lines' datasets; and the legend a saved figure carries.
 */
import type { ChartDataset, ScatterDataPoint } from 'chart.js';
import type { Run } from '../../src-main/api/contract.ts';
import { formatInt } from '../../src-shared/format.ts';
import { referencePoints, type ReferenceLine } from '../../src-shared/reference-lines.ts';
import { runColor } from '../../src-shared/run-colors.ts';
import { colorIndexes, type RunGroup } from '../../src-shared/seed-groups.ts';
import type { LineKind, SeriesSpec } from './chart-data.ts';
import { tr } from '../i18n.ts';
import type { LegendItem } from './chart-image.ts';
import { seedName, seedsName } from './run-text.ts';

export type LineMode = 'runs' | 'mean';

export type LineDataset = ChartDataset<'line', ScatterDataPoint[]> & { key: string; kind?: LineKind; band?: 'upper' | 'lower'; reference?: true };

export interface ChartLine {
  spec: SeriesSpec;
  color: string;
  label: string;
  /** what the legend calls the run or cell the line belongs to ("LSTM, 3 seeds", "lstm s1 #4") */
  entity: string;
  hidden: boolean;
}

const KIND_LABELS: Record<LineKind, () => string> = {
  val: () => tr('charts.kind.val'),
  train: () => tr('charts.kind.train'),
  gradNorm: () => tr('charts.kind.gradNorm'),
  longRange: () => tr('charts.kind.longRange'),
};

/** a colour with opacity, for the band: '#3b82f6' -> '#3b82f62e' */
function translucent(color: string, alpha: number): string {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}${Math.round(alpha * 255).toString(16).padStart(2, '0')}` : color;
}

/** points per line: two per pixel is all a min-max line can show */
export function pointBudget(widthPx: number): number {
  return Math.max(200, Math.min(4000, Math.round(widthPx * 2)));
}

/** The datasets for these lines, reusing the previous objects by key so Chart.js updates in place. */
export function buildDatasets(previous: readonly LineDataset[], lines: readonly ChartLine[]): LineDataset[] {
  const byKey = new Map(previous.map((d) => [d.key, d]));
  return lines.map(({ spec, color, label, hidden }) => {
    const key = spec.key;
    const val = spec.kind === 'val';
    const ds = byKey.get(key) ?? {
      key,
      kind: spec.kind,
      type: 'line' as const,
      label,
      data: [],
      borderWidth: spec.band ? 0 : val ? 2 : 1.5,
      borderDash: val ? [6, 4] : [],
      pointRadius: val && !spec.band ? 2.5 : 0,
      pointHoverRadius: spec.band ? 0 : 4,
      tension: 0,
      // a band has no value where fewer than two seeds have one: it must stop there, not bridge it
      spanGaps: !spec.band,
      normalized: true,
      parsing: false as const,
      // the lower edge fills up to the upper edge, the dataset just before it
      fill: spec.band === 'lower' ? '-1' : false,
      ...(spec.band ? { band: spec.band } : {}),
    };
    ds.label = label;
    ds.borderColor = color;
    ds.backgroundColor = spec.band ? translucent(color, val ? 0.12 : 0.2) : color;
    ds.hidden = hidden;
    ds.data = spec.points;
    return ds;
  });
}

/**
 * The reference lines as datasets with two points at the runs' x extent (none before any run has a
 * point). The datasets put their values in the y range, the tooltip filter and data-points; Chart.js
 * does not draw them (showLine false): the referenceLabels plugin draws each one across the whole
 * plot, beneath the runs, in its borderColor, borderWidth and borderDash.
 */
export function buildReferenceDatasets(previous: readonly LineDataset[], refs: readonly ReferenceLine[], extent: { min: number; max: number } | null, color: string): LineDataset[] {
  if (!extent) return [];
  const byKey = new Map(previous.map((d) => [d.key, d]));
  return refs.map((r) => {
    const key = `ref:${r.key}`;
    const ds = byKey.get(key) ?? {
      key,
      type: 'line' as const,
      label: r.label,
      data: [],
      reference: true as const,
      showLine: false,
      borderWidth: 1.25,
      borderDash: [2, 3],
      pointRadius: 0,
      pointHoverRadius: 0,
      tension: 0,
      normalized: true,
      parsing: false as const,
      fill: false,
    };
    ds.label = r.label;
    ds.borderColor = color;
    ds.backgroundColor = color;
    ds.data = referencePoints(r.value, extent);
    return ds;
  });
}

/**
 * Per run its lines; or per group of seeds the mean and band, a group of one run as that run.
 * linesOf gives the lines of one run (groupKey null) or of a group's seeds.
 */
export function chartLines(runs: readonly Run[], groups: readonly RunGroup<Run>[], mode: LineMode, hidden: ReadonlySet<number>, linesOf: (runs: Run[], groupKey: string | null) => SeriesSpec[]): ChartLine[] {
  const lines: ChartLine[] = [];
  if (mode === 'runs') {
    const colors = colorIndexes(runs);
    runs.forEach((run, index) => {
      const seed = seedName(run);
      const entity = tr('charts.runEntity', { cell: run.cell, seed, id: run.id });
      for (const spec of linesOf([run], null)) {
        lines.push({ spec, color: runColor(colors[index]), label: tr('charts.runLine', { id: run.id, cell: run.cell, seed, kind: KIND_LABELS[spec.kind]() }), entity, hidden: hidden.has(run.id) });
      }
    });
    return lines;
  }
  groups.forEach((g, index) => {
    const color = runColor(index);
    const off = g.runs.every((r) => hidden.has(r.id));
    if (g.runs.length < 2) {
      for (const run of g.runs) {
        const seed = seedName(run);
        const entity = tr('charts.seedEntity', { label: g.label, seed });
        for (const spec of linesOf([run], null)) lines.push({ spec, color, label: tr('charts.seedLine', { label: g.label, seed, kind: KIND_LABELS[spec.kind]() }), entity, hidden: off });
      }
      return;
    }
    const entity = tr('charts.meanEntity', { label: g.label, seeds: seedsName(g.runs) });
    for (const spec of linesOf(g.runs, g.key)) {
      const named = { label: g.label, kind: KIND_LABELS[spec.kind]() };
      const label = spec.band ? (spec.band === 'upper' ? tr('charts.bandUpper', named) : tr('charts.bandLower', named)) : tr('charts.meanLine', named);
      lines.push({ spec, color, label, entity, hidden: off });
    }
  });
  return lines;
}

/** grey keys for what a line's style means, whatever its colour */
const STYLE_KEY = '#7c8190';

/**
 * A saved figure's legend: each run or cell shown, in its colour; then, when the chart has them,
 * what solid and dashed lines are and what the band is. Reference lines are labelled on the plot.
 */
export function figureLegend(lines: readonly ChartLine[]): LegendItem[] {
  const shown = lines.filter((l) => !l.hidden);
  const items: LegendItem[] = [];
  const seen = new Set<string>();
  for (const l of shown) {
    if (l.spec.band || seen.has(l.entity)) continue;
    seen.add(l.entity);
    items.push({ label: l.entity, color: l.color });
  }
  const kinds = new Set(shown.map((l) => l.spec.kind));
  if (kinds.has('train')) items.push({ label: tr('charts.figureTrain'), color: STYLE_KEY });
  if (kinds.has('val')) items.push({ label: tr('charts.figureVal'), color: STYLE_KEY, dash: [6, 4] });
  if (shown.some((l) => l.spec.band && l.spec.points.length > 0)) items.push({ label: tr('charts.figureBand'), color: STYLE_KEY, mark: 'band' });
  return items;
}

/** How a value of this kind reads: accuracy in percent, losses and norms in three decimals. */
export function formatValue(kind: LineKind | undefined, y: number): string {
  return kind === 'longRange' ? `${(y * 100).toFixed(1)}%` : y.toFixed(3);
}

/** What the hover box says of a step ("step 1,050", "training time (s) 12.5"). */
export function hoverTitle(x: number, xLabel: string): string {
  return `${xLabel} ${Number.isInteger(x) ? formatInt(x) : x.toFixed(1)}`;
}
