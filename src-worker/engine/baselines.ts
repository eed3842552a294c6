/**
 * What a model has to beat, in nats per character on the validation text:
 *   - uniform: ln V, knowing nothing;
 *   - unigram: character frequencies of the training text (the order-1 model below). Its cross-
 *     entropy on validation is the line to draw; the plain entropy of the training text's character
 *     distribution is reported beside it (it is what the unigram scores on its own training text);
 *   - character n-grams, n = 1..5: interpolated Kneser-Ney (Kneser and Ney 1995; the interpolated
 *     form of Chen and Goodman 1998) fitted on the training ids.
 *
 * Interpolated Kneser-Ney, for a model of order n and a context h of up to n - 1 characters:
 *   P_m(w | h) = (max(c_m(h w) - D_m, 0) + D_m N_m(h) P_{m-1}(w | h')) / sum_w' c_m(h w')
 * where h' is h without its first character, P_0(w) = 1/V, and N_m(h) the number of w with
 * c_m(h w) > 0. At the top order m = n, c_m is the raw count of the n-gram in the training text; at
 * every lower order it is the continuation count N1+(. h w), the number of distinct characters that
 * precede h w, so a character that appears in many contexts gets more of the backed-off mass than
 * one frequent in a single context. A context never seen (or seen only at the end of the text, with
 * no follower) leaves P_m = P_{m-1}. Every level is a proper distribution over the V characters, as
 * long as 0 < D_m <= 1 (every non-zero count is at least 1).
 * The discount of each order and kind of count is D = n1 / (n1 + 2 n2) (Ney, Essen and Kneser 1994),
 * n1 and n2 being how many grams have count 1 and 2; 0.75 when that is undefined; kept within
 * [0.1, 1].
 *
 * Validation positions are those of evaluate(): position i predicts ids[i + 1] from ids[0..i], with
 * the n - 1 characters before it as context; the first n - 2 positions, with less context, use the
 * model of order i + 2 (their longest context), so no position is left out.
 *
 * Counting uses no strings: an m-gram is a dense integer id, interned from the id of its first
 * m - 1 characters and its last character in an open-addressing hash table of typed arrays.
 */
import { ConfigError } from './config.ts';
import type { TokenIds } from './data.ts';

export interface Baselines {
  /** ln V */
  uniform: number;
  unigram: {
    /** cross-entropy of the order-1 model on the validation text: the baseline line */
    crossEntropy: number;
    /** plain entropy of the training text's character distribution */
    trainEntropy: number;
  };
  /** per order n = 1..maxOrder: interpolated Kneser-Ney cross-entropy on the validation text */
  ngram: { order: number; loss: number }[];
}

/** Every baseline at once, the n-gram counts shared by the orders. */
export function baselines(train: TokenIds, valid: TokenIds, V: number, opts: { maxOrder?: number } = {}): Baselines {
  const maxOrder = opts.maxOrder ?? 5;
  const model = new NgramModel(train, V, maxOrder);
  const ngram = [];
  for (let n = 1; n <= maxOrder; n++) ngram.push({ order: n, loss: model.crossEntropy(valid, n) });
  return { uniform: Math.log(V), unigram: { crossEntropy: ngram[0].loss, trainEntropy: entropy(train, V) }, ngram };
}

/** Entropy (nats) of the distribution of ids over V symbols, -sum p ln p. */
export function entropy(ids: TokenIds, V: number): number {
  checkIds('ids', ids, V, 1);
  const counts = new Float64Array(V);
  for (let i = 0; i < ids.length; i++) counts[ids[i]]++;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / ids.length) * Math.log(c / ids.length);
  return h;
}

/** Largest order: beyond it the tables grow with little gain on character text. */
const NGRAM_MAX_ORDER = 8;

export class NgramModel {
  readonly V: number;
  readonly maxOrder: number;
  /** per order m (index m, 1..maxOrder): D for raw counts and for continuation counts */
  readonly discountRaw: Float64Array;
  readonly discountCont: Float64Array;
  /** tables[m] interns (id of an (m-1)-gram, next character) -> id of the m-gram; order 0 is the empty context, id 0 */
  private readonly tables: PairTable[] = [];
  /** per order m, per m-gram id: raw count, continuation count */
  private readonly count: Int32Array[] = [];
  private readonly cont: Int32Array[] = [];
  /** per order m, per (m-1)-gram id (its context): sum and number of non-zero raw / continuation counts of its children */
  private readonly rawTotal: Float64Array[] = [];
  private readonly rawTypes: Int32Array[] = [];
  private readonly contTotal: Float64Array[] = [];
  private readonly contTypes: Int32Array[] = [];

