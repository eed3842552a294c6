/**
 * Eight distinct hues that read on light and dark backgrounds, in the same order on the app's
 * charts and in the report: a run takes its cell's by position (colorIndexes), and keeps it.
 */
const RUN_COLORS = ['#3b82f6', '#ef4444', '#10b981', '#f59e0b', '#8b5cf6', '#ec4899', '#14b8a6', '#84cc16'];

export function runColor(index: number): string {
  return RUN_COLORS[((index % RUN_COLORS.length) + RUN_COLORS.length) % RUN_COLORS.length];
}
