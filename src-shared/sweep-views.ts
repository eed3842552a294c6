/**
 * What the sweep views draw, as plain data, so the app's charts and the HTML report show the same
 * thing: per cell the strip of final validation losses with its box, the swept settings' axes
 * (log, linear or categories), the points of loss against each setting, the lines of the parallel
 * coordinates, the expected best against the number of trials, and the importance bars. The shapes
 * here are structural copies of the API's SweepReport parts (this folder imports nothing outside it).
 */

export type SweepValue = number | string;

/** A swept setting as the spec has it (SweepRange). */
export type RangeLike =
  | { name: string; scale: 'log' | 'linear'; min: number; max: number; points?: number }
  | { name: string; values: readonly SweepValue[] };

/** A run of the sweep as the report has it (SweepTrialResult). */
export interface TrialLike {
  runId: number;
  cell: string;
  trial: number;
  seed: number;
  values: Record<string, SweepValue>;
  status: string;
  valLoss: number | null;
}

/**
 * The catalogue key of what each setting is called on axes and in tables (src-shared/locales,
 * namespace sweep.setting): the app and the report each say it in their language.
 */
export const SETTING_KEYS: Record<string, string> = {
  lr: 'sweep.setting.lr', hidden: 'sweep.setting.hidden', params: 'sweep.setting.params', layers: 'sweep.setting.layers',
  dropout: 'sweep.setting.dropout', clip: 'sweep.setting.clip', seqLen: 'sweep.setting.seqLen', batch: 'sweep.setting.batch',
  optimizer: 'sweep.setting.optimizer', weightDecay: 'sweep.setting.weightDecay', forgetBias: 'sweep.setting.forgetBias',
};

/** What a setting is called, in the caller's language (settingName with a translator). */
export type LabelOf = (name: string) => string;

/** A setting's value as tables write it: 4 significant digits, whole numbers whole. */
export function formatSetting(v: SweepValue | undefined): string {
  if (v === undefined) return '–';
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) return String(v);
  return String(+v.toPrecision(4));
}

// ---- the runs that ended ----

/**
 * The runs with a final validation loss to show: completed ones and those the halving rule stopped
 * (at the loss they were stopped at). Runs still training, failed or cancelled, and losses that
 * are not finite (a diverged run) have none.
 */
export function endedTrials<T extends TrialLike>(trials: readonly T[]): (T & { valLoss: number })[] {
  return trials.filter((t): t is T & { valLoss: number } => (t.status === 'completed' || t.status === 'stopped') && t.valLoss !== null && Number.isFinite(t.valLoss));
}

// ---- the box ----

export interface BoxStats {
  n: number;
  q1: number;
  median: number;
  q3: number;
  /** the whiskers: the most extreme values within 1.5 IQR of the quartiles (Tukey) */
  low: number;
  high: number;
  /** the values beyond the whiskers */
  outliers: number[];
}

/** The p-quantile of sorted values, interpolated linearly between order statistics (Hyndman and Fan's type 7, NumPy's default). */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('quantile of no values');
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Median, quartiles and Tukey's whiskers of the values; null for none. */
export function boxStats(values: readonly number[]): BoxStats | null {
  if (values.some((v) => !Number.isFinite(v))) throw new Error('boxStats: every value must be a finite number');
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const reach = 1.5 * (q3 - q1);
  const inside = sorted.filter((v) => v >= q1 - reach && v <= q3 + reach);
  return {
    n: sorted.length, q1, median: quantile(sorted, 0.5), q3,
    low: inside[0], high: inside[inside.length - 1],
    outliers: sorted.filter((v) => v < q1 - reach || v > q3 + reach),
  };
}

// ---- the strip ----

/**
 * A fixed offset in [-0.5, 0.5) for a run, from a hash of its id (murmur3's finaliser), so every
 * redraw and the report put each dot at the same place.
 */
export function jitter(runId: number): number {
  let h = runId | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32 - 0.5;
}

/** how wide a cell's strip is, in units of the gap between cells */
export const STRIP_WIDTH = 0.5;

export interface StripDot {
  runId: number;
  trial: number;
  seed: number;
  /** the cell's position plus its jitter */
  x: number;
  y: number;
  stopped: boolean;
}

export interface StripCell {
  cell: string;
  /** its position on the x axis, and its colour index */
  index: number;
  dots: StripDot[];
  /** over the completed runs only: a stopped run's loss is from fewer steps */
  box: BoxStats | null;
}

export function stripPlot(cells: readonly string[], trials: readonly TrialLike[]): StripCell[] {
  const ended = endedTrials(trials);
  return cells.map((cell, index) => {
    const mine = ended.filter((t) => t.cell === cell);
    return {
      cell, index,
      dots: mine.map((t) => ({ runId: t.runId, trial: t.trial, seed: t.seed, x: index + STRIP_WIDTH * jitter(t.runId), y: t.valLoss, stopped: t.status === 'stopped' })),
      box: boxStats(mine.filter((t) => t.status === 'completed').map((t) => t.valLoss)),
    };
  });
}

