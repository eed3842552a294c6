/**
 * The engine's matrix products in WebAssembly SIMD. AssemblyScript, not TypeScript: compiled by
 * scripts/build-wasm.mjs into gemm.wasm.ts and loaded by ../kernels-wasm.ts; both tsconfigs exclude
 * *.as.ts.
 *
 * Same contract as the Kernels interface (../kernels.ts), on f32 data at byte pointers into the
 * imported shared memory: row-major, leading dimensions in elements, C = A op B, or with
 * `accumulate` C += A op B. Sums are f32.
 *
 * All three products run through one 4x8 register tile over packed operands (the GotoBLAS/BLIS
 * scheme): for each pass of KC values of k, A is copied as 4-row tiles laid out k-major
 * (Ap[k][r], 4 floats per k) and B as 8-column panels laid out k-major (Bp[k][c], 8 floats per k).
 * Only the packing differs between NN, NT and TN: a tile row of A or panel column of B is either
 * a contiguous row segment of the stored matrix (copied four floats at a time) or a column of it
 * (gathered through 4x4 transposes). Packing
 * - makes the tile's loads sequential whatever the leading dimensions (with ld = 1024 floats, the
 *   unpacked 256 rows of an 8-column panel sit 4 KiB apart, all in one L1 set);
 * - turns tails into zero padding: a partial tile computes the full 4x8 block and stores only the
 *   rows and columns that exist, so M, N and K need not be multiples of anything.
 * Loop order, outer to inner: columns of C by NC, k by KC, rows by MC (the packed A block, MC x KC,
 * stays in L2), panels of 8 columns (KC x 8, in L1), tiles of 4 rows. Each B panel is packed while
 * the first row block uses it, so it is still in L1 when first read.
 *
 * Small M (under 4 rows, e.g. sampling one stream) skips the packing in gemmNN: packing B would
 * cost as much as the product.
 *
 * The packed buffers live in a per-instance scratch area that the host allocates in the shared
 * memory and hands over with setScratch(); module globals are per instance, so every thread that
 * instantiates the module over the same memory has its own.
 */

/** Rows and columns of the register tile of C. */
import { madd } from './simd.as';

const MR: i32 = 4;
const NR: i32 = 8;
/** Block sizes: k per pass, rows per packed A block, columns per packed B block. */
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 512;

const BP_BYTES: usize = <usize>(KC * NC * 4);
const AP_BYTES: usize = <usize>(MC * KC * 4);
const TILE_BYTES: usize = <usize>(MR * NR * 4);

let scratch: usize = 0;

/** Bytes of scratch one instance needs: the packed B block, the packed A block and one tile. */
export function scratchBytes(): usize {
  return BP_BYTES + AP_BYTES + TILE_BYTES;
}

/** Sets this instance's scratch area (scratchBytes() bytes, 16-byte aligned, in the shared memory). */
export function setScratch(ptr: usize): void {
  scratch = ptr;
}

const OP_NN: i32 = 0;
const OP_NT: i32 = 1;
const OP_TN: i32 = 2;

/** C (M, N) = A (M, K) @ B (K, N) */
export function gemmNN(M: i32, N: i32, K: i32, a: usize, lda: i32, b: usize, ldb: i32,
  c: usize, ldc: i32, accumulate: bool): void {
  if (M > 0 && M < MR && N > 0 && K > 0) {
    for (let i = 0; i < M; i++) {
      rowNN(N, K, a + <usize>(i * lda) * 4, b, <usize>ldb * 4, c + <usize>(i * ldc) * 4, accumulate);
    }
    return;
  }
  gemm(OP_NN, M, N, K, a, lda, b, ldb, c, ldc, accumulate);
}

/** C (M, N) = A (M, K) @ B^T, B stored (N, K) */
export function gemmNT(M: i32, N: i32, K: i32, a: usize, lda: i32, b: usize, ldb: i32,
  c: usize, ldc: i32, accumulate: bool): void {
  gemm(OP_NT, M, N, K, a, lda, b, ldb, c, ldc, accumulate);
}

/** C (M, N) = A^T @ B (K, N), A stored (K, M) */
export function gemmTN(M: i32, N: i32, K: i32, a: usize, lda: i32, b: usize, ldb: i32,
  c: usize, ldc: i32, accumulate: bool): void {
  gemm(OP_TN, M, N, K, a, lda, b, ldb, c, ldc, accumulate);
}

