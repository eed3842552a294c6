/** Chart.js with only the parts we use, and colours taken from the page's theme variables. */
import {
  BarController, BarElement, CategoryScale, Chart, Decimation, Filler, Legend, LinearScale, LineController, LineElement,
  LogarithmicScale, PointElement, Ticks, Tooltip, type ChartOptions, type Plugin, type Scale, type ScatterDataPoint, type Tick,
} from 'chart.js';
import { onBeforeUnmount } from 'vue';
import { logTick, readableLogTicks } from './chart-ticks.ts';

// Filler shades the band between a mean's upper and lower edges over seeds
Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, BarController, BarElement, CategoryScale, Decimation, Filler, Legend, Tooltip);

export { Chart };

export interface ThemeColors {
  text: string;
  grid: string;
}

export function themeColors(): ThemeColors {
  const style = getComputedStyle(document.documentElement);
  return {
    text: style.getPropertyValue('--text-muted').trim() || '#666',
    grid: style.getPropertyValue('--grid').trim() || 'rgba(128,128,128,0.2)',
  };
}

/** Calls onChange when the system switches between light and dark; stops on unmount. */
export function useThemeChange(onChange: () => void): void {
  const query = window.matchMedia?.('(prefers-color-scheme: dark)');
  if (!query) return;
  const listener = (): void => onChange();
  query.addEventListener('change', listener);
  onBeforeUnmount(() => query.removeEventListener('change', listener));
}

/** Recolours a line chart's axes (ticks, grid, titles) and Chart.js' own legend with the theme's colours. */
export function applyThemeColors(chart: Chart<'line', ScatterDataPoint[]>, c: ThemeColors = themeColors()): void {
  for (const axis of Object.values(chart.options.scales ?? {})) {
    if (!axis) continue;
    if (axis.ticks) axis.ticks.color = c.text;
    if (axis.grid) axis.grid.color = c.grid;
    if ('title' in axis && axis.title) axis.title.color = c.text;
  }
  if (chart.options.plugins?.legend?.labels) chart.options.plugins.legend.labels.color = c.text;
}

export interface LineChartSetup {
  xTitle: string;
  yTitle: string;
  yLog: boolean;
  /** the pointer events Chart.js listens to (its defaults when absent) */
  events?: ChartOptions<'line'>['events'];
  plugins?: ChartOptions<'line'>['plugins'];
  inlinePlugins?: Plugin<'line'>[];
}

/** Tick labels: a log axis' as logTick writes them, a linear axis' as Chart.js does. */
function tickLabel(this: Scale, value: number | string, index: number, ticks: Tick[]): string | string[] {
  return this.type === 'logarithmic' ? logTick(value, index, ticks) : Ticks.formatters.numeric.call(this, Number(value), index, ticks);
}

/**
 * A line chart of raw {x, y} points on a linear x axis (y linear or logarithmic, with a few
 * readable ticks when logarithmic), without animation, in the theme's colours: the loss charts and
 * the small charts of the cell views.
 */
export function createLineChart(ctx: CanvasRenderingContext2D, setup: LineChartSetup): Chart<'line', ScatterDataPoint[]> {
  const c = themeColors();
  // a zoomed axis' ends are wherever the drag stopped (512.03): no tick of their own
  const axis = (title: string) => ({ title: { display: true, text: title, color: c.text }, ticks: { color: c.text, includeBounds: false }, grid: { color: c.grid } });
  return new Chart<'line', ScatterDataPoint[]>(ctx, {
    type: 'line',
    data: { datasets: [] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', intersect: false },
      ...(setup.events ? { events: setup.events } : {}),
      scales: {
        x: { type: 'linear', ...axis(setup.xTitle) },
        y: { type: setup.yLog ? 'logarithmic' : 'linear', ...axis(setup.yTitle), afterBuildTicks: readableLogTicks, ticks: { color: c.text, includeBounds: false, callback: tickLabel } },
      },
      plugins: setup.plugins,
    },
    plugins: setup.inlinePlugins,
  });
}