// ---- the settings' axes ----

export interface SettingAxis {
  name: string;
  label: string;
  kind: 'log' | 'linear' | 'category';
  /** a category axis' values in the spec's order */
  categories: string[];
  /** a numeric axis' ends (the range's, widened to every value drawn); 0 and 1 for categories' first and last */
  min: number;
  max: number;
}

/**
 * The axis of each swept setting: a list with any text in it (the optimizer) is categories; the
 * learning rate and any log-scale range are logarithmic (when every value is above 0); the rest
 * linear, so a list of numbers (dropout 0, 0.1, 0.25) keeps its spacing.
 */
export function settingAxes(ranges: readonly RangeLike[], trials: readonly TrialLike[], labelOf: LabelOf): SettingAxis[] {
  return ranges.map((r) => {
    const label = labelOf(r.name);
    const drawn = trials.map((t) => t.values[r.name]).filter((v) => v !== undefined);
    const listed = 'values' in r ? r.values : [r.min, r.max];
    const all = [...listed, ...drawn];
    if (all.some((v) => typeof v === 'string')) {
      const categories = [...new Set(all.map(String))];
      return { name: r.name, label, kind: 'category', categories, min: 0, max: Math.max(1, categories.length - 1) };
    }
    const nums = all as number[];
    const min = Math.min(...nums);
    const max = Math.max(...nums);
    const log = (r.name === 'lr' || ('scale' in r && r.scale === 'log')) && min > 0;
    return { name: r.name, label, kind: log ? 'log' : 'linear', categories: [], min, max };
  });
}

/** Where a value sits on its axis in chart units: the number itself, or the category's index. */
export function axisValue(axis: SettingAxis, v: SweepValue): number {
  if (axis.kind === 'category') {
    const i = axis.categories.indexOf(String(v));
    if (i < 0) throw new Error(`${axis.label}: ${String(v)} is not one of its values (${axis.categories.join(', ')})`);
    return i;
  }
  if (typeof v !== 'number') throw new Error(`${axis.label}: ${v} is not a number`);
  return v;
}

/** Where a value sits along its axis, 0 at the axis' start and 1 at its end (log axes by the logarithm). */
export function axisFraction(axis: SettingAxis, v: SweepValue): number {
  const x = axisValue(axis, v);
  if (axis.max === axis.min) return 0.5;
  if (axis.kind === 'log') return (Math.log(x) - Math.log(axis.min)) / (Math.log(axis.max) - Math.log(axis.min));
  return (x - axis.min) / (axis.max - axis.min);
}

// ---- loss against each setting ----

export interface ScatterPoint {
  runId: number;
  x: number;
  y: number;
  stopped: boolean;
}

export interface ScatterPanel {
  axis: SettingAxis;
  cells: { cell: string; index: number; points: ScatterPoint[] }[];
}

export function scatterPanels(axes: readonly SettingAxis[], cells: readonly string[], trials: readonly TrialLike[]): ScatterPanel[] {
  const ended = endedTrials(trials);
  return axes.map((axis) => ({
    axis,
    cells: cells.map((cell, index) => ({
      cell, index,
      points: ended.filter((t) => t.cell === cell && t.values[axis.name] !== undefined)
        .map((t) => ({ runId: t.runId, x: axisValue(axis, t.values[axis.name]), y: t.valLoss, stopped: t.status === 'stopped' })),
    })),
  }));
}

// ---- parallel coordinates ----

export interface ParallelLine {
  runId: number;
  cell: string;
  /** the cell's colour index */
  index: number;
  stopped: boolean;
  /** its place on each axis, 0 to 1 (the settings, then the loss) */
  at: number[];
}

export interface ParallelPlot {
  /** the settings' axes, then the validation loss (linear, low at the bottom) */
  axes: SettingAxis[];
  lines: ParallelLine[];
}

export const LOSS_AXIS_NAME = 'valLoss';

/** lossLabel: what the last axis, the final validation loss, is called */
export function parallelCoordinates(axes: readonly SettingAxis[], cells: readonly string[], trials: readonly TrialLike[], lossLabel: string): ParallelPlot {
  const ended = endedTrials(trials).filter((t) => cells.includes(t.cell) && axes.every((a) => t.values[a.name] !== undefined));
  const losses = ended.map((t) => t.valLoss);
  const loss: SettingAxis = { name: LOSS_AXIS_NAME, label: lossLabel, kind: 'linear', categories: [], min: Math.min(...losses), max: Math.max(...losses) };
  const all = [...axes, loss];
  return {
    axes: all,
    lines: ended.map((t) => ({
      runId: t.runId, cell: t.cell, index: cells.indexOf(t.cell), stopped: t.status === 'stopped',
      at: all.map((a) => axisFraction(a, a === loss ? t.valLoss : t.values[a.name])),
    })),
  };
}

