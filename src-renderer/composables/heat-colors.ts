/**
 * Colour scales for text coloured character by character (the cell and loss views): diverging for
 * values around 0 (tanh: h, the candidate g, a cell state c), sequential for values from 0 up
 * (sigmoid gates, losses). Each character gets a background and a text colour that stays readable
 * on it, whatever the page's theme.
 */

export interface HeatColor {
  background: string;
  color: string;
}

type Rgb = readonly [number, number, number];

/** blue (negative), near-white (0), red (positive) */
const DIVERGING: readonly Rgb[] = [[33, 102, 172], [146, 197, 222], [247, 247, 247], [244, 165, 130], [178, 24, 43]];
/** near-white (0) to deep purple (1): sigmoid gates */
const PURPLES: readonly Rgb[] = [[252, 251, 253], [218, 218, 235], [158, 154, 200], [106, 81, 163], [63, 0, 125]];
/** near-white (no loss) to deep red: losses in nats */
const REDS: readonly Rgb[] = [[255, 245, 240], [252, 187, 161], [251, 106, 74], [203, 24, 29], [103, 0, 13]];

const DARK_TEXT = '#1d1f23';
const LIGHT_TEXT = '#ffffff';

export type ScaleKind = 'diverging' | 'sequential' | 'loss';

const STOPS: Record<ScaleKind, readonly Rgb[]> = { diverging: DIVERGING, sequential: PURPLES, loss: REDS };

/** A scale from `min` to `max` (diverging scales put the middle colour at their midpoint). */
export interface HeatScale {
  kind: ScaleKind;
  min: number;
  max: number;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** The colour at position p (0..1) along the stops, linearly between neighbours. */
function along(stops: readonly Rgb[], p: number): Rgb {
  const x = clamp01(p) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [stops[i], stops[i + 1]];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

function hex(c: Rgb): string {
  return `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG relative luminance of an sRGB colour */
export function luminance(c: Rgb): number {
  const lin = c.map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

/** Where v falls on the scale, 0..1 (clamped). */
export function position(scale: HeatScale, v: number): number {
  if (scale.max === scale.min) return 0.5;
  return clamp01((v - scale.min) / (scale.max - scale.min));
}

/** The colours of value v; null for a missing value (NaN), which keeps the page's own colours. */
export function heatColor(scale: HeatScale, v: number): HeatColor | null {
  if (!Number.isFinite(v)) return null;
  const rgb = along(STOPS[scale.kind], position(scale, v));
  // dark text has the better contrast above luminance ~0.18 (the crossover of the two ratios)
  return { background: hex(rgb), color: luminance(rgb) > 0.18 ? DARK_TEXT : LIGHT_TEXT };
}

/** A CSS gradient of the whole scale, left to right, for its legend. */
export function scaleGradient(kind: ScaleKind): string {
  const stops = STOPS[kind];
  return `linear-gradient(to right, ${stops.map((s, i) => `${hex(s)} ${Math.round((i / (stops.length - 1)) * 100)}%`).join(', ')})`;
}

/** tanh values: [-1, 1]; sigmoid: [0, 1] */
export function activationScale(activation: 'tanh' | 'sigmoid'): HeatScale {
  return activation === 'tanh' ? { kind: 'diverging', min: -1, max: 1 } : { kind: 'sequential', min: 0, max: 1 };
}

/**
 * A diverging scale symmetric around 0 that reaches the largest |value| (a cell state c is not
 * bounded by 1), at least [-1, 1] and rounded up to a half.
 */
export function symmetricScale(values: ArrayLike<number>): HeatScale {
  let m = 1;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (Number.isFinite(a) && a > m) m = a;
  }
  m = Math.ceil(m * 2) / 2;
  return { kind: 'diverging', min: -m, max: m };
}

/**
 * One loss scale for several runs, so their colours compare: 0 to the 95th percentile of all their
 * losses (at least 1 nat, rounded up to a half); larger losses take the darkest colour.
 */
export function lossScale(losses: readonly ArrayLike<number>[]): HeatScale {
  const all: number[] = [];
  for (const xs of losses) for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i])) all.push(xs[i]);
  all.sort((a, b) => a - b);
  const p95 = all.length ? all[Math.min(all.length - 1, Math.floor(0.95 * all.length))] : 1;
  return { kind: 'loss', min: 0, max: Math.max(1, Math.ceil(p95 * 2) / 2) };
}
