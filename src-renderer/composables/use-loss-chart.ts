/**
 * A live line chart of runs' losses (or gradient norms). The Chart instance stays out of Vue's
 * reactivity (markRaw); its datasets are updated in place and redrawn without animation at most
 * four times a second, however fast metrics arrive. Each line is thinned to about two points per
 * pixel of width (min-max per bucket), so 8 runs x 100,000 steps draw as fast as a short run.
 *
 * In 'mean' mode the seeds of each cell are drawn as one mean line with a shaded band of +-1 sample
 * sd (seedLines), at the steps where at least two seeds have a value; a cell with one run is drawn
 * as that run.
 *
 * A loss chart may also draw reference lines (the corpus's baselines, reference-lines.ts): grey,
 * dotted, across the whole plot whatever the x axis, labelled at their right end by a small plugin
 * (reference-label-plugin.ts); the y axis, log or not, makes room for them, and saved PNGs show them.
 */
import type { ChartDataset, ScatterDataPoint, TooltipItem } from 'chart.js';
import { markRaw, onBeforeUnmount, onMounted, watch, type Ref } from 'vue';
import type { Run } from '../../src-main/api/contract.ts';
import { useRunsStore } from '../stores/runs.ts';
import { runLines, seedLines, X_AXIS_LABELS, type ChartMetric, type MeanPoint, type SeriesSpec, type XAxis } from './chart-data.ts';
import { colorIndexes, type RunGroup } from '../../src-shared/seed-groups.ts';
import { applyThemeColors, createLineChart, themeColors, useThemeChange, type Chart } from './chart-setup.ts';
import { referenceLabels } from './reference-label-plugin.ts';
import { referencePoints, xExtent, type ReferenceLine } from '../../src-shared/reference-lines.ts';
import { runColor } from '../../src-shared/run-colors.ts';
import { createRedrawScheduler } from './redraw-scheduler.ts';

export interface LossChartOptions {
  runs: Ref<Run[]>;
  metric: ChartMetric;
  xAxis: Ref<XAxis>;
  /** EMA smoothing, 0..0.99 */
  smoothing: Ref<number>;
  logScale: Ref<boolean>;
  /** runs whose lines are hidden (legend toggles) */
  hidden: Ref<ReadonlySet<number>>;
  /** one line per run, or per cell the mean over its seeds with a band */
  mode?: Ref<LineMode>;
  /** the runs as seeds of their cells (needed in 'mean' mode) */
  groups?: Ref<RunGroup<Run>[]>;
  /** horizontal lines at reference losses, in the chart's unit */
  references?: Ref<ReferenceLine[] | undefined>;
}

export type LineMode = 'runs' | 'mean';

type LineDataset = ChartDataset<'line', ScatterDataPoint[]> & { key: string; band?: 'upper' | 'lower'; reference?: true };

export interface ChartLine {
  spec: SeriesSpec;
  color: string;
  label: string;
  hidden: boolean;
}

const KIND_LABELS: Record<SeriesSpec['kind'], string> = { val: 'val', train: 'train', gradNorm: 'grad norm', longRange: 'long-range accuracy' };

