/**
 * A small static line chart (the lag and gradient-history charts of the cell views): datasets
 * given as plain specs, updated in place by key when they change, drawn without animation. The
 * Chart instance stays out of Vue's reactivity (markRaw).
 */
import type { ChartDataset, ScatterDataPoint } from 'chart.js';
import { markRaw, onBeforeUnmount, onMounted, watch, type Ref } from 'vue';
import { applyThemeColors, createLineChart, themeColors, useThemeChange, type Chart } from './chart-setup.ts';

export interface LineSpec {
  key: string;
  label: string;
  color: string;
  points: ScatterDataPoint[];
  /** dashed line, e.g. a threshold */
  dash?: number[];
  /** false: points only */
  showLine?: boolean;
  pointRadius?: number;
  width?: number;
}

export interface LineAxes {
  x: string;
  y: string;
  yLog: boolean;
  /** show Chart.js' own legend (the lag chart has no run legend of its own) */
  legend?: boolean;
}

type Dataset = ChartDataset<'line', ScatterDataPoint[]> & { key: string };

export function toDatasets(previous: readonly Dataset[], specs: readonly LineSpec[]): Dataset[] {
  const byKey = new Map(previous.map((d) => [d.key, d]));
  return specs.map((s) => {
    const ds: Dataset = byKey.get(s.key) ?? { key: s.key, type: 'line', data: [], tension: 0, parsing: false, normalized: true, spanGaps: true };
    ds.label = s.label;
    ds.borderColor = s.color;
    ds.backgroundColor = s.color;
    ds.borderDash = s.dash ?? [];
    ds.borderWidth = s.width ?? 1.5;
    ds.showLine = s.showLine ?? true;
    ds.pointRadius = s.pointRadius ?? 0;
    ds.pointHoverRadius = (s.pointRadius ?? 0) + 2;
    ds.data = s.points;
    return ds;
  });
}

export function useLineChart(canvas: Ref<HTMLCanvasElement | null>, specs: Ref<LineSpec[]>, axes: Ref<LineAxes>) {
  let chart: Chart<'line', ScatterDataPoint[]> | null = null;

  function draw(): void {
    if (!chart) return;
    chart.data.datasets = toDatasets(chart.data.datasets as Dataset[], specs.value);
    const x = chart.options.scales?.x;
    const y = chart.options.scales?.y;
    const legend = chart.options.plugins?.legend;
    if (x && 'title' in x && x.title) x.title.text = axes.value.x;
    // the x axis ends where the data do (a lag axis up to 32 should not run on to 35)
    const xs = specs.value.flatMap((s) => s.points.map((p) => p.x)).filter((v): v is number => typeof v === 'number');
    if (x && xs.length) {
      x.min = Math.min(...xs);
      x.max = Math.max(...xs);
    }
    if (y) {
      y.type = axes.value.yLog ? 'logarithmic' : 'linear';
      if ('title' in y && y.title) y.title.text = axes.value.y;
    }
    if (legend) legend.display = !!axes.value.legend;
    // what is drawn, for end-to-end tests and tools: {"<label>": points, ...}
    if (canvas.value) canvas.value.dataset.points = JSON.stringify(Object.fromEntries(specs.value.map((s) => [s.label, s.points.length])));
    chart.update('none');
  }

  function applyTheme(): void {
    if (!chart) return;
    applyThemeColors(chart);
    chart.update('none');
  }

  onMounted(() => {
    const ctx = canvas.value?.getContext('2d');
    if (!ctx) return;
    chart = markRaw(createLineChart(ctx, {
      xTitle: axes.value.x,
      yTitle: axes.value.y,
      yLog: axes.value.yLog,
      plugins: {
        legend: { display: !!axes.value.legend, labels: { color: themeColors().text, boxWidth: 12 } },
        tooltip: { enabled: true },
      },
    }));
    draw();
  });

  watch([specs, axes], draw, { deep: false });
  useThemeChange(applyTheme);

  onBeforeUnmount(() => {
    chart?.destroy();
    chart = null;
  });

  return { chart: (): Chart | null => chart as Chart | null };
}
