/**
 * What a sweep may vary, where each setting lands in a run's config, and the command line's way of
 * writing a range ('lr=log:1e-4:3e-2', 'dropout=0,0.1,0.25'). The lab checks a spec's ranges with
 * sweepRangeProblem before it plans a run, and the new-experiment form with the same function, so
 * both refuse the same ranges with the same words.
 */
import { inRange, SETTING_RANGES, type Range } from '../limits.ts';

export type SweepParamName = 'lr' | 'hidden' | 'params' | 'layers' | 'dropout' | 'clip' | 'seqLen' | 'batch' | 'optimizer' | 'weightDecay' | 'forgetBias';
export type SweepValue = number | string;

/**
 * One swept setting: a range, drawn on a log or linear scale (whole numbers for whole settings;
 * a grid takes `points` evenly spaced points of it), or a list of values.
 */
export type SweepRange =
  | { name: SweepParamName; scale: 'log' | 'linear'; min: number; max: number; points?: number }
  | { name: SweepParamName; values: SweepValue[] };

/** The engine's optimizers, the choices of a swept optimizer. */
export const OPTIMIZER_CHOICES = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const;

export interface SweepParam {
  /** the dotted path it replaces in a run's config ('params' replaces the budget the hidden size is chosen by) */
  path: string;
  /** the values a number may take; null for a choice */
  range: Range | null;
  /** the scale it is usually drawn on */
  scale: 'log' | 'linear';
  /** a setting of names rather than numbers */
  choices?: readonly string[];
}

export const SWEEP_PARAMS: Record<SweepParamName, SweepParam> = {
  lr: { path: 'train.optimizer.lr', range: SETTING_RANGES.lr, scale: 'log' },
  hidden: { path: 'model.hidden', range: SETTING_RANGES.hidden, scale: 'log' },
  params: { path: 'budget.params', range: SETTING_RANGES.params, scale: 'log' },
  layers: { path: 'model.layers', range: SETTING_RANGES.layers, scale: 'linear' },
  dropout: { path: 'model.dropout', range: SETTING_RANGES.dropout, scale: 'linear' },
  forgetBias: { path: 'model.forgetBias', range: SETTING_RANGES.forgetBias, scale: 'linear' },
  clip: { path: 'train.clip', range: SETTING_RANGES.clip, scale: 'log' },
  seqLen: { path: 'train.seqLen', range: SETTING_RANGES.seqLen, scale: 'log' },
  batch: { path: 'train.batch', range: SETTING_RANGES.batch, scale: 'log' },
  optimizer: { path: 'train.optimizer.name', range: null, scale: 'linear', choices: OPTIMIZER_CHOICES },
  weightDecay: { path: 'train.optimizer.weightDecay', range: SETTING_RANGES.weightDecay, scale: 'log' },
};

export const SWEEP_PARAM_NAMES = Object.keys(SWEEP_PARAMS) as SweepParamName[];

/** Most values a list may give, and most points a grid may take of a range. */
export const MAX_SWEEP_VALUES = 100;

export function isSweepParamName(name: unknown): name is SweepParamName {
  return typeof name === 'string' && Object.hasOwn(SWEEP_PARAMS, name);
}

/** Whole settings draw whole numbers only. */
export function isWhole(name: SweepParamName): boolean {
  return SWEEP_PARAMS[name].range?.whole === true;
}

function rangeText(r: Range): string {
  return r.whole ? `a whole number from ${r.min} to ${r.max}` : `in ${r.minOpen ? '(' : '['}${r.min}, ${r.max}${r.maxOpen ? ')' : ']'}`;
}

