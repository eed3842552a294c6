/**
 * A regression forest and the functional ANOVA of its trees (Hutter, Hoos and Leyton-Brown 2014,
 * "An Efficient Approach for Assessing Hyperparameter Importance"): how much of the variance of the
 * loss, as a function of the settings, each single setting explains on its own.
 *
 * The configuration space is the unit box: a numeric setting is mapped to [0, 1] (its log for a log
 * scale) and a categorical one is an index 0..k-1 whose categories are equally likely. A tree cuts
 * the space into boxes with a constant loss each, so everything the ANOVA needs is exact sums over
 * its leaves: the mean f0 = sum vol(leaf) value, the variance V = sum vol(leaf) (value - f0)^2, and
 * for setting d the marginal a_d(x) = sum over the leaves whose box holds x in d of value
 * vol(leaf) / width_d(leaf) (the mean over every other setting), constant between the tree's cuts
 * on d, whose variance over x is V_d. V_d / V is d's share in that tree; the forest reports the mean
 * of those fractions over its trees, as Hutter et al. do.
 */

/** How a setting is coded in a row of the design: a number in [0, 1], or a category index. */
export type Feature = { kind: 'numeric' } | { kind: 'categorical'; k: number };

interface ForestOptions {
  /** the draws of bootstrap samples, split candidates and unseen categories: same seed, same result */
  seed: number;
  trees: number;
  /** no leaf holds fewer bootstrap rows than this */
  minLeaf: number;
}

interface MainEffects {
  /** per feature, the mean over trees of its main effect's fraction of the tree's variance */
  shares: number[];
  /** the mean over trees of the fraction left to interactions */
  interactions: number;
}

/**
 * A small seeded generator: xorshift32 (Marsaglia 2003) with a Weyl sequence added so that its low
 * bits are not weak. The engine's generator lives in src-worker, which the shared layer may not
 * import; the forest needs only well-spread uniforms, and a fixed algorithm keeps it deterministic.
 */
function generator(seed: number): () => number {
  let x = (Math.imul(seed >>> 0, 0x2c1b3c6d) ^ 0x6a09e667) | 1;
  let w = Math.imul((seed / 4294967296) >>> 0, 0x297a2d39) ^ 0xbb67ae85;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    w = (w + 0x61c88647) | 0;
    return ((x + w) >>> 0) / 4294967296;
  };
}

/** A box of the space: per numeric feature [lo, hi], per categorical one the categories it holds. */
type Box = (readonly [number, number] | readonly boolean[])[];

/** A leaf of a tree: its box of the space and the mean loss of its rows. */
export interface Leaf {
  box: Box;
  value: number;
}

/**
 * A tree's view of the data: the coded rows by column, each row's loss, and how many times the
 * tree's bootstrap sample drew it (a row drawn twice counts twice in every sum, as two rows would).
 */
interface Sample {
  cols: readonly Float64Array[];
  y: readonly number[];
  weight: Float64Array;
}

/** The best split of a node on one feature: a cut between two values, or the categories going left. */
type Candidate = { gain: number; d: number; cut: number } | { gain: number; d: number; goes: boolean[]; seen: boolean[] };

/** How far a split lowers the sum of squares about each side's mean: sumL^2/nL + sumR^2/nR - total^2/n. */
function gain(left: number, nLeft: number, total: number, n: number): number {
  return (left * left) / nLeft + ((total - left) * (total - left)) / (n - nLeft) - (total * total) / n;
}

/** The best cut on numeric feature d of a node whose rows come sorted by d, at the midpoint between two neighbouring values. */
function numericSplit(d: number, sorted: readonly number[], { cols, y, weight }: Sample, minLeaf: number): Candidate | null {
  const x = cols[d];
  let total = 0;
  let n = 0;
  for (const r of sorted) {
    total += weight[r] * y[r];
    n += weight[r];
  }
  let left = 0;
  let nLeft = 0;
  let best = -Infinity;
  let at = -1;
  for (let i = 0; i < sorted.length - 1; i++) {
    left += weight[sorted[i]] * y[sorted[i]];
    nLeft += weight[sorted[i]];
    if (nLeft < minLeaf || n - nLeft < minLeaf || x[sorted[i]] === x[sorted[i + 1]]) continue;
    const g = gain(left, nLeft, total, n);
    if (g > best) {
      best = g;
      at = i;
    }
  }
  return at < 0 ? null : { gain: best, d, cut: (x[sorted[at]] + x[sorted[at + 1]]) / 2 };
}

