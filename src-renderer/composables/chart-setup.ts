/** Chart.js with only the parts we use, and colours taken from the page's theme variables. */
import {
  BarController, BarElement, CategoryScale, Chart, Decimation, Filler, Legend, LinearScale, LineController, LineElement,
  LogarithmicScale, PointElement, Tooltip,
} from 'chart.js';
import { onBeforeUnmount } from 'vue';

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
