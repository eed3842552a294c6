/**
 * The cells' per-step elementwise work in one pass over each gate block (f32x4, the tail of a row
 * four lanes wide too, lane 0 only stored), beside the products of gemm.as.ts in the same module.
 * Same maths as the TypeScript loops of ../cells/*.ts, in f32 with the activations of simd.as.ts;
 * pointers are bytes into the shared memory, rows of the gate blocks G*H floats apart, of the state
 * H apart, B rows (streams) each. ../kernels-wasm.ts checks every span before calling.
 */
import { madd, vexp, vsigmoid, vtanh } from './simd.as';

const ACT_EXP: i32 = 0;
const ACT_SIGMOID: i32 = 1;
const ACT_TANH: i32 = 2;

/** out[0..n) = f(x[0..n)): the activations alone, for their accuracy tests. */
export function activation(f: i32, n: i32, x: usize, out: usize): void {
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i * 4;
    const v = i + 4 <= n ? v128.load(x + o) : loadTail(x + o, n - i);
    const y = f == ACT_EXP ? vexp(v) : f == ACT_SIGMOID ? vsigmoid(v) : vtanh(v);
    if (i + 4 <= n) v128.store(out + o, y);
    else storeTail(out + o, y, n - i);
  }
}

/** the first `lanes` (1 to 3) floats at p, the other lanes 0 */
@inline
function loadTail(p: usize, lanes: i32): v128 {
  let v = v128.load32_zero(p);
  if (lanes > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (lanes > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

@inline
function storeTail(p: usize, v: v128, lanes: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (lanes > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (lanes > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

@inline
function ld(p: usize, lanes: i32): v128 {
  return lanes == 4 ? v128.load(p) : loadTail(p, lanes);
}

@inline
function st(p: usize, v: v128, lanes: i32): void {
  if (lanes == 4) v128.store(p, v);
  else storeTail(p, v, lanes);
}

/**
 * LSTM step t forward: a = xw + step + bh per gate block; i, f, o = sigma, g = tanh;
 * c = f c_prev + i g; acts = (i, f, g, o), aux = tanh(c), h = o tanh(c).
 */
export function lstmForward(B: i32, H: i32, xw: usize, step: usize, bh: usize, csPrev: usize, csCur: usize,
  acts: usize, aux: usize, hsCur: usize): void {
  const hB = <usize>H * 4;
  for (let b = 0; b < B; b++) {
    const g = <usize>b * 4 * hB; // byte offset of this stream's gate row
    const s = <usize>b * hB; // ... of its state row
    for (let j = 0; j < H; j += 4) {
      const lanes = min(4, H - j);
      const o = <usize>j * 4;
      const x = xw + g + o, y = step + g + o, z = bh + o, a = acts + g + o;
      const ig = vsigmoid(f32x4.add(f32x4.add(ld(x, lanes), ld(y, lanes)), ld(z, lanes)));
      const fg = vsigmoid(f32x4.add(f32x4.add(ld(x + hB, lanes), ld(y + hB, lanes)), ld(z + hB, lanes)));
      const gg = vtanh(f32x4.add(f32x4.add(ld(x + 2 * hB, lanes), ld(y + 2 * hB, lanes)), ld(z + 2 * hB, lanes)));
      const og = vsigmoid(f32x4.add(f32x4.add(ld(x + 3 * hB, lanes), ld(y + 3 * hB, lanes)), ld(z + 3 * hB, lanes)));
      const c = madd(fg, ld(csPrev + s + o, lanes), f32x4.mul(ig, gg));
      const tc = vtanh(c);
      st(a, ig, lanes);
      st(a + hB, fg, lanes);
      st(a + 2 * hB, gg, lanes);
      st(a + 3 * hB, og, lanes);
      st(csCur + s + o, c, lanes);
      st(aux + s + o, tc, lanes);
      st(hsCur + s + o, f32x4.mul(og, tc), lanes);
    }
  }
}

/**
 * LSTM step t backward: from the gates (acts), tanh(c_t) (aux), c_{t-1} (csPrev), the gradient
 * reaching h_t (dhs + dhNext) and c_t (dcNext), the pre-activation gradients dxw; dcNext becomes
 * the gradient reaching c_{t-1}.
 */
export function lstmBackward(B: i32, H: i32, acts: usize, aux: usize, csPrev: usize, dhs: usize, dhNext: usize,
  dcNext: usize, dxw: usize): void {
  const hB = <usize>H * 4;
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const g = <usize>b * 4 * hB;
    const s = <usize>b * hB;
    for (let j = 0; j < H; j += 4) {
      const lanes = min(4, H - j);
      const o = <usize>j * 4;
      const a = acts + g + o, d = dxw + g + o;
      const ig = ld(a, lanes), fg = ld(a + hB, lanes), gg = ld(a + 2 * hB, lanes), og = ld(a + 3 * hB, lanes);
      const tc = ld(aux + s + o, lanes);
      const dh = f32x4.add(ld(dhs + s + o, lanes), ld(dhNext + s + o, lanes));
      const dc = madd(f32x4.mul(dh, og), f32x4.sub(one, f32x4.mul(tc, tc)), ld(dcNext + s + o, lanes));
      st(d, f32x4.mul(f32x4.mul(dc, gg), f32x4.mul(ig, f32x4.sub(one, ig))), lanes);
      st(d + hB, f32x4.mul(f32x4.mul(dc, ld(csPrev + s + o, lanes)), f32x4.mul(fg, f32x4.sub(one, fg))), lanes);
      st(d + 2 * hB, f32x4.mul(f32x4.mul(dc, ig), f32x4.sub(one, f32x4.mul(gg, gg))), lanes);
      st(d + 3 * hB, f32x4.mul(f32x4.mul(dh, tc), f32x4.mul(og, f32x4.sub(one, og))), lanes);
      st(dcNext + s + o, f32x4.mul(dc, fg), lanes);
    }
  }
}

/** RNN step t forward: h = tanh(xw + step + bh), B rows of H. */
export function rnnForward(B: i32, H: i32, xw: usize, step: usize, bh: usize, hsCur: usize): void {
  for (let b = 0; b < B; b++) {
    const s = <usize>b * <usize>H * 4;
    for (let j = 0; j < H; j += 4) {
      const lanes = min(4, H - j);
      const o = s + <usize>j * 4;
      st(hsCur + o, vtanh(f32x4.add(f32x4.add(ld(xw + o, lanes), ld(step + o, lanes)), ld(bh + <usize>j * 4, lanes))), lanes);
    }
  }
}

/** RNN step t backward: dxw = (dhs + dhNext) (1 - h^2) over n = B H floats. */
export function rnnBackward(n: i32, hsCur: usize, dhs: usize, dhNext: usize, dxw: usize): void {
  const one = f32x4.splat(1);
  for (let i = 0; i < n; i += 4) {
    const lanes = min(4, n - i);
    const o = <usize>i * 4;
    const h = ld(hsCur + o, lanes);
    st(dxw + o, f32x4.mul(f32x4.add(ld(dhs + o, lanes), ld(dhNext + o, lanes)), f32x4.sub(one, f32x4.mul(h, h))), lanes);
  }
}

/**
 * GRU (reset-after) step t forward: r, z = sigma(xw + step + bh), hn = step_n + bh_n (aux),
 * n = tanh(xw_n + r hn), h = z h_prev + (1 - z) n; acts = (r, z, n).
 */
export function gruRAForward(B: i32, H: i32, xw: usize, step: usize, bh: usize, hsPrev: usize, hsCur: usize,
  acts: usize, aux: usize): void {
  const hB = <usize>H * 4;
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const g = <usize>b * 3 * hB;
    const s = <usize>b * hB;
    for (let j = 0; j < H; j += 4) {
      const lanes = min(4, H - j);
      const o = <usize>j * 4;
      const x = xw + g + o, y = step + g + o, z = bh + o, a = acts + g + o;
      const rg = vsigmoid(f32x4.add(f32x4.add(ld(x, lanes), ld(y, lanes)), ld(z, lanes)));
      const zg = vsigmoid(f32x4.add(f32x4.add(ld(x + hB, lanes), ld(y + hB, lanes)), ld(z + hB, lanes)));
      const hn = f32x4.add(ld(y + 2 * hB, lanes), ld(z + 2 * hB, lanes));
      const ng = vtanh(madd(rg, hn, ld(x + 2 * hB, lanes)));
      st(a, rg, lanes);
      st(a + hB, zg, lanes);
      st(a + 2 * hB, ng, lanes);
      st(aux + s + o, hn, lanes);
      st(hsCur + s + o, madd(zg, ld(hsPrev + s + o, lanes), f32x4.mul(f32x4.sub(one, zg), ng)), lanes);
    }
  }
}

/** GRU (reset-after) step t backward: dxw, dhw (its n block times r) and dhNext = dh z. */
export function gruRABackward(B: i32, H: i32, acts: usize, aux: usize, hsPrev: usize, dhs: usize, dhNext: usize,
  dxw: usize, dhw: usize): void {
  const hB = <usize>H * 4;
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const g = <usize>b * 3 * hB;
    const s = <usize>b * hB;
    for (let j = 0; j < H; j += 4) {
      const lanes = min(4, H - j);
      const o = <usize>j * 4;
      const a = acts + g + o;
      const rg = ld(a, lanes), zg = ld(a + hB, lanes), ng = ld(a + 2 * hB, lanes);
      const dh = f32x4.add(ld(dhs + s + o, lanes), ld(dhNext + s + o, lanes));
      const dan = f32x4.mul(f32x4.mul(dh, f32x4.sub(one, zg)), f32x4.sub(one, f32x4.mul(ng, ng)));
      const dar = f32x4.mul(f32x4.mul(dan, ld(aux + s + o, lanes)), f32x4.mul(rg, f32x4.sub(one, rg)));
      const daz = f32x4.mul(f32x4.mul(dh, f32x4.sub(ld(hsPrev + s + o, lanes), ng)), f32x4.mul(zg, f32x4.sub(one, zg)));
      st(dxw + g + o, dar, lanes);
      st(dxw + g + o + hB, daz, lanes);
      st(dxw + g + o + 2 * hB, dan, lanes);
      st(dhw + g + o, dar, lanes);
      st(dhw + g + o + hB, daz, lanes);
      st(dhw + g + o + 2 * hB, f32x4.mul(dan, rg), lanes);
      st(dhNext + s + o, f32x4.mul(dh, zg), lanes);
    }
  }
}

/** GRU (Cho) step t forward, before the product of g: r, z = sigma(xw + step); aux = r h_prev. */
export function gruGates(B: i32, H: i32, xw: usize, step: usize, hsPrev: usize, acts: usize, aux: usize): void {
  const hB = <usize>H * 4;
  for (let b = 0; b < B; b++) {
    const g = <usize>b * 3 * hB;
    const s = <usize>b * hB;
    for (let j = 0; j < H; j += 4) {
      const lanes = min(4, H - j);
      const o = <usize>j * 4;
      const rg = vsigmoid(f32x4.add(ld(xw + g + o, lanes), ld(step + g + o, lanes)));
      st(acts + g + o, rg, lanes);
      st(acts + g + o + hB, vsigmoid(f32x4.add(ld(xw + g + o + hB, lanes), ld(step + g + o + hB, lanes))), lanes);
      st(aux + s + o, f32x4.mul(rg, ld(hsPrev + s + o, lanes)), lanes);
    }
  }
}

/** GRU (Cho) step t forward, after it: g = tanh(xw_g + step_g), h = z h_prev + (1 - z) g. */
export function gruOut(B: i32, H: i32, xw: usize, step: usize, hsPrev: usize, hsCur: usize, acts: usize): void {
  const hB = <usize>H * 4;
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const g = <usize>b * 3 * hB;
    const s = <usize>b * hB;
    for (let j = 0; j < H; j += 4) {
      const lanes = min(4, H - j);
      const o = <usize>j * 4;
      const zg = ld(acts + g + o + hB, lanes);
      const gg = vtanh(f32x4.add(ld(xw + g + o + 2 * hB, lanes), ld(step + g + o + 2 * hB, lanes)));
      st(acts + g + o + 2 * hB, gg, lanes);
      st(hsCur + s + o, madd(zg, ld(hsPrev + s + o, lanes), f32x4.mul(f32x4.sub(one, zg), gg)), lanes);
    }
  }
}

/** GRU (Cho) step t backward, first part: the g and z blocks of dxw; dhNext = dh z. */
export function gruBackOut(B: i32, H: i32, acts: usize, hsPrev: usize, dhs: usize, dhNext: usize, dxw: usize): void {
  const hB = <usize>H * 4;
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const g = <usize>b * 3 * hB;
    const s = <usize>b * hB;
    for (let j = 0; j < H; j += 4) {
      const lanes = min(4, H - j);
      const o = <usize>j * 4;
      const zg = ld(acts + g + o + hB, lanes), gg = ld(acts + g + o + 2 * hB, lanes);
      const dh = f32x4.add(ld(dhs + s + o, lanes), ld(dhNext + s + o, lanes));
      st(dxw + g + o + 2 * hB, f32x4.mul(f32x4.mul(dh, f32x4.sub(one, zg)), f32x4.sub(one, f32x4.mul(gg, gg))), lanes);
      st(dxw + g + o + hB, f32x4.mul(f32x4.mul(dh, f32x4.sub(ld(hsPrev + s + o, lanes), gg)), f32x4.mul(zg, f32x4.sub(one, zg))), lanes);
      st(dhNext + s + o, f32x4.mul(dh, zg), lanes);
    }
  }
}

/** GRU (Cho) step t backward, after d(r h_prev) is in dTmp: the r block of dxw; dhNext += d(r h) r. */
export function gruBackReset(B: i32, H: i32, acts: usize, hsPrev: usize, dTmp: usize, dhNext: usize, dxw: usize): void {
  const hB = <usize>H * 4;
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const g = <usize>b * 3 * hB;
    const s = <usize>b * hB;
    for (let j = 0; j < H; j += 4) {
      const lanes = min(4, H - j);
      const o = <usize>j * 4;
      const rg = ld(acts + g + o, lanes);
      const drh = ld(dTmp + s + o, lanes);
      st(dxw + g + o, f32x4.mul(f32x4.mul(drh, ld(hsPrev + s + o, lanes)), f32x4.mul(rg, f32x4.sub(one, rg))), lanes);
      st(dhNext + s + o, madd(drh, rg, ld(dhNext + s + o, lanes)), lanes);
    }
  }
}

