/**
 * Hyperparameter importance for one cell of a sweep: each swept setting's share of the variance of
 * the validation loss as a function of the settings, from its main effect alone. What the main
 * effects leave is returned as `interactions` (the settings acting together), so the shares and it
 * sum to 1.
 *
 * Runs that repeat one configuration (the seeds of a trial) are averaged first: the decomposition is
 * of the loss the settings give, and the spread between seeds belongs to no setting.
 *
 * Two methods, named in the result:
 *  - 'grid-anova' when the configurations form a full grid (every combination of the values seen,
 *    each present): the exact variance decomposition of a balanced factorial design. The main effect
 *    of setting d at level l is the mean loss at l minus the grand mean; its variance over the levels
 *    (equal weights) over the total variance is d's share. A sweep of one setting is such a grid
 *    whatever its search: the loss is then a function of that setting alone, and its share is 1.
 *  - 'fanova-forest' otherwise (random search, or a grid with holes where runs failed): the
 *    functional ANOVA of a regression forest fitted to the trials (Hutter et al. 2014; forest.ts),
 *    over the whole configuration space the sweep drew from: uniform over a range (on a log scale in
 *    log space) or over a list of values.
 * With fewer than MIN_TRIALS configurations, or a loss that does not vary, there is nothing to
 * decompose: the method is null, the shares are empty (not zero: nothing was found unimportant) and
 * `reason` says why.
 */
import { forestMainEffects, type Feature } from './forest.ts';

/**
 * A swept setting as the sweep drew it: a range on a log or linear scale, or a list of values (taken
 * as categories, equally likely). A SweepRange is one; a grid range's `points` play no part here.
 * For a grid sweep, pass each setting's grid points as its `values` (gridPoints in draw.ts): when
 * runs failed and the forest stands in, every planned level then weighs the same, as in the full
 * grid's decomposition, where a range read as continuous gives its two end levels half the width of
 * the inner ones (on a 5 x 2 x 3 grid with two holes: lr 0.772 against the full grid's 0.770 as
 * values, 0.695 as a range).
 */
export type ImportanceParam = { name: string; scale: 'log' | 'linear'; min: number; max: number } | { name: string; values: readonly (number | string)[] };

export type Importance =
  | { method: 'grid-anova' | 'fanova-forest'; shares: Record<string, number>; interactions: number; reason: null }
  | { method: null; shares: Record<string, number>; interactions: null; reason: string };

/** Fewer configurations than this leave a forest or a grid nothing to learn from. */
export const MIN_TRIALS = 4;

/**
 * `points[t][d]` is the value of `params[d]` in trial t and `losses[t]` its final validation loss
 * (lower is better; leave out runs without one). Throws a RangeError naming the trial and setting of
 * a value outside its range or list, and the index of a loss that is not finite.
 * opts: the forest's seed (default 0: the same trials give the same shares), its number of trees
 * (default 64) and smallest leaf (default 2 rows).
 */
export function importance(params: readonly ImportanceParam[], points: readonly (readonly (number | string)[])[], losses: readonly number[], opts: { seed?: number; trees?: number; minLeaf?: number } = {}): Importance {
  const forestOpts = { seed: opts.seed ?? 0, trees: opts.trees ?? 64, minLeaf: opts.minLeaf ?? 2 };
  for (const [key, v] of Object.entries(forestOpts)) {
    if (!Number.isSafeInteger(v) || v < (key === 'seed' ? 0 : 1)) throw new RangeError(`importance: opts.${key} must be a whole number${key === 'seed' ? '' : ' from 1'}, got ${v}`);
  }
  const features = params.map(feature);
  const { X, y } = meanPerConfiguration(design(params, points, losses), losses);
  if (params.length === 0) return nothing('no setting was swept');
  if (X.length < MIN_TRIALS) return nothing(`${X.length} distinct configuration${X.length === 1 ? '' : 's'} with a loss: at least ${MIN_TRIALS} are needed`);
  if (y.every((v) => v === y[0])) return nothing('the loss is the same in every configuration');
  const named = (shares: readonly number[]) => Object.fromEntries(params.map((p, d) => [p.name, shares[d]]));
  const grid = gridAnova(X, y);
  if (grid !== null) return { method: 'grid-anova', shares: named(grid.shares), interactions: grid.interactions, reason: null };
  const forest = forestMainEffects(features, X, y, forestOpts);
  if (forest === null) return nothing(`no tree of the forest could split its rows into leaves of ${forestOpts.minLeaf} or more`);
  return { method: 'fanova-forest', shares: named(forest.shares), interactions: forest.interactions, reason: null };
}