/**
 * The best split of the categories of feature d into two sets. Ordering the categories seen in the
 * node by their mean loss and cutting that order is optimal for squared error (Breiman et al. 1984,
 * CART, section 9.4). Categories no row of the node has are placed later, once the split is chosen.
 */
function categoricalSplit(d: number, k: number, rows: readonly number[], { cols, y, weight }: Sample, minLeaf: number): Candidate | null {
  const x = cols[d];
  const sum = new Float64Array(k);
  const count = new Float64Array(k);
  for (const r of rows) {
    sum[x[r]] += weight[r] * y[r];
    count[x[r]] += weight[r];
  }
  const order: number[] = [];
  for (let c = 0; c < k; c++) if (count[c] > 0) order.push(c);
  order.sort((a, b) => sum[a] / count[a] - sum[b] / count[b] || a - b);
  let total = 0;
  let n = 0;
  for (const c of order) {
    total += sum[c];
    n += count[c];
  }
  let left = 0;
  let nLeft = 0;
  let best = -Infinity;
  let at = -1;
  for (let i = 0; i < order.length - 1; i++) {
    left += sum[order[i]];
    nLeft += count[order[i]];
    if (nLeft < minLeaf || n - nLeft < minLeaf) continue;
    const g = gain(left, nLeft, total, n);
    if (g > best) {
      best = g;
      at = i;
    }
  }
  if (at < 0) return null;
  const goes = new Array<boolean>(k).fill(false);
  for (let i = 0; i <= at; i++) goes[order[i]] = true;
  return { gain: best, d, goes, seen: Array.from(count, (c) => c > 0) };
}

/**
 * Grows one tree on its bootstrap sample and returns its leaves. At each node a random subset of
 * the features is searched (as in Breiman's random forests); when none of them can be cut, the
 * search goes on through the rest, so a node stops only when no feature separates its rows. Every
 * node keeps its rows in the order of each feature (`byFeature`, sorted once for the whole forest,
 * split in order), so no node sorts.
 */
function growTree(features: readonly Feature[], sample: Sample, byFeature: readonly (readonly number[])[], minLeaf: number, tried: number, random: () => number): Leaf[] {
  const { cols, y, weight } = sample;
  const root: Box = features.map((f) => (f.kind === 'numeric' ? ([0, 1] as const) : new Array<boolean>(f.k).fill(true)));
  const leaves: Leaf[] = [];
  const goesLeft = new Uint8Array(y.length);
  const stack: { sorted: number[][]; box: Box }[] = [{ sorted: byFeature.map((s) => s.filter((r) => weight[r] > 0)), box: root }];
  while (stack.length > 0) {
    const { sorted, box } = stack.pop()!;
    const here = sorted[0];
    let sum = 0;
    let n = 0;
    for (const r of here) {
      sum += weight[r] * y[r];
      n += weight[r];
    }
    let split: Candidate | null = null;
    if (n >= 2 * minLeaf && here.some((r) => y[r] !== y[here[0]])) {
      // a random order of the features; the first `tried` are the candidates
      const order = features.map((_, d) => d);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let i = 0; i < order.length && (i < tried || split === null); i++) {
        const d = order[i];
        const f = features[d];
        const c = f.kind === 'numeric' ? numericSplit(d, sorted[d], sample, minLeaf) : categoricalSplit(d, f.k, here, sample, minLeaf);
        if (c !== null && (split === null || c.gain > split.gain)) split = c;
      }
    }
    if (split === null) {
      leaves.push({ box, value: sum / n });
      continue;
    }
    const { d } = split;
    const x = cols[d];
    let left: Box[number];
    let right: Box[number];
    if ('cut' in split) {
      const { cut } = split;
      const [lo, hi] = box[d] as readonly [number, number];
      [left, right] = [[lo, cut], [cut, hi]];
      for (const r of here) goesLeft[r] = x[r] <= cut ? 1 : 0;
    } else {
      // a category of the box that no row here has goes to a random side: the data say nothing
      // about it, and over many trees that spreads it evenly
      const held = box[d] as readonly boolean[];
      const { seen } = split;
      const goes = split.goes.map((g, c) => g || (held[c] && !seen[c] && random() < 0.5));
      [left, right] = [held.map((h, c) => h && goes[c]), held.map((h, c) => h && !goes[c])];
      for (const r of here) goesLeft[r] = goes[x[r]] ? 1 : 0;
    }
    const sides = sorted.map((s) => {
      const l: number[] = [];
      const r: number[] = [];
      for (const row of s) (goesLeft[row] === 1 ? l : r).push(row);
      return [l, r];
    });
    stack.push({ sorted: sides.map(([l]) => l), box: box.map((b, j) => (j === d ? left : b)) });
    stack.push({ sorted: sides.map(([, r]) => r), box: box.map((b, j) => (j === d ? right : b)) });
  }
  return leaves;
}