/** a colour with opacity, for the band: '#3b82f6' -> '#3b82f62e' */
function translucent(color: string, alpha: number): string {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}${Math.round(alpha * 255).toString(16).padStart(2, '0')}` : color;
}

export const REDRAW_INTERVAL_MS = 250;

/** points per line: two per pixel is all a min-max line can show */
export function pointBudget(widthPx: number): number {
  return Math.max(200, Math.min(4000, Math.round(widthPx * 2)));
}

/** The datasets for these runs, reusing the previous objects by key so Chart.js updates in place. */
const Y_AXIS_LABELS: Record<ChartMetric, string> = {
  loss: 'loss (nats/char)',
  gradNorm: 'gradient norm (before clipping)',
  longRange: 'accuracy where long-range memory is needed',
};

export function buildDatasets(previous: readonly LineDataset[], lines: ChartLine[]): LineDataset[] {
  const byKey = new Map(previous.map((d) => [d.key, d]));
  return lines.map(({ spec, color, label, hidden }) => {
    const key = spec.key;
    const val = spec.kind === 'val';
    const ds = byKey.get(key) ?? {
      key,
      type: 'line' as const,
      label,
      data: [],
      borderWidth: spec.band ? 0 : val ? 2 : 1.5,
      borderDash: val ? [6, 4] : [],
      pointRadius: val && !spec.band ? 2.5 : 0,
      pointHoverRadius: spec.band ? 0 : 4,
      tension: 0,
      spanGaps: true,
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
      for (const spec of linesOf([run], null)) lines.push({ spec, color: runColor(colors[index]), label: `${run.id} ${run.cell} s${run.seed} ${KIND_LABELS[spec.kind]}`, hidden: hidden.has(run.id) });
    });
    return lines;
  }
  groups.forEach((g, index) => {
    const color = runColor(index);
    const off = g.runs.every((r) => hidden.has(r.id));
    if (g.runs.length < 2) {
      for (const run of g.runs) {
        for (const spec of linesOf([run], null)) lines.push({ spec, color, label: `${g.label} s${run.seed} ${KIND_LABELS[spec.kind]}`, hidden: off });
      }
      return;
    }
    for (const spec of linesOf(g.runs, g.key)) {
      const what = KIND_LABELS[spec.kind];
      const label = spec.band ? `${g.label} ${what} ${spec.band === 'upper' ? '+' : '−'}1 sd` : `${g.label} mean ${what}`;
      lines.push({ spec, color, label, hidden: off });
    }
  });
  return lines;
}

/** The tooltip of a mean point: mean +- sd and over how many seeds; other points as Chart.js says. */
export function tooltipLabel(item: TooltipItem<'line'>): string {
  const raw = item.raw as Partial<MeanPoint>;
  const label = item.dataset.label ?? '';
  if (typeof raw?.n === 'number' && typeof raw.sd === 'number') return `${label}: ${(item.parsed.y ?? NaN).toFixed(3)} ± ${raw.sd.toFixed(3)} (mean ± sd of ${raw.n} seeds)`;
  return `${label}: ${item.formattedValue}`;
}

export function useLossChart(canvas: Ref<HTMLCanvasElement | null>, opts: LossChartOptions) {
  const runsStore = useRunsStore();
  let chart: Chart<'line', ScatterDataPoint[]> | null = null;
  let referenceColor = themeColors().text;

  function draw(): void {
    if (!chart) return;
    const width = canvas.value?.clientWidth || 800;
    const budget = pointBudget(width);
    const [metric, xAxis, smoothing] = [opts.metric, opts.xAxis.value, opts.smoothing.value];
    const lines = chartLines(opts.runs.value, opts.groups?.value ?? [], opts.mode?.value ?? 'runs', opts.hidden.value, (runs, groupKey) => (groupKey === null
      ? runLines(runs[0].id, runsStore.seriesOf(runs[0].id), metric, xAxis, smoothing, budget)
      : seedLines(groupKey, runs.map((r) => runsStore.seriesOf(r.id)), metric, xAxis, smoothing, budget)));
    const previous = chart.data.datasets as LineDataset[];
    const runDatasets = buildDatasets(previous, lines);
    const refs = buildReferenceDatasets(previous, opts.references?.value ?? [], xExtent(runDatasets), referenceColor);
    chart.data.datasets = [...runDatasets, ...refs];
    // what is drawn, for end-to-end tests and tools: {"<label>": points, ...}
    if (canvas.value) canvas.value.dataset.points = JSON.stringify(Object.fromEntries(chart.data.datasets.map((d) => [d.label ?? '', d.data.length])));
    const x = chart.options.scales?.x;
    if (x && 'title' in x && x.title) x.title.text = X_AXIS_LABELS[opts.xAxis.value];
    chart.update('none');
  }

  const scheduler = createRedrawScheduler(draw, REDRAW_INTERVAL_MS);

  function applyScale(): void {
    if (!chart?.options.scales?.y) return;
    chart.options.scales.y.type = opts.logScale.value ? 'logarithmic' : 'linear';
    chart.update('none');
  }

  function applyTheme(): void {
    if (!chart) return;
    const c = themeColors();
    referenceColor = c.text;
    for (const ds of chart.data.datasets as LineDataset[]) {
      if (ds.reference) ds.borderColor = ds.backgroundColor = c.text;
    }
    applyThemeColors(chart, c);
    chart.update('none');
  }

  onMounted(() => {
    const ctx = canvas.value?.getContext('2d');
    if (!ctx) return;
    chart = markRaw(createLineChart(ctx, {
      xTitle: X_AXIS_LABELS[opts.xAxis.value],
      yTitle: Y_AXIS_LABELS[opts.metric],
      yLog: opts.logScale.value && opts.metric !== 'longRange',
      interaction: { mode: 'nearest', intersect: false, axis: 'x' },
      plugins: {
        // our own legend (RunLegend) toggles runs; Chart.js' would list train and val twice
        legend: { display: false },
        decimation: { enabled: true, algorithm: 'lttb', samples: 1000 },
        tooltip: {
          enabled: true,
          // a band's edges are not points of their own: the mean's tooltip gives the sd; a
          // reference line's label already says its value
          filter: (item) => !(item.dataset as LineDataset).band && !(item.dataset as LineDataset).reference,
          callbacks: { label: tooltipLabel },
        },
      },
      inlinePlugins: [referenceLabels],
    }));
    draw();
  });

  watch(() => runsStore.revision, () => scheduler.request());
  const groupsKey = (): string => (opts.groups?.value ?? []).map((g) => `${g.key}=${g.runs.map((r) => r.id).join('+')}`).join(',');
  watch([() => opts.runs.value.map((r) => r.id).join(','), groupsKey, () => opts.mode?.value, opts.xAxis, opts.smoothing, opts.hidden], () => scheduler.request());
  watch(() => (opts.references?.value ?? []).map((r) => `${r.key}=${r.value}`).join(','), () => scheduler.request());
  watch(opts.logScale, applyScale);
  useThemeChange(applyTheme);

  onBeforeUnmount(() => {
    scheduler.dispose();
    chart?.destroy();
    chart = null;
  });

  return {
    redrawNow: () => scheduler.flush(),
    /** the chart with every pending update drawn (for saving it as an image), or null before mount */
    chart: (): Chart | null => {
      scheduler.flush();
      return chart as Chart | null;
    },
  };
}
