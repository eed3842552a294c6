/**
 * One of the sweep's Chart.js charts (strip and box, expected best, loss against a setting): made
 * on mount from the line chart of chart-setup.ts, its x axis set to linear, logarithmic or
 * categories (a linear axis with a tick at each whole index, named), updated in place (new
 * datasets, the same chart) when the data change, recoloured with the theme. The Chart instance
 * stays out of Vue's reactivity.
 */
import type { ChartDataset, Scale, TooltipItem } from 'chart.js';
import { markRaw, onBeforeUnmount, onMounted, watch, type Ref } from 'vue';
import { formatNats } from '../../src-shared/seed-stats.ts';
import { tr } from '../i18n.ts';
import { applyThemeColors, createLineChart, useThemeChange, type Chart } from './chart-setup.ts';
import { logTick, readableLogTicks } from './chart-ticks.ts';
import { bandColor, type SweepAxis, type SweepDataset, type SweepPoint } from './sweep-chart-data.ts';

type Dataset = ChartDataset<'line', SweepPoint[]> & { key: string; quiet?: boolean };

/** Chart.js datasets for the specs: made afresh each time (nothing is toggled on them, so nothing is kept). */
function toDatasets(specs: readonly SweepDataset[]): Dataset[] {
  return specs.map((s) => ({
    key: s.key, type: 'line', label: s.label, data: s.data, tension: 0, parsing: false, normalized: false, spanGaps: false,
    borderColor: s.color, borderWidth: s.width, backgroundColor: s.band ? bandColor(s.color) : s.fill,
    pointBackgroundColor: s.fill, pointBorderColor: s.color, pointBorderWidth: s.pointRadius ? 1.5 : 0,
    pointRadius: s.pointRadius, pointHoverRadius: s.pointRadius ? s.pointRadius + 2 : 0,
    showLine: s.showLine, fill: s.band ? '-1' : false, quiet: s.quiet,
  }));
}

/** Sets the x axis' kind, range and tick labels (categories by index, log ticks readable). */
function shapeX(chart: Chart<'line', SweepPoint[]>, axis: SweepAxis): void {
  const x = chart.options.scales?.x;
  if (!x) return;
  const categories = axis.categories ?? [];
  x.type = axis.kind === 'log' ? 'logarithmic' : 'linear';
  if ('title' in x && x.title) x.title.text = axis.title;
  if (axis.kind === 'category') {
    Object.assign(x, { min: -0.5, max: categories.length - 0.5, afterBuildTicks: (s: Scale) => { s.ticks = categories.map((_, i) => ({ value: i })); } });
    x.ticks = { ...x.ticks, callback: (v: number | string) => categories[Number(v)] ?? '' };
  } else {
    const pad = axis.kind === 'log' ? 1.15 : 0;
    const span = (axis.max ?? 0) - (axis.min ?? 0);
    Object.assign(x, {
      min: axis.min === undefined ? undefined : axis.kind === 'log' ? axis.min / pad : axis.min - span * 0.04,
      max: axis.max === undefined ? undefined : axis.kind === 'log' ? axis.max * pad : axis.max + span * 0.04,
      afterBuildTicks: readableLogTicks,
    });
    x.ticks = { ...x.ticks, callback: (v: number | string, i: number, ticks: { value: number }[]) => (axis.kind === 'log' ? logTick(v, i, ticks) : String(+Number(v).toPrecision(4))) };
  }
}

function tooltipLabel(item: TooltipItem<'line'>): string {
  const p = item.raw as SweepPoint;
  const named = { label: item.dataset.label ?? '', id: p.runId, loss: formatNats(p.y) };
  if (p.runId === undefined) return tr('sweep.tooltip', named);
  return p.stopped ? tr('sweep.tooltipStopped', named) : tr('sweep.tooltipRun', named);
}

export function useSweepChart(canvas: Ref<HTMLCanvasElement | null>, datasets: Ref<SweepDataset[]>, axes: Ref<{ x: SweepAxis; y: SweepAxis }>) {
  let chart: Chart<'line', SweepPoint[]> | null = null;

  function draw(): void {
    if (!chart) return;
    chart.data.datasets = toDatasets(datasets.value);
    shapeX(chart, axes.value.x);
    const y = chart.options.scales?.y;
    if (y) {
      y.type = axes.value.y.kind === 'log' ? 'logarithmic' : 'linear';
      if ('title' in y && y.title) y.title.text = axes.value.y.title;
    }
    // what is drawn, for end-to-end tests: {"<label>": points, ...}
    if (canvas.value) canvas.value.dataset.points = JSON.stringify(Object.fromEntries(datasets.value.filter((d) => !d.quiet).map((d) => [d.label, d.data.length])));
    chart.update('none');
  }

  onMounted(() => {
    const ctx = canvas.value?.getContext('2d');
    if (!ctx) return;
    chart = markRaw(createLineChart(ctx, {
      xTitle: axes.value.x.title,
      yTitle: axes.value.y.title,
      yLog: axes.value.y.kind === 'log',
      plugins: {
        legend: { display: false },
        tooltip: { enabled: true, filter: (item) => !(item.dataset as Dataset).quiet, callbacks: { label: tooltipLabel } },
      },
    })) as unknown as Chart<'line', SweepPoint[]>;
    chart.options.interaction = { mode: 'nearest', intersect: true };
    draw();
  });

  watch([datasets, axes], draw);
  useThemeChange(() => {
    if (!chart) return;
    applyThemeColors(chart as unknown as Parameters<typeof applyThemeColors>[0]);
    chart.update('none');
  });
  onBeforeUnmount(() => {
    chart?.destroy();
    chart = null;
  });

  return { chart: (): Chart | null => chart as Chart | null };
}
