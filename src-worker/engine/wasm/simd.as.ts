/**
 * Lane-wise arithmetic shared by the WebAssembly kernels (gemm.as.ts, fused.as.ts): the multiply-add
 * of the products, and exp, sigmoid and tanh in f32x4 for the cells' gates. Not an entry file: its
 * exports are the other files' imports, not the module's.
 */

/**
 * a * b + c, lane by lane: fused (one rounding) where the module is built with relaxed SIMD (the
 * 'wasm-fma' kernels, only chosen where the runtime is seen to fuse it: see kernels-wasm.ts), else
 * a product and a sum, each rounded.
 */
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// exp(x) = 2^n exp(r), n = round(x / ln 2), r = x - n ln 2 in [-ln2/2, ln2/2] (ln 2 in two parts,
// the first with few enough bits that n * LN2_HI is exact), exp(r) = 1 + r + r^2 q(r) with q fitted
// by weighted least squares on Chebyshev nodes (relative error of exp under 2^-25 before rounding).
// x is first clamped to where 2^n is a normal float: exp saturates at 2.4e38 above 88.37 and at
// 1.2e-38 below -87.33 (the cells only need it far from both).
const LOG2E: f32 = 1.4426950408889634;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const EXP_MAX: f32 = 88.37;
const EXP_MIN: f32 = -87.33;
const Q0: f32 = 0.49999988079071045;
const Q1: f32 = 0.166665181517601;
const Q2: f32 = 0.04166953265666962;
const Q3: f32 = 0.008368915878236294;
const Q4: f32 = 0.0013751407386735082;

@inline
export function vexp(x: v128): v128 {
  x = f32x4.max(f32x4.min(x, f32x4.splat(EXP_MAX)), f32x4.splat(EXP_MIN));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = madd(n, f32x4.splat(-LN2_HI), x);
  r = madd(n, f32x4.splat(-LN2_LO), r);
  let q = madd(f32x4.splat(Q4), r, f32x4.splat(Q3));
  q = madd(q, r, f32x4.splat(Q2));
  q = madd(q, r, f32x4.splat(Q1));
  q = madd(q, r, f32x4.splat(Q0));
  const p = madd(f32x4.mul(q, r), r, f32x4.add(r, f32x4.splat(1)));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/** 1 / (1 + exp(-x)) */
@inline
export function vsigmoid(x: v128): v128 {
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), vexp(f32x4.neg(x))));
}

// tanh: below |x| = 0.625 the odd polynomial x + x^3 p(x^2), p fitted like q above (where
// 1 - 2 / (e^2x + 1) would lose bits to cancellation); above it that formula, with the sign of x.
const TANH_SMALL: f32 = 0.625;
const P0: f32 = -0.3333328664302826;
const P1: f32 = 0.13331513106822968;
const P2: f32 = -0.053744662553071976;
const P3: f32 = 0.020653141662478447;
const P4: f32 = -0.005718979053199291;

@inline
export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = madd(f32x4.splat(P4), z, f32x4.splat(P3));
  p = madd(p, z, f32x4.splat(P2));
  p = madd(p, z, f32x4.splat(P1));
  p = madd(p, z, f32x4.splat(P0));
  const small = madd(f32x4.mul(p, z), x, x);
  const e = vexp(f32x4.add(ax, ax));
  const big = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(TANH_SMALL)));
}
