/** Numbers as the app's tables and the report show them. */

export function formatInt(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '–' : Math.round(n).toLocaleString('en-US');
}

/**
 * Bytes in KB, MB, GB and TB of 1024 (as the corpus size limit counts them), to 3 significant
 * digits; from 1000 of a unit on, in the next one (0.98 MB, not 1000 KB).
 */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let x = n;
  let u = 0;
  while (x >= 1000 && u < units.length - 1) {
    x /= 1024;
    u++;
  }
  return `${u === 0 ? Math.round(x) : Number(x.toPrecision(3))} ${units[u]}`;
}