/**
 * Peephole LSTM step t forward: as lstmForward, with p_i c_{t-1} and p_f c_{t-1} added to the i
 * and f pre-activations and p_o c_t to o's (peep holds the rows p_i, p_f, p_o).
 */
export function lstmPeepForward(B: i32, H: i32, xw: usize, step: usize, bh: usize, peep: usize, csPrev: usize,
  csCur: usize, acts: usize, aux: usize, hsCur: usize): void {
  const hB = <usize>H * 4;
  for (let b = 0; b < B; b++) {
    const g = <usize>b * 4 * hB;
    const s = <usize>b * hB;
    for (let j = 0; j < H; j += 4) {
      const lanes = min(4, H - j);
      const o = <usize>j * 4;
      const x = xw + g + o, y = step + g + o, z = bh + o, a = acts + g + o, q = peep + o;
      const cPrev = ld(csPrev + s + o, lanes);
      const ig = vsigmoid(madd(ld(q, lanes), cPrev, f32x4.add(f32x4.add(ld(x, lanes), ld(y, lanes)), ld(z, lanes))));
      const fg = vsigmoid(madd(ld(q + hB, lanes), cPrev, f32x4.add(f32x4.add(ld(x + hB, lanes), ld(y + hB, lanes)), ld(z + hB, lanes))));
      const gg = vtanh(f32x4.add(f32x4.add(ld(x + 2 * hB, lanes), ld(y + 2 * hB, lanes)), ld(z + 2 * hB, lanes)));
      const c = madd(fg, cPrev, f32x4.mul(ig, gg));
      const og = vsigmoid(madd(ld(q + 2 * hB, lanes), c, f32x4.add(f32x4.add(ld(x + 3 * hB, lanes), ld(y + 3 * hB, lanes)), ld(z + 3 * hB, lanes))));
      const tc = vtanh(c);
      st(a, ig, lanes);
      st(a + hB, fg, lanes);
      st(a + 2 * hB, gg, lanes);
      st(a + 3 * hB, og, lanes);
      st(csCur + s + o, c, lanes);
      st(aux + s + o, tc, lanes);
      st(hsCur + s + o, f32x4.mul(og, tc), lanes);
    }
  }
}

