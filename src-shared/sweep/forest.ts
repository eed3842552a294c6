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

/** The best split of a node on one feature: a cut between two values, or the categories going left. */
type Candidate = { gain: number; d: number; cut: number } | { gain: number; d: number; goes: boolean[] };

/**
 * The best cut on numeric feature d of a node whose rows come sorted by d, at the midpoint between
 * two neighbouring values. Cutting after the i-th row lowers the sum of squares about each side's
 * mean by sumL^2/nL + sumR^2/nR - total^2/n, which is maximised.
 */
function numericSplit(d: number, sorted: readonly number[], x: Float64Array, y: Float64Array, minLeaf: number): Candidate | null {
  let total = 0;
  for (const r of sorted) total += y[r];
  const n = sorted.length;
  let left = 0;
  let best: Candidate | null = null;
  for (let i = 0; i < n - 1; i++) {
    left += y[sorted[i]];
    if (i + 1 < minLeaf || n - i - 1 < minLeaf || x[sorted[i]] === x[sorted[i + 1]]) continue;
    const gain = (left * left) / (i + 1) + ((total - left) * (total - left)) / (n - i - 1) - (total * total) / n;
    if (best === null || gain > best.gain) best = { gain, d, cut: (x[sorted[i]] + x[sorted[i + 1]]) / 2 };
  }
  return best;
}

/**
 * The best split of the categories of feature d into two sets. Ordering the categories seen in the
 * node by their mean loss and cutting that order is optimal for squared error (Breiman et al. 1984,
 * CART, section 9.4). Categories no row of the node has are placed later, once the split is chosen.
 */
function categoricalSplit(d: number, k: number, rows: readonly number[], x: Float64Array, y: Float64Array, minLeaf: number): Candidate | null {
  const sum = new Float64Array(k);
  const count = new Float64Array(k);
  for (const r of rows) {
    sum[x[r]] += y[r];
    count[x[r]] += 1;
  }
  const seen = [...count.keys()].filter((c) => count[c] > 0).sort((a, b) => sum[a] / count[a] - sum[b] / count[b] || a - b);
  let total = 0;
  for (const c of seen) total += sum[c];
  const n = rows.length;
  let left = 0;
  let nLeft = 0;
  let best: { gain: number; at: number } | null = null;
  for (let i = 0; i < seen.length - 1; i++) {
    left += sum[seen[i]];
    nLeft += count[seen[i]];
    if (nLeft < minLeaf || n - nLeft < minLeaf) continue;
    const gain = (left * left) / nLeft + ((total - left) * (total - left)) / (n - nLeft) - (total * total) / n;
    if (best === null || gain > best.gain) best = { gain, at: i };
  }
  if (best === null) return null;
  const goes = new Array<boolean>(k).fill(false);
  for (let i = 0; i <= best.at; i++) goes[seen[i]] = true;
  return { gain: best.gain, d, goes };
}

/**
 * Grows one tree on the bootstrap rows and returns its leaves. At each node a random subset of the
 * features is searched (as in Breiman's random forests); when none of them can be cut, the search
 * goes on through the rest, so a node stops only when no feature separates its rows. Every node
 * keeps its rows sorted by each feature (sorted once at the root, split in order), so no node sorts.
 */
function growTree(features: readonly Feature[], X: readonly (readonly number[])[], y: readonly number[], rows: readonly number[], minLeaf: number, tried: number, random: () => number): Leaf[] {
  const n = rows.length;
  const cols = features.map((_, d) => Float64Array.from(rows, (r) => X[r][d]));
  const ys = Float64Array.from(rows, (r) => y[r]);
  const all = Array.from({ length: n }, (_, i) => i);
  const root: Box = features.map((f) => (f.kind === 'numeric' ? ([0, 1] as const) : new Array<boolean>(f.k).fill(true)));
  const leaves: Leaf[] = [];
  const goesLeft = new Uint8Array(n);
  const stack: { sorted: number[][]; box: Box }[] = [{ sorted: cols.map((x) => [...all].sort((a, b) => x[a] - x[b])), box: root }];
  while (stack.length > 0) {
    const { sorted, box } = stack.pop()!;
    const here = sorted[0];
    let sum = 0;
    for (const r of here) sum += ys[r];
    const flat = here.every((r) => ys[r] === ys[here[0]]);
    let split: Candidate | null = null;
    if (!flat && here.length >= 2 * minLeaf) {
      // a random order of the features; the first `tried` are the candidates
      const order = features.map((_, d) => d);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let i = 0; i < order.length && (i < tried || split === null); i++) {
        const d = order[i];
        const f = features[d];
        const c = f.kind === 'numeric' ? numericSplit(d, sorted[d], cols[d], ys, minLeaf) : categoricalSplit(d, f.k, here, cols[d], ys, minLeaf);
        if (c !== null && (split === null || c.gain > split.gain)) split = c;
      }
    }
    if (split === null) {
      leaves.push({ box, value: sum / here.length });
      continue;
    }
    const { d } = split;
    let left: Box[number];
    let right: Box[number];
    if ('cut' in split) {
      const { cut } = split;
      const [lo, hi] = box[d] as readonly [number, number];
      [left, right] = [[lo, cut], [cut, hi]];
      for (const r of here) goesLeft[r] = cols[d][r] <= cut ? 1 : 0;
    } else {
      // a category of the box that no row here has goes to a random side: the data say nothing
      // about it, and over many trees that spreads it evenly
      const held = box[d] as readonly boolean[];
      const goes = split.goes.map((g, c) => g || (held[c] && !here.some((r) => cols[d][r] === c) && random() < 0.5));
      [left, right] = [held.map((h, c) => h && goes[c]), held.map((h, c) => h && !goes[c])];
      for (const r of here) goesLeft[r] = goes[cols[d][r]] ? 1 : 0;
    }
    stack.push({ sorted: sorted.map((s) => s.filter((r) => goesLeft[r] === 1)), box: box.map((b, j) => (j === d ? left : b)) });
    stack.push({ sorted: sorted.map((s) => s.filter((r) => goesLeft[r] === 0)), box: box.map((b, j) => (j === d ? right : b)) });
  }
  return leaves;
}

