/** A small bar chart (character frequencies), created on mount and updated in place. */
import { markRaw, onBeforeUnmount, onMounted, toValue, watch, type MaybeRefOrGetter, type Ref } from 'vue';
import { Chart, themeColors, useThemeChange } from './chart-setup.ts';

export interface Bars {
  labels: string[];
  values: number[];
}

export function useBarChart(canvas: Ref<HTMLCanvasElement | null>, bars: Ref<Bars>, valueLabel: MaybeRefOrGetter<string>) {
  let chart: Chart<'bar', number[], string> | null = null;

  function update(): void {
    if (!chart) return;
    chart.data.labels = bars.value.labels;
    chart.data.datasets[0].data = bars.value.values;
    chart.data.datasets[0].label = toValue(valueLabel);
    chart.update('none');
  }

  function applyTheme(): void {
    if (!chart) return;
    const c = themeColors();
    for (const axis of [chart.options.scales?.x, chart.options.scales?.y]) {
      if (axis?.ticks) axis.ticks.color = c.text;
      if (axis?.grid) axis.grid.color = c.grid;
    }
    chart.update('none');
  }

  onMounted(() => {
    const ctx = canvas.value?.getContext('2d');
    if (!ctx) return;
    const c = themeColors();
    chart = markRaw(new Chart<'bar', number[], string>(ctx, {
      type: 'bar',
      data: { labels: bars.value.labels, datasets: [{ label: toValue(valueLabel), data: bars.value.values, backgroundColor: '#3b82f6' }] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { ticks: { color: c.text, autoSkip: false }, grid: { display: false } },
          y: { ticks: { color: c.text }, grid: { color: c.grid } },
        },
      },
    }));
  });

  // the label follows the interface's language
  watch([bars, () => toValue(valueLabel)], update);
  useThemeChange(applyTheme);

  onBeforeUnmount(() => {
    chart?.destroy();
    chart = null;
  });

  return { chart: (): Chart | null => chart as Chart | null };
}
