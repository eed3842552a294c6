/**
 * The matrix products the engine spends its time in, behind one small interface so that faster
 * implementations (register-blocked TypeScript in kernels-blocked.ts, WebAssembly SIMD in
 * kernels-wasm.ts; kernel-sets.ts picks one) replace the reference without touching the cells.
 *
 * Every matrix is row-major inside a flat array, addressed BLAS-style by an offset and a leading
 * dimension (the distance between the starts of two rows), so views into the big flat buffers
 * cost nothing. With `accumulate` the product is added to C, otherwise it overwrites C.
 */
export type Vec = Float32Array | Float64Array;

export interface Kernels {
  readonly name: string;
  /**
   * Where float32 buffers should live for these kernels to run at full speed (WebAssembly kernels
   * want them in their linear memory). Absent: ordinary Float32Arrays.
   */
  alloc?(n: number): Float32Array;
  /**
   * The shared memory alloc() hands out arrays of, where other threads can run these kernels on
   * them (WebAssembly kernels). Absent: the arrays belong to this thread alone.
   */
  readonly memory?: WebAssembly.Memory;
  /** C (M, N) = A (M, K) @ B (K, N) */
  gemmNN(M: number, N: number, K: number, A: Vec, aOff: number, lda: number, B: Vec, bOff: number, ldb: number,
    C: Vec, cOff: number, ldc: number, accumulate: boolean): void;
  /** C (M, N) = A (M, K) @ B^T, B stored (N, K) */
  gemmNT(M: number, N: number, K: number, A: Vec, aOff: number, lda: number, B: Vec, bOff: number, ldb: number,
    C: Vec, cOff: number, ldc: number, accumulate: boolean): void;
  /** C (M, N) = A^T @ B (K, N), A stored (K, M) */
  gemmTN(M: number, N: number, K: number, A: Vec, aOff: number, lda: number, B: Vec, bOff: number, ldb: number,
    C: Vec, cOff: number, ldc: number, accumulate: boolean): void;
}

/**
 * The reference: the definition of each product as three plain loops, accumulated in float64.
 * Slow, obviously right, and what every fast kernel is tested against.
 */
export const naiveKernels: Kernels = {
  name: 'naive',
  gemmNN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let sum = accumulate ? C[cOff + i * ldc + j] : 0;
        for (let k = 0; k < K; k++) sum += A[aOff + i * lda + k] * B[bOff + k * ldb + j];
        C[cOff + i * ldc + j] = sum;
      }
    }
  },
  gemmNT(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let sum = accumulate ? C[cOff + i * ldc + j] : 0;
        for (let k = 0; k < K; k++) sum += A[aOff + i * lda + k] * B[bOff + j * ldb + k];
        C[cOff + i * ldc + j] = sum;
      }
    }
  },
  gemmTN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let sum = accumulate ? C[cOff + i * ldc + j] : 0;
        for (let k = 0; k < K; k++) sum += A[aOff + k * lda + i] * B[bOff + k * ldb + j];
        C[cOff + i * ldc + j] = sum;
      }
    }
  },
};