// @inline so that each export gets its own copy with `op` folded into the packing calls.
@inline
function gemm(op: i32, M: i32, N: i32, K: i32, a: usize, lda: i32, b: usize, ldb: i32,
  c: usize, ldc: i32, accumulate: bool): void {
  if (M <= 0 || N <= 0) return;
  const ldcB = <usize>ldc * 4;
  if (K <= 0) {
    if (!accumulate) {
      for (let i = 0; i < M; i++) memory.fill(c + <usize>i * ldcB, 0, <usize>N * 4);
    }
    return;
  }
  if (scratch == 0) unreachable(); // setScratch was never called
  const bp = scratch;
  const ap = bp + BP_BYTES;
  const tile = ap + AP_BYTES;
  const ldaB = <usize>lda * 4;
  const ldbB = <usize>ldb * 4;

  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const acc = accumulate || pc > 0;
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);

        // A block: rows ic .. ic+mc, k pc .. pc+kc, as tiles of MR rows, each kc * MR floats.
        for (let ir = 0; ir < mc; ir += MR) {
          const mr = min(MR, mc - ir);
          const dst = ap + <usize>(ir * kc) * 4;
          if (op == OP_TN) {
            // A stored (K, M): the tile's rows are 4 adjacent floats of each stored row k.
            packRows4(a + (<usize>pc * <usize>lda + <usize>(ic + ir)) * 4, ldaB, mr, kc, dst);
          } else {
            // A stored (M, K): the tile's rows are stored rows, read down k.
            packColumns(a + (<usize>(ic + ir) * <usize>lda + <usize>pc) * 4, ldaB, mr, kc, dst, MR);
          }
        }

        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const panel = bp + <usize>(jr * kc) * 4;
          if (ic == 0) {
            const j = jc + jr;
            if (op == OP_NT) {
              // B stored (N, K): the panel's columns are stored rows, read down k.
              packColumns(b + (<usize>j * <usize>ldb + <usize>pc) * 4, ldbB, nr, kc, panel, NR);
            } else {
              // B stored (K, N): the panel's columns are 8 adjacent floats of each stored row k.
              packRows8(b + (<usize>pc * <usize>ldb + <usize>j) * 4, ldbB, nr, kc, panel);
            }
          }
          const cPanel = c + (<usize>ic * ldcB) + <usize>(jc + jr) * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            tile4x8(kc, ap + <usize>(ir * kc) * 4, panel, cPanel + <usize>ir * ldcB, ldcB,
              min(MR, mc - ir), nr, acc, tile);
          }
        }
      }
    }
  }
}

/**
 * The 4x8 tile: C[r][c] (+)= sum over k of Ap[k][r] * Bp[k][c], in eight f32x4 accumulators
 * (row r, columns 0-3 and 4-7). Per k: two loads of B, four broadcast loads of A, 8 mul + 8 add.
 * Only mr rows and nr columns are stored.
 */
@inline
function tile4x8(kc: i32, pa: usize, pb: usize, c: usize, ldcB: usize, mr: i32, nr: i32,
  acc: bool, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let av = v128.load32_splat(pa);
    c00 = madd(av, b0, c00);
    c01 = madd(av, b1, c01);
    av = v128.load32_splat(pa, 4);
    c10 = madd(av, b0, c10);
    c11 = madd(av, b1, c11);
    av = v128.load32_splat(pa, 8);
    c20 = madd(av, b0, c20);
    c21 = madd(av, b1, c21);
    av = v128.load32_splat(pa, 12);
    c30 = madd(av, b0, c30);
    c31 = madd(av, b1, c31);
    pa += 16;
    pb += 32;
  }
  if (mr == MR && nr == NR) {
    const c1 = c + ldcB, c2 = c1 + ldcB, c3 = c2 + ldcB;
    if (acc) {
      c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
      c10 = f32x4.add(c10, v128.load(c1)); c11 = f32x4.add(c11, v128.load(c1, 16));
      c20 = f32x4.add(c20, v128.load(c2)); c21 = f32x4.add(c21, v128.load(c2, 16));
      c30 = f32x4.add(c30, v128.load(c3)); c31 = f32x4.add(c31, v128.load(c3, 16));
    }
    v128.store(c, c00); v128.store(c, c01, 16);
    v128.store(c1, c10); v128.store(c1, c11, 16);
    v128.store(c2, c20); v128.store(c2, c21, 16);
    v128.store(c3, c30); v128.store(c3, c31, 16);
    return;
  }
  // A partial tile: park the block in scratch, then store what exists element by element.
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  for (let r = 0; r < mr; r++) {
    const src = tile + <usize>(r * NR) * 4;
    const dst = c + <usize>r * ldcB;
    for (let j = 0; j < nr; j++) {
      const o = <usize>j * 4;
      const v = load<f32>(src + o);
      store<f32>(dst + o, acc ? load<f32>(dst + o) + v : v);
    }
  }
}

/**
 * Packs `n` (<= 4) adjacent floats from each of kc rows (ld bytes apart) as Ap[k][0..3], zero
 * padded to 4.
 */
@inline
function packRows4(src: usize, ldB: usize, n: i32, kc: i32, dst: usize): void {
  if (n == 4) {
    for (let k = 0; k < kc; k++) {
      v128.store(dst, v128.load(src));
      src += ldB;
      dst += 16;
    }
  } else {
    packRowsPartial(src, ldB, n, kc, dst, 4);
  }
}

