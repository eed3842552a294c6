/**
 * Register-blocked matrix products in plain TypeScript: the fast path until WebAssembly SIMD.
 *
 * Each product is cut into 4x4 tiles of C. A tile's 16 sums live in local variables (float64,
 * like the reference) for the whole walk along k, so each step loads 4 values of A and 4 of B for
 * 16 multiply-adds, where the naive loop loads 2 per multiply-add. C is touched once per tile, at
 * the end. Rows and columns left over when M or N is not a multiple of 4 go through 1x4, 4x1 and
 * 1x1 versions of the tile. Nothing is allocated, so the calls can sit in the training loop.
 *
 * Measured on Float32Array (numbers in test/bench/kernels-bench.ts):
 * - 2x4, 4x2, 2x8, 4x8 and 8x4 tiles all run within noise of 4x4, about 4.3 GFLOP/s; 1x4 and 2x2
 *   are 30-40% slower. Past 4x4 the loop seems bound by instruction throughput (every typed-array
 *   load carries a bounds check and a float32 to float64 conversion) and bigger tiles spill
 *   registers, so 4x4 is the simplest of the fast ones.
 * - The 4x4 tile is written out inside each product rather than called: as a separate function
 *   (too large for V8 to inline) it ran about 10% slower. The tail tiles are cold and stay functions.
 * - Starting the sums at zero and adding C at the store beat starting them from C (gemmTN, tile as
 *   a function: 3.9 against 3.3 GFLOP/s).
 * - Feeding the same function both Float32Array and Float64Array makes its loads polymorphic and
 *   costs about 40%, so a process that trains should keep to one element type.
 */
import type { Kernels, Vec } from './kernels.ts';

/**
 * Rows of k done per pass in gemmTN. There both operands step down a whole row per k, so over the
 * T*B rows of a window the A panel falls out of L1 before the next tile reuses it (2.5 against
 * 4.3 GFLOP/s for 256x1024x3200); 128 to 512 measure the same. For a Float32Array C this rounds
 * the partial sums to float32 once per pass, K / TN_KC times instead of once.
 */
const TN_KC = 256;