/** Peephole LSTM step t backward: as lstmBackward, with the peepholes' paths; accumulates into dpeep. */
export function lstmPeepBackward(B: i32, H: i32, acts: usize, aux: usize, csPrev: usize, peep: usize, dpeep: usize,
  dhs: usize, dhNext: usize, dcNext: usize, dxw: usize): void {
  const hB = <usize>H * 4;
  const bhB = <usize>B * hB;
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const g = <usize>b * 4 * hB;
    const s = <usize>b * hB;
    for (let j = 0; j < H; j += 4) {
      const lanes = min(4, H - j);
      const o = <usize>j * 4;
      const a = acts + g + o, d = dxw + g + o, q = peep + o, dq = dpeep + o;
      const ig = ld(a, lanes), fg = ld(a + hB, lanes), gg = ld(a + 2 * hB, lanes), og = ld(a + 3 * hB, lanes);
      const tc = ld(aux + s + o, lanes);
      const cPrev = ld(csPrev + s + o, lanes);
      const c = ld(csPrev + bhB + s + o, lanes);
      const dh = f32x4.add(ld(dhs + s + o, lanes), ld(dhNext + s + o, lanes));
      const dao = f32x4.mul(f32x4.mul(dh, tc), f32x4.mul(og, f32x4.sub(one, og)));
      const dc = madd(dao, ld(q + 2 * hB, lanes), madd(f32x4.mul(dh, og), f32x4.sub(one, f32x4.mul(tc, tc)), ld(dcNext + s + o, lanes)));
      const dai = f32x4.mul(f32x4.mul(dc, gg), f32x4.mul(ig, f32x4.sub(one, ig)));
      const daf = f32x4.mul(f32x4.mul(dc, cPrev), f32x4.mul(fg, f32x4.sub(one, fg)));
      st(d, dai, lanes);
      st(d + hB, daf, lanes);
      st(d + 2 * hB, f32x4.mul(f32x4.mul(dc, ig), f32x4.sub(one, f32x4.mul(gg, gg))), lanes);
      st(d + 3 * hB, dao, lanes);
      st(dcNext + s + o, madd(daf, ld(q + hB, lanes), madd(dai, ld(q, lanes), f32x4.mul(dc, fg))), lanes);
      st(dq, madd(dai, cPrev, ld(dq, lanes)), lanes);
      st(dq + hB, madd(daf, cPrev, ld(dq + hB, lanes)), lanes);
      st(dq + 2 * hB, madd(dao, c, ld(dq + 2 * hB, lanes)), lanes);
    }
  }
}