/** Packs `n` (<= 8) adjacent floats from each of kc rows as Bp[k][0..7], zero padded to 8. */
@inline
function packRows8(src: usize, ldB: usize, n: i32, kc: i32, dst: usize): void {
  if (n == 8) {
    for (let k = 0; k < kc; k++) {
      v128.store(dst, v128.load(src));
      v128.store(dst, v128.load(src, 16), 16);
      src += ldB;
      dst += 32;
    }
  } else {
    packRowsPartial(src, ldB, n, kc, dst, 8);
  }
}

function packRowsPartial(src: usize, ldB: usize, n: i32, kc: i32, dst: usize, width: i32): void {
  for (let k = 0; k < kc; k++) {
    for (let j = 0; j < width; j++) {
      store<f32>(dst + <usize>j * 4, j < n ? load<f32>(src + <usize>j * 4) : 0);
    }
    src += ldB;
    dst += <usize>width * 4;
  }
}

/**
 * Packs `n` (<= width, width 4 or 8) stored rows, each read along kc floats, as columns:
 * dst[k][r] = row r's element k, zero padded to `width` rows. Full groups of 4 rows go through
 * 4x4 transposes, four k at a time.
 */
function packColumns(src: usize, ldB: usize, n: i32, kc: i32, dst: usize, width: i32): void {
  const wB = <usize>width * 4;
  if (n < width) {
    for (let k = 0; k < kc; k++) {
      const d = dst + <usize>k * wB;
      for (let r = 0; r < width; r++) {
        store<f32>(d + <usize>r * 4, r < n ? load<f32>(src + <usize>r * ldB + <usize>k * 4) : 0);
      }
    }
    return;
  }
  const k4 = kc & ~3;
  for (let g = 0; g < width; g += 4) {
    const r0 = src + <usize>g * ldB, r1 = r0 + ldB, r2 = r1 + ldB, r3 = r2 + ldB;
    let d = dst + <usize>g * 4;
    let k = 0;
    for (; k < k4; k += 4) {
      const o = <usize>k * 4;
      const x0 = v128.load(r0 + o), x1 = v128.load(r1 + o), x2 = v128.load(r2 + o), x3 = v128.load(r3 + o);
      // t0 = [x0[0] x1[0] x0[1] x1[1]], t1 = [x0[2] x1[2] x0[3] x1[3]], likewise t2, t3 for x2, x3.
      const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
      const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
      v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(d + wB, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(d + 2 * wB, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(d + 3 * wB, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
      d += 4 * wB;
    }
    for (; k < kc; k++) {
      const o = <usize>k * 4;
      store<f32>(d, load<f32>(r0 + o));
      store<f32>(d, load<f32>(r1 + o), 4);
      store<f32>(d, load<f32>(r2 + o), 8);
      store<f32>(d, load<f32>(r3 + o), 12);
      d += wB;
    }
  }
}

/**
 * One row of gemmNN without packing: c[0..N) (+)= a[0..K) @ B, 16 columns at a time in four
 * accumulators, then 4 at a time, then one by one.
 */
function rowNN(N: i32, K: i32, a: usize, b: usize, ldbB: usize, c: usize, acc: bool): void {
  let j = 0;
  for (; j + 16 <= N; j += 16) {
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let pb = b + <usize>j * 4;
    for (let k = 0; k < K; k++) {
      const av = v128.load32_splat(a + <usize>k * 4);
      s0 = madd(av, v128.load(pb), s0);
      s1 = madd(av, v128.load(pb, 16), s1);
      s2 = madd(av, v128.load(pb, 32), s2);
      s3 = madd(av, v128.load(pb, 48), s3);
      pb += ldbB;
    }
    const pc = c + <usize>j * 4;
    if (acc) {
      s0 = f32x4.add(s0, v128.load(pc)); s1 = f32x4.add(s1, v128.load(pc, 16));
      s2 = f32x4.add(s2, v128.load(pc, 32)); s3 = f32x4.add(s3, v128.load(pc, 48));
    }
    v128.store(pc, s0); v128.store(pc, s1, 16); v128.store(pc, s2, 32); v128.store(pc, s3, 48);
  }
  for (; j + 4 <= N; j += 4) {
    let s = f32x4.splat(0);
    let pb = b + <usize>j * 4;
    for (let k = 0; k < K; k++) {
      s = madd(v128.load32_splat(a + <usize>k * 4), v128.load(pb), s);
      pb += ldbB;
    }
    const pc = c + <usize>j * 4;
    v128.store(pc, acc ? f32x4.add(s, v128.load(pc)) : s);
  }
  for (; j < N; j++) {
    let s: f32 = 0;
    let pb = b + <usize>j * 4;
    for (let k = 0; k < K; k++) {
      s += load<f32>(a + <usize>k * 4) * load<f32>(pb);
      pb += ldbB;
    }
    const pc = c + <usize>j * 4;
    store<f32>(pc, acc ? load<f32>(pc) + s : s);
  }
}