  /** Counts every m-gram of train, m = 1..maxOrder. `discount` fixes D for every order (for tests). */
  constructor(train: TokenIds, V: number, maxOrder = 5, opts: { discount?: number } = {}) {
    if (!Number.isInteger(V) || V < 1 || V > 65536) throw new ConfigError('V', `must be a whole number from 1 to 65536, got ${V}`);
    if (!Number.isInteger(maxOrder) || maxOrder < 1 || maxOrder > NGRAM_MAX_ORDER) throw new ConfigError('maxOrder', `must be a whole number from 1 to ${NGRAM_MAX_ORDER}, got ${maxOrder}`);
    if (opts.discount !== undefined && !(opts.discount > 0 && opts.discount <= 1)) throw new ConfigError('discount', `must be in (0, 1], got ${opts.discount}`);
    checkIds('train', train, V, 1);
    this.V = V;
    this.maxOrder = maxOrder;
    this.discountRaw = new Float64Array(maxOrder + 1);
    this.discountCont = new Float64Array(maxOrder + 1);
    const N = train.length;
    this.tables.push(new PairTable(1)); // order 0: only the empty context, id 0
    this.tables[0].intern(-1, 0);
    let prev = new Int32Array(N); // ids of the (m-1)-grams ending at each position (order 0: all 0)
    for (let m = 1; m <= maxOrder; m++) {
      const table = new PairTable(Math.min(N, 1 << 16));
      const cur = new Int32Array(N).fill(-1);
      const count = new Int32Array(Math.max(1, N - m + 1));
      for (let i = m - 1; i < N; i++) {
        const id = table.intern(m === 1 ? 0 : prev[i - 1], train[i]);
        cur[i] = id;
        count[id]++;
        // a new m-gram is one more distinct left neighbour of its suffix, the (m-1)-gram ending at i
        if (table.added && m >= 2) this.cont[m - 1][prev[i]]++;
      }
      this.tables.push(table);
      this.count[m] = count;
      this.cont[m] = new Int32Array(count.length);
      prev = cur;
    }
    for (let m = 1; m <= maxOrder; m++) {
      const table = this.tables[m];
      const parents = this.tables[m - 1].size;
      const rawTotal = new Float64Array(parents);
      const rawTypes = new Int32Array(parents);
      const contTotal = new Float64Array(parents);
      const contTypes = new Int32Array(parents);
      const count = this.count[m];
      const cont = this.cont[m];
      for (let id = 0; id < table.size; id++) {
        const p = table.parent[id];
        rawTotal[p] += count[id];
        rawTypes[p]++;
        if (cont[id] > 0) {
          contTotal[p] += cont[id];
          contTypes[p]++;
        }
      }
      this.rawTotal[m] = rawTotal;
      this.rawTypes[m] = rawTypes;
      this.contTotal[m] = contTotal;
      this.contTypes[m] = contTypes;
      this.discountRaw[m] = opts.discount ?? discount(count, table.size);
      this.discountCont[m] = opts.discount ?? discount(cont, table.size);
    }
  }

  /** P(w | context) under the model of the given order, from the last order - 1 ids of context (fewer if it is shorter). */
  prob(context: ArrayLike<number>, w: number, order = this.maxOrder): number {
    this.checkOrder(order);
    if (!(Number.isInteger(w) && w >= 0 && w < this.V)) throw new ConfigError('w', `token id ${w} is outside the vocabulary of ${this.V}`);
    const len = Math.min(order - 1, context.length);
    for (let i = context.length - len; i < context.length; i++) {
      const c = context[i];
      if (!(Number.isInteger(c) && c >= 0 && c < this.V)) throw new ConfigError('context', `token id ${c} at position ${i} is outside the vocabulary of ${this.V}`);
    }
    let p = 1 / this.V;
    const top = len + 1;
    for (let m = 1; m <= top; m++) {
      // id of the context of order m: the last m - 1 ids of context
      let h = 0;
      for (let i = context.length - (m - 1); i < context.length && h >= 0; i++) h = this.tables[i - (context.length - (m - 1)) + 1].find(h, context[i]);
      if (h < 0) break;
      p = this.level(m, m === top, h, this.tables[m].find(h, w), p);
    }
    return p;
  }

  /** The whole distribution over the V ids after context, into out (length V). */
  distribution(context: ArrayLike<number>, order = this.maxOrder, out = new Float64Array(this.V)): Float64Array {
    for (let w = 0; w < this.V; w++) out[w] = this.prob(context, w, order);
    return out;
  }

