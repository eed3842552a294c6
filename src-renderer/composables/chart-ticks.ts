/**
 * Ticks for logarithmic axes. Chart.js puts a labelled tick at every 1..9 of each decade and at
 * the axis' ends, so a loss axis from 0.85 to 2 or a norm axis from 0.2 to 3 piles its labels on
 * top of each other. Here: the densest of a few readable sets (round linear steps within about a
 * decade; 1-2-3-5, 1-2-5, 1-3 or 1 per decade; every few decades) whose labels stay apart at the
 * axis' length in pixels. On a horizontal axis a label is wider than it is tall ("0.007" is some
 * 30 px), so there the gap also makes room for the labels' measured widths.
 */
import type { CartesianScaleOptions, Scale, Tick } from 'chart.js';
import { toFont } from 'chart.js/helpers';

/** labels closer than this (pixels, centre to centre) would touch */
export const MIN_TICK_GAP_PX = 22;
/** and at most one label per this many pixels, so an axis shows a few, not all it could */
const PX_PER_TICK = 40;
/** blank space kept between two labels' edges on a horizontal axis */
const LABEL_PAD_PX = 8;

/** A label's width in pixels when drawn in the tick set `ticks` (its digits may depend on the set). */
export type LabelWidth = (value: number, ticks: readonly number[]) => number;

const MANTISSAS = [[1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 5], [1, 2, 5], [1, 3], [1]];

/** v with the float noise of m * 10^e removed (0.30000000000000004 -> 0.3) */
const clean = (v: number): number => Number(v.toPrecision(12));

/** Multiples of step in [min, max]. */
function linearTicks(min: number, max: number, step: number): number[] {
  const out: number[] = [];
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max * (1 + 1e-12); k++) out.push(clean(k * step));
  return out;
}

/** m * 10^e in [min, max] for the mantissas m and every decade e that is a multiple of stride. */
function decadeTicks(min: number, max: number, mantissas: readonly number[], stride: number): number[] {
  const out: number[] = [];
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  for (let e = Math.ceil(lo / stride) * stride; e <= hi; e += stride) {
    for (const m of mantissas) {
      const v = clean(m * 10 ** e);
      if (v >= min * (1 - 1e-12) && v <= max * (1 + 1e-12)) out.push(v);
    }
  }
  return out;
}

/** Candidate tick sets for [min, max], densest first. */
function candidates(min: number, max: number): number[][] {
  const out: number[][] = [];
  if (max / min < 10) {
    // within about a decade, round linear steps read best (1.0, 1.2, 1.4 ...)
    const e0 = Math.floor(Math.log10((max - min) / 50));
    for (let e = e0; e < e0 + 4; e++) for (const m of [1, 2, 5]) out.push(linearTicks(min, max, clean(m * 10 ** e)));
  }
  for (const m of MANTISSAS) out.push(decadeTicks(min, max, m, 1));
  for (const stride of [2, 3, 5, 10, 20, 50, 100]) out.push(decadeTicks(min, max, [1], stride));
  return out;
}

/**
 * Tick values for a log axis from min to max (> 0) drawn over lengthPx pixels: the densest
 * candidate set with at least two ticks (one if no set of two fits), no two closer than minGapPx
 * and at most one per 40 px; with labelWidth (a horizontal axis), no two labels nearer than
 * LABEL_PAD_PX edge to edge either. Empty when the range is not positive: then Chart.js' own ticks stay.
 */
export function logTicks(min: number, max: number, lengthPx: number, labelWidth?: LabelWidth, minGapPx = MIN_TICK_GAP_PX): number[] {
  if (!(min > 0 && max > min && lengthPx > 0)) return [];
  const span = Math.log(max / min);
  const px = (v: number): number => (lengthPx * Math.log(v / min)) / span;
  const cap = Math.max(2, Math.floor(lengthPx / PX_PER_TICK));
  const all = candidates(min, max);
  // two ticks show the scale; on a very short axis one round tick is still better than a pile
  for (const least of [2, 1]) {
    for (const ticks of all) {
      if (ticks.length < least || ticks.length > cap) continue;
      const widths = labelWidth ? ticks.map((v) => labelWidth(v, ticks)) : [];
      let readable = true;
      for (let i = 1; i < ticks.length && readable; i++) {
        const need = labelWidth ? Math.max(minGapPx, (widths[i] + widths[i - 1]) / 2 + LABEL_PAD_PX) : minGapPx;
        readable = px(ticks[i]) - px(ticks[i - 1]) >= need;
      }
      if (readable) return ticks;
    }
  }
  return [];
}

/** A value in `digits` significant digits without trailing zeros: 0.3, 1.05; 1e-5 below 0.001 and from 100,000. */
function short(v: number, digits: number): string {
  const a = Math.abs(v);
  if (!Number.isFinite(v) || v === 0) return String(v);
  return a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(digits))) : v.toExponential(Math.max(0, digits - 4));
}

/**
 * A log axis' tick label with as few digits as it needs (Chart.js writes 0.30000), and more when
 * fewer would make two labels of the axis the same (1.00002 and 1.00004).
 */
export function logTick(value: number | string, _index?: number, ticks?: readonly { value: number }[]): string {
  const v = Number(value);
  if (!Number.isFinite(v) || v === 0) return String(value);
  let digits = 4;
  while (ticks && digits < 12 && new Set(ticks.map((t) => short(t.value, digits))).size < ticks.length) digits++;
  return short(v, digits);
}

/**
 * A horizontal scale's label widths: its own tick callback's text measured in its tick font on
 * its canvas.
 */
function measuredWidth(scale: Scale<CartesianScaleOptions>): LabelWidth {
  const { ctx } = scale;
  const opts = scale.options.ticks;
  const font = toFont(opts.font as Parameters<typeof toFont>[0]).string;
  return (value, ticks) => {
    const asTicks: Tick[] = ticks.map((v) => ({ value: v }));
    const label = opts.callback.call(scale, value, ticks.indexOf(value), asTicks);
    const lines = Array.isArray(label) ? label : [label ?? ''];
    ctx.save();
    ctx.font = font;
    const width = Math.max(0, ...lines.map((l) => ctx.measureText(String(l)).width));
    ctx.restore();
    return width;
  };
}

/**
 * A scale's afterBuildTicks hook that replaces a log axis' ticks with logTicks over the plot's
 * current length (the previous layout's; the whole canvas before the first), a horizontal axis'
 * labels measured so that they never run into each other.
 */
export function readableLogTicks(scale: Scale): void {
  if (scale.type !== 'logarithmic') return;
  const area = scale.chart.chartArea;
  const horizontal = scale.isHorizontal();
  const length = horizontal ? (area ? area.right - area.left : scale.width) : (area ? area.bottom - area.top : scale.height);
  const ticks = logTicks(scale.min, scale.max, length, horizontal ? measuredWidth(scale as Scale<CartesianScaleOptions>) : undefined);
  if (ticks.length > 0) scale.ticks = ticks.map((value) => ({ value }));
}
