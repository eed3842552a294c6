/**
 * Numbers as the app's tables and the report show them, through Intl in the language asked for
 * (BCP 47: 'en', 'ko'); English unless told.
 */

const formats = new Map<string, Intl.NumberFormat>();

/** Intl.NumberFormat is costly to make and the tables format thousands of cells: one per kind. */
function numberFormat(locale: string, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = `${locale} ${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    formats.set(key, f);
  }
  return f;
}

export function formatInt(n: number | null | undefined, locale = 'en'): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '–' : numberFormat(locale, { maximumFractionDigits: 0 }).format(Math.round(n));
}

function unit(n: number, unit: 'hour' | 'minute' | 'second', locale: string, options: Intl.NumberFormatOptions = {}): string {
  return numberFormat(locale, { style: 'unit', unit, unitDisplay: 'narrow', ...options }).format(n);
}

/**
 * A duration in the two largest units, the second one padded: "45s", "3m 07s", "2h 05m" in
 * English, "45초", "3분 07초", "2시간 05분" in Korean. With tenths, under ten seconds to a tenth
 * ("4.2s"). '–' for a missing or negative one.
 */
export function formatDuration(seconds: number | null | undefined, locale = 'en', opts: { tenths?: boolean } = {}): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '–';
  if (opts.tenths && seconds < 10) return unit(seconds, 'second', locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const s = Math.round(seconds);
  if (s < 60) return unit(s, 'second', locale);
  const m = Math.floor(s / 60);
  const pair = (big: string, small: string): string => new Intl.ListFormat(locale, { type: 'unit', style: 'narrow' }).format([big, small]);
  if (m < 60) return pair(unit(m, 'minute', locale), unit(s % 60, 'second', locale, { minimumIntegerDigits: 2 }));
  return pair(unit(Math.floor(m / 60), 'hour', locale), unit(m % 60, 'minute', locale, { minimumIntegerDigits: 2 }));
}

/** A moment to the minute, in UTC (a report read elsewhere names its time zone): "Jan 2, 2025, 03:04 UTC", "2025년 1월 2일 03:04 UTC". */
export function formatDateTime(d: Date, locale = 'en'): string {
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC', timeZoneName: 'short' }).format(d);
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