/**
 * A few labelled values along an axis, [fraction, label]: every category; a numeric axis' ends and,
 * between them, its midpoint (linear) or up to three round values (log: powers of ten, else 1, 2
 * and 5 times them, else none).
 */
export function axisMarks(axis: SettingAxis): [number, string][] {
  if (axis.kind === 'category') return axis.categories.map((c, i) => [axis.categories.length === 1 ? 0.5 : i / (axis.categories.length - 1), c]);
  if (axis.max === axis.min) return [[0.5, formatSetting(axis.min)]];
  const ends: [number, string][] = [[0, formatSetting(axis.min)], [1, formatSetting(axis.max)]];
  if (axis.kind === 'linear') return [ends[0], [0.5, formatSetting((axis.min + axis.max) / 2)], ends[1]];
  const inside = (mantissas: number[]): number[] => {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(axis.min)); e <= Math.ceil(Math.log10(axis.max)); e++) {
      for (const m of mantissas) {
        const v = Number((m * 10 ** e).toPrecision(6));
        const t = axisFraction(axis, v);
        if (t > 0.08 && t < 0.92) out.push(v);
      }
    }
    return out;
  };
  const round = [[1], [1, 2, 5]].map(inside).find((vs) => vs.length > 0) ?? [];
  const picked = round.length <= 3 ? round : [0, 1, 2].map((k) => round[Math.round((k * (round.length - 1)) / 2)]);
  return [ends[0], ...picked.map((v): [number, string] => [axisFraction(axis, v), formatSetting(v)]), ends[1]];
}

// ---- expected best ----

export interface ExpectedBestPoint {
  n: number;
  mean: number;
  lo: number;
  hi: number;
}

/** Expected best of n = 1..N trials with its band of one standard deviation each side. */
export function expectedBestCurve(expectedBest: readonly number[], expectedBestSd: readonly number[]): ExpectedBestPoint[] {
  if (expectedBest.length !== expectedBestSd.length) throw new Error(`expected best has ${expectedBest.length} values but its sd ${expectedBestSd.length}`);
  return expectedBest.map((mean, i) => ({ n: i + 1, mean, lo: mean - expectedBestSd[i], hi: mean + expectedBestSd[i] }));
}

// ---- importance ----

/**
 * A translator: vue-i18n's t as the app (src-renderer/i18n.ts) and the report (report-i18n.ts) each
 * have it, so that the words below come from the catalogues in either's language.
 */
export type Translate = (key: string, named?: Record<string, unknown>, plural?: number) => string;

/** What an importance was fitted with and to (SweepCellReport's importanceMethod and importanceOver). */
export interface ImportanceLike {
  importanceMethod: 'fanova-forest' | 'grid-anova' | null;
  importanceOver: { losses: 'final' | 'first-rung'; step: number; runs: number } | null;
}

/** A swept setting's name (its key from SETTING_KEYS; the name itself if unknown). */
export function settingName(name: string, t: Translate): string {
  const key = SETTING_KEYS[name];
  return key ? t(key) : name;
}

/** "By functional ANOVA of a random forest (…), fitted to the final validation losses of 12 runs that completed." */
export function importanceMethodText(c: ImportanceLike, t: Translate): string {
  const method = c.importanceMethod === 'grid-anova' ? t('sweep.importance.gridAnova') : t('sweep.importance.fanova');
  const o = c.importanceOver;
  const basis = !o ? t('sweep.importance.basisNone')
    : o.losses === 'final' ? t('sweep.importance.basisFinal', { n: o.runs }, o.runs)
    : t('sweep.importance.basisRung', { n: o.runs, step: o.step }, o.runs);
  return t('sweep.importance.method', { method, basis });
}

export interface ImportanceBar {
  key: string;
  label: string;
  share: number;
  /** the share no single setting explains: the settings acting together */
  interaction: boolean;
}

/**
 * Each setting's share of the variance of the loss, largest first, then what is left, 1 minus
 * their sum: the share no setting explains alone (for a full grid exactly the interactions; for
 * the forest, the interactions its trees model).
 */
export function importanceBars(importance: Record<string, number>, settings: readonly string[], labelOf: LabelOf, restLabel: string): ImportanceBar[] {
  const unknown = Object.keys(importance).filter((k) => !settings.includes(k));
  if (unknown.length) throw new Error(`importance of ${unknown.join(', ')}, which the sweep does not vary (${settings.join(', ')})`);
  const bars = Object.entries(importance).map(([key, share]) => ({ key, label: labelOf(key), share, interaction: false })).sort((a, b) => b.share - a.share);
  if (bars.length === 0) return [];
  const rest = Math.max(0, 1 - bars.reduce((sum, b) => sum + b.share, 0));
  return [...bars, { key: 'interactions', label: restLabel, share: rest, interaction: true }];
}