/** softmaxRow's max(z) - z[target], exact in f64 (a global: no memory, and one per instance). */
export let rowShift: f64 = 0;

/**
 * One row of the decoder's softmax cross-entropy, in place: z = logits + bd, probs = softmax(z),
 * and the sum of exp(z - max z) returned in f64, with max z - z[target] in rowShift: the row's loss
 * is rowShift + log(sum), taken by the host (a log here would bring its tables into the module's
 * data, which would land in the shared memory the heap hands out). NaN for a target outside the row.
 */
export function softmaxRow(V: i32, row: usize, bd: usize, target: i32): f64 {
  let vmax = f32x4.splat(-Infinity);
  let smax: f32 = -Infinity;
  let j = 0;
  for (; j + 4 <= V; j += 4) {
    const o = <usize>j * 4;
    const z = f32x4.add(v128.load(row + o), v128.load(bd + o));
    v128.store(row + o, z);
    vmax = f32x4.max(vmax, z);
  }
  for (; j < V; j++) {
    const o = <usize>j * 4;
    const z = load<f32>(row + o) + load<f32>(bd + o);
    store<f32>(row + o, z);
    smax = max(smax, z);
  }
  const m = max(max(max(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)),
    max(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3))), smax);
  if (target < 0 || target >= V) return NaN;
  rowShift = <f64>m - <f64>load<f32>(row + <usize>target * 4);
  const mv = f32x4.splat(m);
  let sum = f64x2.splat(0);
  let tail: f64 = 0;
  for (j = 0; j < V; j += 4) {
    const lanes = min(4, V - j);
    const o = <usize>j * 4;
    const e = vexp(f32x4.sub(ld(row + o, lanes), mv));
    if (lanes == 4) {
      sum = f64x2.add(sum, f64x2.add(f64x2.promote_low_f32x4(e), f64x2.promote_low_f32x4(i32x4.shuffle(e, e, 2, 3, 0, 1))));
    } else {
      tail += <f64>f32x4.extract_lane(e, 0);
      if (lanes > 1) tail += <f64>f32x4.extract_lane(e, 1);
      if (lanes > 2) tail += <f64>f32x4.extract_lane(e, 2);
    }
    st(row + o, e, lanes);
  }
  const total = f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1) + tail;
  const inv = f32x4.splat(<f32>(1 / total));
  for (j = 0; j < V; j += 4) {
    const lanes = min(4, V - j);
    const o = <usize>j * 4;
    st(row + o, f32x4.mul(ld(row + o, lanes), inv), lanes);
  }
  return total;
}
