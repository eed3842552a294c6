/**
 * A live line chart of runs' losses, gradient norms or long-range accuracy. The Chart instance
 * stays out of Vue's reactivity (markRaw); its datasets are updated in place and redrawn without
 * animation at most four times a second, however fast metrics arrive. Each line is thinned to
 * about two points per pixel of width (min-max per bucket), so 8 runs x 100,000 steps draw as fast
 * as a short run.
 *
 * In 'mean' mode the seeds of each cell are drawn as one mean line over the seeds present at each
 * step, with a shaded band of +-1 sample sd where two or more are (chart-seeds.ts); a cell with
 * one run is drawn as that run.
 *
 * Reference lines (the corpus's baselines on the loss chart, chance on the accuracy chart) are
 * grey, dotted, across the whole plot whatever the x axis, labelled at their right end by a small
 * plugin (reference-label-plugin.ts); the y axis makes room for them, and saved PNGs show them.
 * Hover and zoom are shared with the experiment's other charts through a ChartLink (chart-link.ts);
 * Chart.js' own pointer handling is off, so hovering never redraws the lines.
 */
import type { ScatterDataPoint } from 'chart.js';
import { markRaw, onBeforeUnmount, onMounted, watch, type Ref } from 'vue';
import type { Run } from '../../src-main/api/contract.ts';
import { currentLang, tr } from '../i18n.ts';
import { useRunsStore } from '../stores/runs.ts';
import { runLines, type ChartMetric, type XAxis } from './chart-data.ts';
import { buildDatasets, buildReferenceDatasets, chartLines, figureLegend, pointBudget, hoverTitle, type ChartLine, type LineDataset, type LineMode } from './chart-lines.ts';
import { chartInteractions, ChartLink } from './chart-link.ts';
import { seedLines } from './chart-seeds.ts';
import type { RunGroup } from '../../src-shared/seed-groups.ts';
import { applyThemeColors, createLineChart, themeColors, useThemeChange, type Chart } from './chart-setup.ts';
import type { LegendItem } from './chart-image.ts';
import { referenceLabels } from './reference-label-plugin.ts';
import { xExtent, type ReferenceLine } from '../../src-shared/reference-lines.ts';
import { createRedrawScheduler } from './redraw-scheduler.ts';

export interface LossChartOptions {
  runs: Ref<Run[]>;
  metric: ChartMetric;
  xAxis: Ref<XAxis>;
  /** EMA smoothing, 0..0.99 */
  smoothing: Ref<number>;
  /** the loss and gradient-norm charts; accuracy stays linear, 0 to 100% */
  logScale: Ref<boolean>;
  /** runs whose lines are hidden (legend toggles) */
  hidden: Ref<ReadonlySet<number>>;
  /** one line per run, or per cell the mean over its seeds with a band */
  mode?: Ref<LineMode>;
  /** the runs as seeds of their cells (needed in 'mean' mode) */
  groups?: Ref<RunGroup<Run>[]>;
  /** horizontal lines at reference values, in the chart's unit */
  references?: Ref<ReferenceLine[] | undefined>;
  /** the charts this one shares hover and zoom with (alone when absent) */
  link?: ChartLink;
}

export const REDRAW_INTERVAL_MS = 250;

/** The x axes a chart offers, by name. */
export function xAxisLabels(): Record<XAxis, string> {
  return { step: tr('charts.xAxes.step'), chars: tr('charts.xAxes.chars'), time: tr('charts.xAxes.time') };
}

function yAxisLabel(metric: ChartMetric): string {
  switch (metric) {
    case 'loss': return tr('charts.loss.yAxis');
    case 'gradNorm': return tr('charts.gradNorm.yAxis');
    case 'longRange': return tr('charts.longRange.yAxis');
  }
}

const percent = (v: number | string): string => `${+(Number(v) * 100).toFixed(1)}%`;