  /** Mean -ln P(ids[i + 1] | ids[..i]) over i = 0..n-2, nats per character. */
  crossEntropy(ids: TokenIds, order = this.maxOrder): number {
    this.checkOrder(order);
    checkIds('ids', ids, this.V, 2);
    const n = ids.length;
    // gram[m][i]: id of the m-gram ending at i in the training tables, -1 if it never occurred there
    const gram: Int32Array[] = [new Int32Array(n)];
    for (let m = 1; m <= order; m++) {
      const g = new Int32Array(n).fill(-1);
      const below = gram[m - 1];
      const table = this.tables[m];
      for (let i = m - 1; i < n; i++) {
        const h = m === 1 ? 0 : below[i - 1];
        if (h >= 0) g[i] = table.find(h, ids[i]);
      }
      gram.push(g);
    }
    let total = 0;
    for (let i = 0; i + 1 < n; i++) {
      const top = Math.min(order, i + 2);
      let p = 1 / this.V;
      for (let m = 1; m <= top; m++) {
        const h = gram[m - 1][i];
        if (h < 0) break;
        p = this.level(m, m === top, h, gram[m][i + 1], p);
      }
      total -= Math.log(p);
    }
    return total / (n - 1);
  }

  /** One level of the recursion: P_m(w | h) from P_{m-1} = lower; g is the id of h w at order m (-1 if unseen). */
  private level(m: number, top: boolean, h: number, g: number, lower: number): number {
    const total = top ? this.rawTotal[m][h] : this.contTotal[m][h];
    if (total === 0) return lower;
    const c = g < 0 ? 0 : top ? this.count[m][g] : this.cont[m][g];
    const types = top ? this.rawTypes[m][h] : this.contTypes[m][h];
    const D = top ? this.discountRaw[m] : this.discountCont[m];
    return (Math.max(c - D, 0) + D * types * lower) / total;
  }

  private checkOrder(order: number): void {
    if (!Number.isInteger(order) || order < 1 || order > this.maxOrder) throw new ConfigError('order', `must be a whole number from 1 to ${this.maxOrder} (the model's largest order), got ${order}`);
  }
}

/** n1 / (n1 + 2 n2) over counts[0..size), 0.75 when undefined, kept within [0.1, 1]. */
function discount(counts: Int32Array, size: number): number {
  let n1 = 0;
  let n2 = 0;
  for (let i = 0; i < size; i++) {
    if (counts[i] === 1) n1++;
    else if (counts[i] === 2) n2++;
  }
  const d = n1 + 2 * n2 > 0 ? n1 / (n1 + 2 * n2) : 0.75;
  return Math.min(1, Math.max(0.1, d));
}

function checkIds(field: string, ids: TokenIds, V: number, minLength: number): void {
  if (ids.length < minLength) throw new ConfigError(field, `needs at least ${minLength} character${minLength === 1 ? '' : 's'}, got ${ids.length}`);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < V)) throw new ConfigError(field, `token id ${id} at position ${i} is outside the vocabulary of ${V}`);
  }
}

/**
 * (parent id, symbol) -> dense id 0, 1, 2, ... in order of first interning; open addressing with
 * linear probing over typed arrays, doubling when half full.
 */
class PairTable {
  size = 0;
  /** whether the last intern() added a new pair */
  added = false;
  parent: Int32Array;
  symbol: Int32Array;
  private slots: Int32Array; // id + 1, or 0 for empty
  private mask: number;

  constructor(expected: number) {
    let cap = 16;
    while (cap < 2 * expected) cap *= 2;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    this.parent = new Int32Array(Math.max(16, expected));
    this.symbol = new Int32Array(Math.max(16, expected));
  }

  intern(p: number, s: number): number {
    let i = hash(p, s) & this.mask;
    for (;;) {
      const e = this.slots[i];
      if (e === 0) break;
      if (this.parent[e - 1] === p && this.symbol[e - 1] === s) {
        this.added = false;
        return e - 1;
      }
      i = (i + 1) & this.mask;
    }
    const id = this.size++;
    if (id === this.parent.length) {
      const grow = (a: Int32Array): Int32Array => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.parent = grow(this.parent);
      this.symbol = grow(this.symbol);
    }
    this.parent[id] = p;
    this.symbol[id] = s;
    this.slots[i] = id + 1;
    this.added = true;
    if (2 * this.size > this.slots.length) this.rehash();
    return id;
  }

  find(p: number, s: number): number {
    let i = hash(p, s) & this.mask;
    for (;;) {
      const e = this.slots[i];
      if (e === 0) return -1;
      if (this.parent[e - 1] === p && this.symbol[e - 1] === s) return e - 1;
      i = (i + 1) & this.mask;
    }
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.size; id++) {
      let i = hash(this.parent[id], this.symbol[id]) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = id + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

function hash(p: number, s: number): number {
  let h = Math.imul(p, 0x9e3779b1) ^ Math.imul(s + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}
