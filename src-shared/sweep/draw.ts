/**
 * A sweep's trials, the same for every cell. A grid is the product of each range's points (the
 * first range varies slowest); random search draws `trials` points, each setting independently:
 * log-uniform on a log range, uniform on a linear one, each value of a list equally likely.
 *
 * Each random number is a hash of (drawSeed, trial, range), not the next of one stream, so trial k
 * of a spec is the same whether it draws 10 trials or 100, and adding a range leaves the others'
 * draws as they were.
 */
import { isWhole, type SweepRange, type SweepValue } from './params.ts';

export interface TrialDraw {
  index: number;
  values: Record<string, SweepValue>;
}

/** Numbers kept to 6 significant digits, so a value reads as it was meant (1e-4, not 0.00010000000000000002). */
const tidy = (x: number): number => Number(x.toPrecision(6));

/** One range's value at a fraction u in [0, 1] of its scale. */
function at(r: Extract<SweepRange, { scale: unknown }>, u: number): number {
  const x = r.scale === 'log' ? Math.exp(Math.log(r.min) + u * (Math.log(r.max) - Math.log(r.min))) : r.min + u * (r.max - r.min);
  return isWhole(r.name) ? Math.min(r.max, Math.max(r.min, Math.round(x))) : Math.min(r.max, Math.max(r.min, tidy(x)));
}

/** A range's k evenly spaced points on its scale, ends included (whole settings rounded, repeats dropped). */
export function rangePoints(r: Extract<SweepRange, { scale: unknown }>, k: number): number[] {
  return [...new Set(Array.from({ length: k }, (_, i) => at(r, k === 1 ? 0 : i / (k - 1))))];
}

/**
 * The points a grid takes of each range: a list's values, a range's own `points`; the ranges
 * without points share what is left of `trials`, each taking the same count k = round((trials /
 * the others' product)^(1 / their number)), at least 2 (and at most the whole numbers in it), so
 * the grid is the nearest such product to `trials`.
 */
export function gridPoints(ranges: readonly SweepRange[], trials: number): SweepValue[][] {
  let fixed = 1;
  let free = 0;
  for (const r of ranges) {
    if ('values' in r) fixed *= r.values.length;
    else if (r.points !== undefined) fixed *= r.points;
    else free++;
  }
  const k = free === 0 ? 0 : Math.max(2, Math.round(Math.pow(trials / fixed, 1 / free)));
  return ranges.map((r) => {
    if ('values' in r) return r.values;
    const whole = isWhole(r.name) ? r.max - r.min + 1 : Infinity;
    return rangePoints(r, r.points ?? Math.min(k, whole));
  });
}

/** 32 well-mixed bits of (seed, a, b): the finaliser of MurmurHash3 over the three words in turn. */
function hash(seed: number, a: number, b: number): number {
  let h = (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) >>> 0, 0x27d4eb2f);
  for (const w of [a, b]) {
    h = Math.imul(h ^ w ^ (h >>> 15), 0x2c1b3c6d);
    h ^= h >>> 12;
    h = Math.imul(h, 0x297a2d39);
    h ^= h >>> 15;
    h = (h + 0x9e3779b9) | 0;
  }
  return h >>> 0;
}

/** A uniform number in [0, 1) for draw (trial, range) of a seed. */
const uniform = (seed: number, trial: number, range: number): number => hash(seed, trial, range) / 2 ** 32;

/** Every trial of a sweep, in order: the grid's product, or `trials` seeded draws. */
export function drawTrials(sweep: { search: 'grid' | 'random'; trials: number; drawSeed: number; ranges: readonly SweepRange[] }): TrialDraw[] {
  const { ranges } = sweep;
  if (sweep.search === 'grid') {
    let combos: SweepValue[][] = [[]];
    for (const points of gridPoints(ranges, sweep.trials)) combos = combos.flatMap((c) => points.map((p) => [...c, p]));
    return combos.map((c, index) => ({ index, values: Object.fromEntries(ranges.map((r, j) => [r.name, c[j]])) }));
  }
  return Array.from({ length: sweep.trials }, (_, index) => ({
    index,
    values: Object.fromEntries(ranges.map((r, j) => {
      const u = uniform(sweep.drawSeed, index, j);
      if ('values' in r) return [r.name, r.values[Math.floor(u * r.values.length)]];
      if (!isWhole(r.name)) return [r.name, at(r, u)];
      // whole numbers: each of min..max equally likely on a linear scale; on a log scale, rounded
      return [r.name, r.scale === 'linear' ? r.min + Math.floor(u * (r.max - r.min + 1)) : at(r, u)];
    })),
  }));
}