/** What is wrong with one range, in words ("min 0 must be > 0 on a log scale"), or null. */
export function sweepRangeProblem(r: SweepRange): string | null {
  const p = SWEEP_PARAMS[r.name];
  if ('values' in r) {
    if (!Array.isArray(r.values) || r.values.length === 0 || r.values.length > MAX_SWEEP_VALUES) return `give 1 to ${MAX_SWEEP_VALUES} values`;
    if (new Set(r.values).size !== r.values.length) return 'each value may appear once';
    for (const x of r.values) {
      if (p.choices) {
        if (typeof x !== 'string' || !p.choices.includes(x)) return `${JSON.stringify(x)} is not one of ${p.choices.join(', ')}`;
      } else if (!inRange(x, p.range!)) {
        return `${JSON.stringify(x)} must be ${rangeText(p.range!)}`;
      }
    }
    return null;
  }
  if (p.choices) return `choose among values (${p.choices.join(',')}), not a range`;
  const range = p.range!;
  if (r.scale !== 'log' && r.scale !== 'linear') return `scale must be log or linear, got ${JSON.stringify(r.scale)}`;
  if (r.scale === 'log' && !(r.min > 0)) return `min ${r.min} must be > 0 on a log scale`;
  for (const [end, x] of [['min', r.min], ['max', r.max]] as const) {
    if (!inRange(x, range)) return `${end} ${x} must be ${rangeText(range)}`;
  }
  if (!(r.min < r.max)) return `min ${r.min} must be below max ${r.max}`;
  if (r.points !== undefined) {
    if (!Number.isInteger(r.points) || r.points < 2 || r.points > MAX_SWEEP_VALUES) return `points must be a whole number from 2 to ${MAX_SWEEP_VALUES}, got ${r.points}`;
    if (range.whole && r.points > r.max - r.min + 1) return `${r.points} points of whole numbers do not fit between ${r.min} and ${r.max}`;
  }
  return null;
}

/** What is wrong with a set of ranges taken together, or null: one range per setting, and not both hidden and params. */
export function sweepRangesProblem(ranges: readonly SweepRange[]): string | null {
  const names = ranges.map((r) => r.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) return `${twice} is swept twice; give one range for it`;
  if (names.includes('hidden') && names.includes('params')) return 'sweep hidden or params, not both: both set the hidden size';
  return null;
}

export class SweepSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepSyntaxError';
  }
}

/**
 * One --sweep argument: NAME=log:MIN:MAX[:K], NAME=linear:MIN:MAX[:K] (K grid points) or
 * NAME=V1,V2,... (values; names for the optimizer). Throws SweepSyntaxError naming the setting.
 */
export function parseSweepArg(text: string): SweepRange {
  const eq = text.indexOf('=');
  const name = (eq < 0 ? text : text.slice(0, eq)).trim();
  if (!isSweepParamName(name)) throw new SweepSyntaxError(`sweep ${JSON.stringify(name)}: not a setting a sweep can vary; choose one of ${SWEEP_PARAM_NAMES.join(', ')}`);
  const fail = (problem: string): never => {
    throw new SweepSyntaxError(`sweep ${name}: ${problem}`);
  };
  if (eq < 0) fail('write NAME=log:MIN:MAX, NAME=linear:MIN:MAX or NAME=V1,V2,...');
  const body = text.slice(eq + 1).trim();
  const num = (s: string, what: string): number => {
    const x = Number(s);
    if (s.trim() === '' || !Number.isFinite(x)) fail(`${what} ${JSON.stringify(s)} is not a number`);
    return x;
  };
  let range: SweepRange;
  const m = /^(log|linear):(.*)$/.exec(body);
  if (m) {
    const parts = m[2].split(':');
    if (parts.length < 2 || parts.length > 3) fail(`write ${m[1]}:MIN:MAX or ${m[1]}:MIN:MAX:POINTS`);
    range = { name, scale: m[1] as 'log' | 'linear', min: num(parts[0], 'min'), max: num(parts[1], 'max') };
    if (parts.length === 3) range.points = num(parts[2], 'points');
  } else {
    const items = body.split(',').map((s) => s.trim());
    const values = SWEEP_PARAMS[name].choices ? items : items.map((s) => num(s, 'value'));
    range = { name, values };
  }
  const problem = sweepRangeProblem(range);
  if (problem !== null) fail(problem);
  return range;
}