function width(b: readonly [number, number] | readonly boolean[]): number {
  if (typeof b[0] === 'number') return (b[1] as number) - (b[0] as number);
  const held = b as readonly boolean[];
  return held.filter(Boolean).length / held.length;
}

/** Where `v`, one of the sorted distinct values `sorted`, is among them. */
function indexIn(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Each feature's main-effect variance V_d in one tree, and the tree's total variance V. */
export function treeAnova(features: readonly Feature[], leaves: readonly Leaf[]): { V: number; Vd: number[] } {
  const widths = leaves.map((l) => l.box.map(width));
  const volumes = widths.map((w) => w.reduce((a, b) => a * b, 1));
  let f0 = 0;
  leaves.forEach((l, i) => (f0 += volumes[i] * l.value));
  let V = 0;
  leaves.forEach((l, i) => (V += volumes[i] * (l.value - f0) ** 2));
  // A leaf adds value * vol / width_d, its mean over every other setting, to the marginal of d on
  // each piece of d's range its box holds: the pieces between the tree's cuts on d, or categories.
  const Vd = features.map((f, d) => {
    let v = 0;
    if (f.kind === 'numeric') {
      const ends = Float64Array.from(leaves.flatMap((l) => l.box[d] as readonly [number, number])).sort();
      const cuts = ends.filter((c, i) => i === 0 || c !== ends[i - 1]);
      // the marginal as differences between neighbouring pieces, summed up after
      const a = new Float64Array(cuts.length);
      leaves.forEach((l, i) => {
        const [lo, hi] = l.box[d] as readonly [number, number];
        const c = (l.value * volumes[i]) / widths[i][d];
        a[indexIn(cuts, lo)] += c;
        a[indexIn(cuts, hi)] -= c;
      });
      let m = 0;
      for (let p = 0; p < cuts.length - 1; p++) {
        m += a[p];
        v += (cuts[p + 1] - cuts[p]) * (m - f0) ** 2;
      }
    } else {
      const a = new Float64Array(f.k);
      leaves.forEach((l, i) => {
        const c = (l.value * volumes[i]) / widths[i][d];
        (l.box[d] as readonly boolean[]).forEach((held, cat) => {
          if (held) a[cat] += c;
        });
      });
      for (const m of a) v += (m - f0) ** 2 / f.k;
    }
    return v;
  });
  return { V, Vd };
}

/**
 * Fits the forest to rows X (coded as `features` say) and losses y, and averages each feature's
 * fraction of variance over the trees. Each split searches ceil(0.7 D) of the D features, the
 * ratio of DeepCAVE's fANOVA forest, which is all of them below four settings (the fanova
 * package's default searches all): on 96 noise-free points of 3 u1 + u2 with three idle settings besides (shares 0.9
 * and 0.1), searching 2 of the 5 gave u1 0.60-0.71 over ten draws of the points, 3 gave 0.77-0.86
 * and 4 gave 0.86-0.91: too few candidates force cuts on settings that do not matter.
 * A tree that is a single leaf (its bootstrap rows all alike) has no variance to share and is left
 * out of the mean; null when every tree is one.
 */
export function forestMainEffects(features: readonly Feature[], X: readonly (readonly number[])[], y: readonly number[], opts: ForestOptions): MainEffects | null {
  const random = generator(opts.seed);
  const tried = Math.ceil(0.7 * features.length);
  const cols = features.map((_, d) => Float64Array.from(X, (row) => row[d]));
  const byFeature = cols.map((x) => Array.from(x.keys()).sort((a, b) => x[a] - x[b]));
  const shares = features.map(() => 0);
  let interactions = 0;
  let trees = 0;
  for (let t = 0; t < opts.trees; t++) {
    const weight = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) weight[Math.floor(random() * y.length)] += 1;
    const { V, Vd } = treeAnova(features, growTree(features, { cols, y, weight }, byFeature, opts.minLeaf, tried, random));
    if (!(V > 0)) continue;
    trees += 1;
    let explained = 0;
    Vd.forEach((v, d) => {
      shares[d] += v / V;
      explained += v / V;
    });
    // main effects of a function are orthogonal parts of its variance, so this is >= 0 but for round-off
    interactions += Math.max(0, 1 - explained);
  }
  if (trees === 0) return null;
  return { shares: shares.map((s) => s / trees), interactions: interactions / trees };
}