export const blockedKernels: Kernels = {
  name: 'blocked',

  // C (M, N) = A (M, K) @ B (K, N).
  // Columns of tiles outermost: a 4-wide panel of B (K cache lines) stays in L1 while every row
  // block of A streams past it, and A's rows are read contiguously along k.
  gemmNN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate) {
    const M4 = M - (M % 4);
    const N4 = N - (N % 4);
    for (let j = 0; j < N4; j += 4) {
      for (let i = 0; i < M4; i += 4) {
        const pa0 = aOff + i * lda, pa1 = pa0 + lda, pa2 = pa1 + lda, pa3 = pa2 + lda;
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let k = 0, pb = bOff + j; k < K; k++, pb += ldb) {
          const a0 = A[pa0 + k], a1 = A[pa1 + k], a2 = A[pa2 + k], a3 = A[pa3 + k];
          const b0 = B[pb], b1 = B[pb + 1], b2 = B[pb + 2], b3 = B[pb + 3];
          c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
          c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
          c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
          c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }
        const pc = cOff + i * ldc + j;
        store4(C, pc, c00, c01, c02, c03, accumulate);
        store4(C, pc + ldc, c10, c11, c12, c13, accumulate);
        store4(C, pc + 2 * ldc, c20, c21, c22, c23, accumulate);
        store4(C, pc + 3 * ldc, c30, c31, c32, c33, accumulate);
      }
      for (let i = M4; i < M; i++) nn1x4(K, A, aOff + i * lda, B, bOff + j, ldb, C, cOff + i * ldc + j, accumulate);
    }
    for (let j = N4; j < N; j++) {
      for (let i = 0; i < M4; i += 4) nn4x1(K, A, aOff + i * lda, lda, B, bOff + j, ldb, C, cOff + i * ldc + j, ldc, accumulate);
      for (let i = M4; i < M; i++) nn1x1(K, A, aOff + i * lda, B, bOff + j, ldb, C, cOff + i * ldc + j, accumulate);
    }
  },

  // C (M, N) = A (M, K) @ B^T, B stored (N, K).
  // Every operand row is contiguous along k, so a tile reads eight sequential streams. Row blocks
  // outermost: the four rows of A (4*K values) stay in L1 while all of B's rows pass by.
  gemmNT(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate) {
    const M4 = M - (M % 4);
    const N4 = N - (N % 4);
    for (let i = 0; i < M4; i += 4) {
      const pa0 = aOff + i * lda, pa1 = pa0 + lda, pa2 = pa1 + lda, pa3 = pa2 + lda;
      for (let j = 0; j < N4; j += 4) {
        const pb0 = bOff + j * ldb, pb1 = pb0 + ldb, pb2 = pb1 + ldb, pb3 = pb2 + ldb;
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let k = 0; k < K; k++) {
          const a0 = A[pa0 + k], a1 = A[pa1 + k], a2 = A[pa2 + k], a3 = A[pa3 + k];
          const b0 = B[pb0 + k], b1 = B[pb1 + k], b2 = B[pb2 + k], b3 = B[pb3 + k];
          c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
          c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
          c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
          c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }
        const pc = cOff + i * ldc + j;
        store4(C, pc, c00, c01, c02, c03, accumulate);
        store4(C, pc + ldc, c10, c11, c12, c13, accumulate);
        store4(C, pc + 2 * ldc, c20, c21, c22, c23, accumulate);
        store4(C, pc + 3 * ldc, c30, c31, c32, c33, accumulate);
      }
      for (let j = N4; j < N; j++) nt4x1(K, A, pa0, lda, B, bOff + j * ldb, C, cOff + i * ldc + j, ldc, accumulate);
    }
    for (let i = M4; i < M; i++) {
      for (let j = 0; j < N4; j += 4) nt1x4(K, A, aOff + i * lda, B, bOff + j * ldb, ldb, C, cOff + i * ldc + j, accumulate);
      for (let j = N4; j < N; j++) nt1x1(K, A, aOff + i * lda, B, bOff + j * ldb, C, cOff + i * ldc + j, accumulate);
    }
  },

  // C (M, N) = A^T @ B (K, N), A stored (K, M).
  // Both operands are read four-wide along a row and step down a whole row per k, so k is cut into
  // passes of TN_KC rows (see there). Within a pass, row blocks outermost keep the A panel in L1
  // while the pass's rows of B, reused by every row block, stay in L2.
  gemmTN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate) {
    const M4 = M - (M % 4);
    const N4 = N - (N % 4);
    // At least one pass, so that K = 0 still writes the zero product.
    const passes = Math.max(1, Math.ceil(K / TN_KC));
    for (let pass = 0; pass < passes; pass++) {
      const k0 = pass * TN_KC;
      const kc = Math.min(TN_KC, K - k0);
      const acc = accumulate || pass > 0;
      const aPass = aOff + k0 * lda; // A's row k0
      const bPass = bOff + k0 * ldb; // B's row k0
      for (let i = 0; i < M4; i += 4) {
        for (let j = 0; j < N4; j += 4) {
          let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
          let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
          for (let k = 0, pa = aPass + i, pb = bPass + j; k < kc; k++, pa += lda, pb += ldb) {
            const a0 = A[pa], a1 = A[pa + 1], a2 = A[pa + 2], a3 = A[pa + 3];
            const b0 = B[pb], b1 = B[pb + 1], b2 = B[pb + 2], b3 = B[pb + 3];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
          }
          const pc = cOff + i * ldc + j;
          store4(C, pc, c00, c01, c02, c03, acc);
          store4(C, pc + ldc, c10, c11, c12, c13, acc);
          store4(C, pc + 2 * ldc, c20, c21, c22, c23, acc);
          store4(C, pc + 3 * ldc, c30, c31, c32, c33, acc);
        }
        for (let j = N4; j < N; j++) tn4x1(kc, A, aPass + i, lda, B, bPass + j, ldb, C, cOff + i * ldc + j, ldc, acc);
      }
      for (let i = M4; i < M; i++) {
        for (let j = 0; j < N4; j += 4) tn1x4(kc, A, aPass + i, lda, B, bPass + j, ldb, C, cOff + i * ldc + j, acc);
        for (let j = N4; j < N; j++) tn1x1(kc, A, aPass + i, lda, B, bPass + j, ldb, C, cOff + i * ldc + j, acc);
      }
    }
  },
};

/** Writes (or with `acc` adds) four sums to C[pc .. pc+3]. */
function store4(C: Vec, pc: number, c0: number, c1: number, c2: number, c3: number, acc: boolean): void {
  if (acc) {
    c0 += C[pc]; c1 += C[pc + 1]; c2 += C[pc + 2]; c3 += C[pc + 3];
  }
  C[pc] = c0; C[pc + 1] = c1; C[pc + 2] = c2; C[pc + 3] = c3;
}

// The tail tiles, for the rows and columns past the last multiple of 4. Arguments are already
// offset to the tile: `pa` is A's first row (NN, NT) or A's first element in row k = 0 (TN), `pb`
// likewise for B, `pc` the tile's top-left element of C.

// gemmNN tails: A rows contiguous along k, B read as a row segment that steps by ldb.

function nn1x4(K: number, A: Vec, pa: number, B: Vec, pb: number, ldb: number,
  C: Vec, pc: number, acc: boolean): void {
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  for (let k = 0; k < K; k++, pb += ldb) {
    const a = A[pa + k];
    c0 += a * B[pb]; c1 += a * B[pb + 1]; c2 += a * B[pb + 2]; c3 += a * B[pb + 3];
  }
  store4(C, pc, c0, c1, c2, c3, acc);
}

