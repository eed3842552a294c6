/**
 * A live line chart of runs' losses (or gradient norms). The Chart instance stays out of Vue's
 * reactivity (markRaw); its datasets are updated in place and redrawn without animation at most
 * four times a second, however fast metrics arrive. Each line is thinned to about two points per
 * pixel of width (min-max per bucket), so 8 runs x 100,000 steps draw as fast as a short run.
 */
import type { ChartDataset, ScatterDataPoint } from 'chart.js';
import { markRaw, onBeforeUnmount, onMounted, watch, type Ref } from 'vue';
import type { Run } from '../../src-main/api/contract.ts';
import { useRunsStore } from '../stores/runs.ts';
import { runColor, runLines, X_AXIS_LABELS, type ChartMetric, type SeriesSpec, type XAxis } from './chart-data.ts';
import { Chart, themeColors, useThemeChange } from './chart-setup.ts';
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
}

type LineDataset = ChartDataset<'line', ScatterDataPoint[]> & { key: string };

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

export function buildDatasets(previous: readonly LineDataset[], lines: { spec: SeriesSpec; color: string; label: string; hidden: boolean }[]): LineDataset[] {
  const byKey = new Map(previous.map((d) => [d.key, d]));
  return lines.map(({ spec, color, label, hidden }) => {
    const key = `${spec.runId}:${spec.kind}`;
    const ds = byKey.get(key) ?? {
      key,
      type: 'line' as const,
      label,
      data: [],
      borderWidth: spec.kind === 'val' ? 2 : 1.5,
      borderDash: spec.kind === 'val' ? [6, 4] : [],
      pointRadius: spec.kind === 'val' ? 2.5 : 0,
      pointHoverRadius: 4,
      tension: 0,
      spanGaps: true,
      normalized: true,
      parsing: false as const,
    };
    ds.label = label;
    ds.borderColor = color;
    ds.backgroundColor = color;
    ds.hidden = hidden;
    ds.data = spec.points;
    return ds;
  });
}

export function useLossChart(canvas: Ref<HTMLCanvasElement | null>, opts: LossChartOptions) {
  const runsStore = useRunsStore();
  let chart: Chart<'line', ScatterDataPoint[]> | null = null;

  function draw(): void {
    if (!chart) return;
    const width = canvas.value?.clientWidth || 800;
    const budget = pointBudget(width);
    const lines: { spec: SeriesSpec; color: string; label: string; hidden: boolean }[] = [];
    opts.runs.value.forEach((run, index) => {
      const specs = runLines(run.id, runsStore.seriesOf(run.id), opts.metric, opts.xAxis.value, opts.smoothing.value, budget);
      for (const spec of specs) {
        const what = { val: 'val', train: 'train', gradNorm: 'grad norm', longRange: 'long-range accuracy' }[spec.kind];
        lines.push({ spec, color: runColor(index), label: `${run.id} ${run.cell} s${run.seed} ${what}`, hidden: opts.hidden.value.has(run.id) });
      }
    });
    chart.data.datasets = buildDatasets(chart.data.datasets as LineDataset[], lines);
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
    for (const axis of [chart.options.scales?.x, chart.options.scales?.y]) {
      if (!axis) continue;
      if (axis.ticks) axis.ticks.color = c.text;
      if (axis.grid) axis.grid.color = c.grid;
      if ('title' in axis && axis.title) axis.title.color = c.text;
    }
    chart.update('none');
  }

  onMounted(() => {
    const ctx = canvas.value?.getContext('2d');
    if (!ctx) return;
    const c = themeColors();
    chart = markRaw(new Chart<'line', ScatterDataPoint[]>(ctx, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'nearest', intersect: false, axis: 'x' },
        scales: {
          x: { type: 'linear', title: { display: true, text: X_AXIS_LABELS[opts.xAxis.value], color: c.text }, ticks: { color: c.text }, grid: { color: c.grid } },
          y: {
            type: opts.logScale.value && opts.metric !== 'longRange' ? 'logarithmic' : 'linear',
            title: { display: true, text: Y_AXIS_LABELS[opts.metric], color: c.text },
            ticks: { color: c.text },
            grid: { color: c.grid },
          },
        },
        plugins: {
          // our own legend (RunLegend) toggles runs; Chart.js' would list train and val twice
          legend: { display: false },
          decimation: { enabled: true, algorithm: 'lttb', samples: 1000 },
          tooltip: { enabled: true },
        },
      },
    }));
    draw();
  });

  watch(() => runsStore.revision, () => scheduler.request());
  watch([() => opts.runs.value.map((r) => r.id).join(','), opts.xAxis, opts.smoothing, opts.hidden], () => scheduler.request());
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
