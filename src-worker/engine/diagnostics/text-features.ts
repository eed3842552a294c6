/**
 * Simple features of a text, one value per character, and the units whose state follows them most
 * closely (Pearson correlation): the "interpretable cells" of Karpathy, Johnson and Fei-Fei 2015,
 * such as a unit that counts the position in a line or switches on inside quotes.
 *
 * Feature t describes the text up to and including character t, as the state h_t after reading it:
 *   linePosition  characters since the last newline, counting t itself (0 on a newline; the text
 *                 starts as if a newline preceded it)
 *   inQuotes      1 inside double quotes: a '"' toggles, '“' opens and '”' closes; the quote
 *                 characters themselves count as the inside they open or close (opening 1, closing 0)
 *   inBrackets    1 while the depth of ( [ { is above 0 (an unmatched closer leaves it at 0)
 *   whitespace    1 where character t is whitespace
 */
import { ConfigError } from '../config.ts';
import type { CellTrace } from './cell-trace.ts';

const TEXT_FEATURES = ['linePosition', 'inQuotes', 'inBrackets', 'whitespace'] as const;
export type TextFeature = (typeof TEXT_FEATURES)[number];

/** Per feature, one value per character (Unicode code point, as the vocabulary counts them). */
export function textFeatures(text: string): Record<TextFeature, Float64Array> {
  const chars = [...text];
  const n = chars.length;
  const out = {
    linePosition: new Float64Array(n),
    inQuotes: new Float64Array(n),
    inBrackets: new Float64Array(n),
    whitespace: new Float64Array(n),
  };
  let col = 0;
  let quoted = false;
  let depth = 0;
  for (let t = 0; t < n; t++) {
    const c = chars[t];
    col = c === '\n' ? 0 : col + 1;
    if (c === '"') quoted = !quoted;
    else if (c === '“') quoted = true;
    else if (c === '”') quoted = false;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    out.linePosition[t] = col;
    out.inQuotes[t] = quoted ? 1 : 0;
    out.inBrackets[t] = depth > 0 ? 1 : 0;
    out.whitespace[t] = /\s/u.test(c) ? 1 : 0;
  }
  return out;
}

/**
 * Pearson correlation of x[xOff + i * xStride] with y[i], i = 0..n-1 (two passes, so a large
 * common offset does not cancel). NaN when either is constant: nothing to correlate.
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>, n = y.length, xOff = 0, xStride = 1): number {
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[xOff + i * xStride];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[xOff + i * xStride] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

export interface UnitCorrelation {
  layer: number;
  state: 'h' | 'c';
  unit: number;
  /** Pearson r over the traced steps */
  r: number;
}

/**
 * For each feature (one value per traced step), the `top` units of h (and c, for LSTMs) of every
 * layer with the largest |r|, strongest first. Units or features that are constant over the trace
 * have no correlation and are left out, so a list may be shorter than `top` (empty for a constant
 * feature).
 */
export function correlatedUnits<F extends string>(trace: CellTrace, features: Readonly<Record<F, ArrayLike<number>>>, top = 5): Record<F, UnitCorrelation[]> {
  if (!Number.isInteger(top) || top < 1) throw new ConfigError('top', `must be a whole number >= 1, got ${top}`);
  const { steps: T, hidden: H } = trace;
  const out = {} as Record<F, UnitCorrelation[]>;
  for (const name of Object.keys(features) as F[]) {
    const y = features[name];
    if (y.length !== T) throw new ConfigError(`features.${name}`, `has ${y.length} values but the trace has ${T} steps`);
    const all: UnitCorrelation[] = [];
    trace.layers.forEach((layer, l) => {
      for (const [state, m] of [['h', layer.h], ['c', layer.c]] as const) {
        if (!m) continue;
        for (let j = 0; j < H; j++) {
          const r = pearson(m, y, T, j, H);
          if (!Number.isNaN(r)) all.push({ layer: l, state, unit: j, r });
        }
      }
    });
    all.sort((a, b) => Math.abs(b.r) - Math.abs(a.r));
    out[name] = all.slice(0, top);
  }
  return out;
}