/** The trials as coded rows (see `code`), once every name, value and loss has been checked. */
function design(params: readonly ImportanceParam[], points: readonly (readonly (number | string)[])[], losses: readonly number[]): number[][] {
  if (new Set(params.map((p) => p.name)).size !== params.length) throw new RangeError('importance: two settings have the same name');
  if (points.length !== losses.length) throw new RangeError(`importance: ${points.length} points but ${losses.length} losses`);
  losses.forEach((v, t) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`importance: losses[${t}] must be a finite number, got ${String(v)}`);
  });
  return points.map((p, t) => {
    if (p.length !== params.length) throw new RangeError(`importance: points[${t}] has ${p.length} values for ${params.length} settings`);
    return p.map((v, d) => code(params[d], v, t));
  });
}

function nothing(reason: string): Importance {
  return { method: null, shares: {}, interactions: null, reason };
}

function feature(p: ImportanceParam): Feature {
  if ('values' in p) {
    if (p.values.length === 0 || new Set(p.values).size !== p.values.length) throw new RangeError(`importance: ${p.name} needs a list of distinct values`);
    return { kind: 'categorical', k: p.values.length };
  }
  if (!(Number.isFinite(p.min) && Number.isFinite(p.max) && p.min <= p.max) || (p.scale === 'log' && !(p.min > 0))) {
    throw new RangeError(`importance: ${p.name} has no valid ${p.scale} range [${p.min}, ${p.max}]`);
  }
  return { kind: 'numeric' };
}

/**
 * A value as the forest sees it: a category's index, or the position in [0, 1] across the range. A
 * grid point computed on a log scale may miss an end of its range by round-off, hence the slack.
 */
function code(p: ImportanceParam, v: number | string, t: number): number {
  if ('values' in p) {
    const c = p.values.indexOf(v);
    if (c < 0) throw new RangeError(`importance: points[${t}] has ${p.name} = ${String(v)}, not one of ${p.values.join(', ')}`);
    return c;
  }
  const slack = 1e-9 * Math.max(Math.abs(p.min), Math.abs(p.max));
  if (typeof v !== 'number' || !(v >= p.min - slack && v <= p.max + slack)) throw new RangeError(`importance: points[${t}] has ${p.name} = ${String(v)}, outside [${p.min}, ${p.max}]`);
  if (p.max === p.min) return 0;
  const u = p.scale === 'log' ? Math.log(v / p.min) / Math.log(p.max / p.min) : (v - p.min) / (p.max - p.min);
  return Math.min(1, Math.max(0, u));
}

/** The distinct configurations and the mean loss of each, in the order first seen. */
function meanPerConfiguration(coded: readonly number[][], losses: readonly number[]): { X: number[][]; y: number[] } {
  const at = new Map<string, number>();
  const X: number[][] = [];
  const sum: number[] = [];
  const count: number[] = [];
  coded.forEach((row, t) => {
    const key = row.join(',');
    let i = at.get(key);
    if (i === undefined) {
      i = X.length;
      at.set(key, i);
      X.push(row);
      sum.push(0);
      count.push(0);
    }
    sum[i] += losses[t];
    count[i] += 1;
  });
  return { X, y: sum.map((s, i) => s / count[i]) };
}

/**
 * When the distinct configurations X are every combination of the levels seen in each setting, the
 * decomposition of their losses y; null otherwise. With one loss per combination the design is
 * balanced, so the main effects are orthogonal and their variances and the interactions' add up to
 * the total (the interactions' share is >= 0 but for round-off).
 */
function gridAnova(X: readonly number[][], y: readonly number[]): { shares: number[]; interactions: number } | null {
  const levels = X[0].map((_, d) => [...new Set(X.map((row) => row[d]))]);
  if (levels.reduce((n, l) => n * l.length, 1) !== X.length) return null;
  let grand = 0;
  for (const v of y) grand += v;
  grand /= y.length;
  let total = 0;
  for (const v of y) total += (v - grand) ** 2;
  total /= y.length;
  const shares = levels.map((ls, d) => {
    let v = 0;
    for (const l of ls) {
      let s = 0;
      let n = 0;
      X.forEach((row, i) => {
        if (row[d] === l) {
          s += y[i];
          n += 1;
        }
      });
      v += (s / n - grand) ** 2;
    }
    return v / ls.length / total;
  });
  return { shares, interactions: Math.max(0, 1 - shares.reduce((a, b) => a + b, 0)) };
}