export function useLossChart(canvas: Ref<HTMLCanvasElement | null>, opts: LossChartOptions) {
  const runsStore = useRunsStore();
  let chart: Chart<'line', ScatterDataPoint[]> | null = null;
  let referenceColor = themeColors().text;
  let lines: ChartLine[] = [];
  const accuracy = opts.metric === 'longRange';
  const link = opts.link ?? new ChartLink();
  const interactions = chartInteractions(link, (x) => hoverTitle(x, xAxisLabels()[opts.xAxis.value]));
  let detach: (() => void) | null = null;

  function draw(): void {
    if (!chart) return;
    const width = canvas.value?.clientWidth || 800;
    const budget = pointBudget(width);
    const [metric, xAxis, smoothing] = [opts.metric, opts.xAxis.value, opts.smoothing.value];
    lines = chartLines(opts.runs.value, opts.groups?.value ?? [], opts.mode?.value ?? 'runs', opts.hidden.value, (runs, groupKey) => (groupKey === null
      ? runLines(runs[0].id, runsStore.seriesOf(runs[0].id), metric, xAxis, smoothing, budget)
      : seedLines(groupKey, runs.map((r) => runsStore.seriesOf(r.id)), metric, xAxis, smoothing, budget)));
    const previous = chart.data.datasets as LineDataset[];
    const runDatasets = buildDatasets(previous, lines);
    const refs = buildReferenceDatasets(previous, opts.references?.value ?? [], xExtent(runDatasets), referenceColor);
    chart.data.datasets = [...runDatasets, ...refs];
    // what is drawn, for end-to-end tests and tools: {"<label>": points, ...} and {"<label>": [first x, last x], ...}
    if (canvas.value) {
      canvas.value.dataset.points = JSON.stringify(Object.fromEntries(chart.data.datasets.map((d) => [d.label ?? '', d.data.length])));
      canvas.value.dataset.extent = JSON.stringify(Object.fromEntries(chart.data.datasets.flatMap((d) => (d.data.length ? [[d.label ?? '', [d.data[0].x, d.data[d.data.length - 1].x]]] : []))));
    }
    const { x, y } = chart.options.scales ?? {};
    if (x && 'title' in x && x.title) x.title.text = xAxisLabels()[opts.xAxis.value];
    if (y && 'title' in y && y.title) y.title.text = yAxisLabel(opts.metric);
    chart.update('none');
  }

  const scheduler = createRedrawScheduler(draw, REDRAW_INTERVAL_MS);

  function applyScale(): void {
    if (!chart?.options.scales?.y || accuracy) return;
    chart.options.scales.y.type = opts.logScale.value ? 'logarithmic' : 'linear';
    // a zoomed y range in the other scale's terms would mislead
    link.reset();
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
      xTitle: xAxisLabels()[opts.xAxis.value],
      yTitle: yAxisLabel(opts.metric),
      yLog: opts.logScale.value && !accuracy,
      // the link draws hover on an overlay: Chart.js need not hear the pointer at all
      events: [],
      plugins: {
        // our own legend (RunLegend) toggles runs; Chart.js' would list train and val twice
        legend: { display: false },
        tooltip: { enabled: false },
      },
      inlinePlugins: [referenceLabels, interactions.plugin],
    }));
    const y = chart.options.scales?.y;
    if (accuracy && y) {
      // chance and perfect recall both in view; a zoom's range overrides these
      y.suggestedMin = 0;
      y.suggestedMax = 1;
      if (y.ticks) y.ticks.callback = percent;
    }
    detach = interactions.attach(chart);
    draw();
  });

  watch(() => runsStore.revision, () => scheduler.request());
  const groupsKey = (): string => (opts.groups?.value ?? []).map((g) => `${g.key}=${g.runs.map((r) => r.id).join('+')}`).join(',');
  watch([() => opts.runs.value.map((r) => r.id).join(','), groupsKey, () => opts.mode?.value, opts.xAxis, opts.smoothing, opts.hidden], () => scheduler.request());
  watch(() => (opts.references?.value ?? []).map((r) => `${r.key}=${r.value}`).join(','), () => scheduler.request());
  watch(opts.logScale, applyScale);
  // the axes and the lines' names are in the app's language
  watch(currentLang, () => scheduler.request());
  useThemeChange(applyTheme);

  onBeforeUnmount(() => {
    scheduler.dispose();
    detach?.();
    if (!opts.link) link.dispose();
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
    /** the legend of the lines drawn now, for a saved figure */
    legend: (): LegendItem[] => {
      scheduler.flush();
      return figureLegend(lines);
    },
  };
}
