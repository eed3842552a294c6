/**
 * Reference lines on the loss charts (the app's and the report's): the losses a model has to beat on its corpus (guessing
 * uniformly, the character frequencies, character n-grams with Kneser-Ney smoothing), drawn as
 * horizontal lines across the x range of the runs. Pure: which lines, their labels, values in the
 * chart's unit, their extent, and where their labels go.
 */

/** What the lines need of a corpus's baselines (the API's BaselinesReport has it). */
export interface Baselines {
  vocabSize: number;
  /** losses in nats per character */
  uniform: number;
  unigram: number;
  ngram: readonly { order: number; loss: number }[];
}

type LossUnit = 'nats' | 'bits';

/** A loss in nats per character in the chart's unit (bits = nats / ln 2). */
export function toUnit(nats: number, unit: LossUnit): number {
  return unit === 'bits' ? nats / Math.LN2 : nats;
}

/** Which reference lines to draw. */
export interface ReferenceChoice {
  /** false hides them all, whatever else is chosen */
  shown: boolean;
  uniform: boolean;
  unigram: boolean;
  /** n-gram orders drawn (1..5) */
  orders: number[];
}

export const DEFAULT_REFERENCE_CHOICE: ReferenceChoice = { shown: true, uniform: true, unigram: true, orders: [3, 5] };

export interface ReferenceLine {
  /** stable across redraws: 'uniform', 'unigram', 'ngram-3' */
  key: string;
  /** "5-gram (Kneser-Ney)" */
  name: string;
  /** what the chart writes at the line's right end, e.g. "5-gram (Kneser-Ney) 1.58" */
  label: string;
  /** in the chart's unit */
  value: number;
}

/** What the lines are called: English unless the caller has them in its own language. */
export interface ReferenceNames {
  uniform(vocabSize: number): string;
  unigram: string;
  ngram(order: number): string;
}

const ENGLISH_NAMES: ReferenceNames = {
  uniform: (v) => `uniform (ln ${v})`,
  unigram: 'unigram',
  ngram: (order) => `${order}-gram (Kneser-Ney)`,
};

/** Two decimals: the labels name a level, the summary tables give three. */
function formatReference(value: number): string {
  return value.toFixed(2);
}

/** Every line a corpus's baselines offer, highest loss first (uniform, unigram, then n = 1..5). */
export function allReferenceLines(b: Baselines, unit: LossUnit = 'nats', names: ReferenceNames = ENGLISH_NAMES): ReferenceLine[] {
  const line = (key: string, name: string, nats: number): ReferenceLine => {
    const value = toUnit(nats, unit);
    return { key, name, label: `${name} ${formatReference(value)}`, value };
  };
  return [
    line('uniform', names.uniform(b.vocabSize), b.uniform),
    line('unigram', names.unigram, b.unigram),
    ...[...b.ngram].sort((x, y) => x.order - y.order).map((g) => line(`ngram-${g.order}`, names.ngram(g.order), g.loss)),
  ].filter((l) => Number.isFinite(l.value));
}

/** The lines chosen, or none without baselines. */
export function referenceLines(b: Baselines | null, choice: ReferenceChoice, unit: LossUnit = 'nats', names: ReferenceNames = ENGLISH_NAMES): ReferenceLine[] {
  if (!b || !choice.shown) return [];
  const wanted = (key: string): boolean => (key === 'uniform' ? choice.uniform : key === 'unigram' ? choice.unigram : choice.orders.includes(Number(key.slice('ngram-'.length))));
  return allReferenceLines(b, unit, names).filter((l) => wanted(l.key));
}

/** The x extent of some lines' points: the shown ones, or all of them when every one is hidden. Null without points. */
export function xExtent(lines: readonly { data: readonly { x: number | null; y: number | null }[]; hidden?: boolean }[]): { min: number; max: number } | null {
  const extent = (shownOnly: boolean): { min: number; max: number } | null => {
    let min = Infinity;
    let max = -Infinity;
    for (const l of lines) {
      if (shownOnly && l.hidden) continue;
      for (const p of l.data) {
        const { x, y } = p;
        if (x === null || y === null || !Number.isFinite(x) || !Number.isFinite(y)) continue;
        if (x < min) min = x;
        if (x > max) max = x;
      }
    }
    return min <= max ? { min, max } : null;
  };
  return extent(true) ?? extent(false);
}

/** A horizontal line across the extent: its two end points. */
export function referencePoints(value: number, extent: { min: number; max: number }): { x: number; y: number }[] {
  return [{ x: extent.min, y: value }, { x: extent.max, y: value }];
}

/**
 * Label positions (pixels, y down) at least `gap` apart, in their lines' order, each as near its
 * own line's position as the others allow, and within [lo, hi] when they fit there. Labels that
 * would touch are placed as one evenly spaced block centred on the positions they want (the
 * placement with the least squared displacement), and blocks that then touch are merged in turn.
 */
export function spreadLabels(ys: readonly number[], gap: number, lo = -Infinity, hi = Infinity): number[] {
  const order = ys.map((_, i) => i).sort((a, b) => ys[a] - ys[b]);
  // each block: its members in order and the position of its first label
  const blocks: { members: number[]; top: number }[] = [];
  const place = (members: number[]): number => {
    const wanted = members.reduce((sum, i, k) => sum + ys[i] - k * gap, 0) / members.length;
    return Math.max(lo, Math.min(hi - (members.length - 1) * gap, wanted));
  };
  for (const i of order) {
    blocks.push({ members: [i], top: place([i]) });
    for (;;) {
      const [prev, last] = blocks.slice(-2);
      if (!last || !prev || prev.top + prev.members.length * gap <= last.top) break;
      blocks.splice(-2, 2, { members: [...prev.members, ...last.members], top: place([...prev.members, ...last.members]) });
    }
  }
  const out = new Array<number>(ys.length);
  for (const b of blocks) b.members.forEach((i, k) => (out[i] = b.top + k * gap));
  return out;
}
