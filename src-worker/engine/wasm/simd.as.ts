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