function nn4x1(K: number, A: Vec, pa: number, lda: number, B: Vec, pb: number, ldb: number,
  C: Vec, pc: number, ldc: number, acc: boolean): void {
  const pa1 = pa + lda, pa2 = pa1 + lda, pa3 = pa2 + lda;
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  for (let k = 0; k < K; k++, pb += ldb) {
    const b = B[pb];
    c0 += A[pa + k] * b; c1 += A[pa1 + k] * b; c2 += A[pa2 + k] * b; c3 += A[pa3 + k] * b;
  }
  store4x1(C, pc, ldc, c0, c1, c2, c3, acc);
}

function nn1x1(K: number, A: Vec, pa: number, B: Vec, pb: number, ldb: number,
  C: Vec, pc: number, acc: boolean): void {
  let c = 0;
  for (let k = 0; k < K; k++, pb += ldb) c += A[pa + k] * B[pb];
  C[pc] = acc ? C[pc] + c : c;
}

// gemmNT tails: rows of A and rows of B, all contiguous along k.

function nt1x4(K: number, A: Vec, pa: number, B: Vec, pb: number, ldb: number,
  C: Vec, pc: number, acc: boolean): void {
  const pb1 = pb + ldb, pb2 = pb1 + ldb, pb3 = pb2 + ldb;
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  for (let k = 0; k < K; k++) {
    const a = A[pa + k];
    c0 += a * B[pb + k]; c1 += a * B[pb1 + k]; c2 += a * B[pb2 + k]; c3 += a * B[pb3 + k];
  }
  store4(C, pc, c0, c1, c2, c3, acc);
}

function nt4x1(K: number, A: Vec, pa: number, lda: number, B: Vec, pb: number,
  C: Vec, pc: number, ldc: number, acc: boolean): void {
  const pa1 = pa + lda, pa2 = pa1 + lda, pa3 = pa2 + lda;
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  for (let k = 0; k < K; k++) {
    const b = B[pb + k];
    c0 += A[pa + k] * b; c1 += A[pa1 + k] * b; c2 += A[pa2 + k] * b; c3 += A[pa3 + k] * b;
  }
  store4x1(C, pc, ldc, c0, c1, c2, c3, acc);
}

function nt1x1(K: number, A: Vec, pa: number, B: Vec, pb: number, C: Vec, pc: number, acc: boolean): void {
  let c = 0;
  for (let k = 0; k < K; k++) c += A[pa + k] * B[pb + k];
  C[pc] = acc ? C[pc] + c : c;
}

// gemmTN tails: a row segment of A and one of B per k, both stepping down a row at a time.

function tn1x4(K: number, A: Vec, pa: number, lda: number, B: Vec, pb: number, ldb: number,
  C: Vec, pc: number, acc: boolean): void {
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  for (let k = 0; k < K; k++, pa += lda, pb += ldb) {
    const a = A[pa];
    c0 += a * B[pb]; c1 += a * B[pb + 1]; c2 += a * B[pb + 2]; c3 += a * B[pb + 3];
  }
  store4(C, pc, c0, c1, c2, c3, acc);
}

function tn4x1(K: number, A: Vec, pa: number, lda: number, B: Vec, pb: number, ldb: number,
  C: Vec, pc: number, ldc: number, acc: boolean): void {
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  for (let k = 0; k < K; k++, pa += lda, pb += ldb) {
    const b = B[pb];
    c0 += A[pa] * b; c1 += A[pa + 1] * b; c2 += A[pa + 2] * b; c3 += A[pa + 3] * b;
  }
  store4x1(C, pc, ldc, c0, c1, c2, c3, acc);
}

function tn1x1(K: number, A: Vec, pa: number, lda: number, B: Vec, pb: number, ldb: number,
  C: Vec, pc: number, acc: boolean): void {
  let c = 0;
  for (let k = 0; k < K; k++, pa += lda, pb += ldb) c += A[pa] * B[pb];
  C[pc] = acc ? C[pc] + c : c;
}

/** Writes (or with `acc` adds) four sums down a column of C, from pc in steps of ldc. */
function store4x1(C: Vec, pc: number, ldc: number, c0: number, c1: number, c2: number, c3: number, acc: boolean): void {
  const pc1 = pc + ldc, pc2 = pc1 + ldc, pc3 = pc2 + ldc;
  if (acc) {
    c0 += C[pc]; c1 += C[pc1]; c2 += C[pc2]; c3 += C[pc3];
  }
  C[pc] = c0; C[pc1] = c1; C[pc2] = c2; C[pc3] = c3;
}