/** [a, b, c, d] as [a, b], [c, d]: the half-open runs of pieces a box holds. */
function pairs(flat: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

function width(b: readonly [number, number] | readonly boolean[]): number {
  if (typeof b[0] === 'number') return (b[1] as number) - (b[0] as number);
  const held = b as readonly boolean[];
  return held.filter(Boolean).length / held.length;
}

/** Each feature's main-effect variance V_d in one tree, and the tree's total variance V. */
export function treeAnova(features: readonly Feature[], leaves: readonly Leaf[]): { V: number; Vd: number[] } {
  const widths = leaves.map((l) => l.box.map(width));
  const volumes = widths.map((w) => w.reduce((a, b) => a * b, 1));
  let f0 = 0;
  leaves.forEach((l, i) => (f0 += volumes[i] * l.value));
  let V = 0;
  leaves.forEach((l, i) => (V += volumes[i] * (l.value - f0) ** 2));
  const Vd = features.map((f, d) => {
    // the marginal of d on each piece of d's range between the tree's cuts on it (numeric), or on
    // each category; a leaf adds value * vol / width_d to every piece its box holds
    const marginal = (pieces: number, span: (b: Box[number]) => readonly number[]): number[] => {
      const a = new Array<number>(pieces + 1).fill(0);
      leaves.forEach((l, i) => {
        const c = (l.value * volumes[i]) / widths[i][d];
        for (const [from, to] of pairs(span(l.box[d]))) {
          a[from] += c;
          a[to] -= c;
        }
      });
      for (let p = 1; p <= pieces; p++) a[p] += a[p - 1];
      return a.slice(0, pieces);
    };
    let v = 0;
    if (f.kind === 'numeric') {
      const cuts = [...new Set(leaves.flatMap((l) => l.box[d] as readonly [number, number]))].sort((x, y) => x - y);
      const at = new Map(cuts.map((c, p) => [c, p]));
      const a = marginal(cuts.length - 1, (b) => [at.get(b[0] as number)!, at.get(b[1] as number)!]);
      a.forEach((m, p) => (v += (cuts[p + 1] - cuts[p]) * (m - f0) ** 2));
    } else {
      const a = marginal(f.k, (b) => (b as readonly boolean[]).flatMap((h, c) => (h ? [c, c + 1] : [])));
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
 * and 0.1), searching 2 of the 5 gave u1 0.61-0.76 over ten draws of the points, 3 gave 0.76-0.85
 * and 4 gave 0.87-0.91: too few candidates force cuts on settings that do not matter.
 * A tree that is a single leaf (its bootstrap rows all alike) has no variance to share and is left
 * out of the mean; null when every tree is one.
 */
export function forestMainEffects(features: readonly Feature[], X: readonly (readonly number[])[], y: readonly number[], opts: ForestOptions): MainEffects | null {
  const random = generator(opts.seed);
  const tried = Math.ceil(0.7 * features.length);
  const shares = features.map(() => 0);
  let interactions = 0;
  let trees = 0;
  for (let t = 0; t < opts.trees; t++) {
    const rows = y.map(() => Math.floor(random() * y.length));
    const { V, Vd } = treeAnova(features, growTree(features, X, y, rows, opts.minLeaf, tried, random));
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
