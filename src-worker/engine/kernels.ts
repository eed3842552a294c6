/**
 * The matrix products the engine spends its time in, behind one small interface so that faster
 * implementations (register-blocked TypeScript in kernels-blocked.ts, WebAssembly SIMD in
 * kernels-wasm.ts; kernel-sets.ts picks one) replace the reference without touching the cells.
 *
 * Every matrix is row-major inside a flat array, addressed BLAS-style by an offset and a leading
 * dimension (the distance between the starts of two rows), so views into the big flat buffers
 * cost nothing. With `accumulate` the product is added to C, otherwise it overwrites C.
 */
import type { LayerParams, LayerWork, Vec } from './layer-buffers.ts';

export type { Vec };

/**
 * The cells' per-step elementwise work (gate non-linearities and state update, forward and
 * backward) fused into one pass over the gate block: the wasm-fma kernels have it. Each step
 * returns false, doing nothing, unless every array it touches is one these kernels run on (their
 * heap's float32 arrays); the cell's own TypeScript loop runs then, so a float64 gradient check
 * still goes through the loops it checks.
 */
export interface FusedSteps {
  /** out = f(x) elementwise, with the activations the steps use (for their accuracy tests) */
  activation(f: 'exp' | 'sigmoid' | 'tanh', x: Float32Array, out: Float32Array): void;
  /**
   * The decoder's softmax cross-entropy over `rows` rows of V logits in place (model.ts's forward):
   * probs = softmax(logits + bd) and nll[n] = the loss of row n against targets[n].
   */
  softmaxLoss(probs: Vec, bd: Vec, targets: Int32Array, nll: Float64Array, rows: number, V: number): boolean;
  /** the loop body of lstm.ts's forward at step t, after the recurrent product into w.step */
  lstmForward(p: LayerParams, w: LayerWork, t: number): boolean;
  /** the loop body of lstm.ts's backward at step t, before the product into dhNext */
  lstmBackward(w: LayerWork, t: number): boolean;
  lstmPeepholeForward(p: LayerParams, w: LayerWork, t: number): boolean;
  /** accumulates into the peepholes' gradient g.peep */
  lstmPeepholeBackward(p: LayerParams, g: LayerParams, w: LayerWork, t: number): boolean;
  rnnForward(p: LayerParams, w: LayerWork, t: number): boolean;
  rnnBackward(w: LayerWork, t: number): boolean;
  gruResetAfterForward(p: LayerParams, w: LayerWork, t: number): boolean;
  gruResetAfterBackward(w: LayerWork, t: number): boolean;
  /** gru.ts's forward at step t: the r and z gates and r (.) h_{t-1}, before the product of g */
  gruForwardGates(w: LayerWork, t: number): boolean;
  /** ... and g and h_t, after it */
  gruForwardOut(w: LayerWork, t: number): boolean;
  /** gru.ts's backward at step t: the g and z gradients, before the product into dTmp */
  gruBackwardOut(w: LayerWork, t: number): boolean;
  /** ... and the r gradient and dhNext's share through r, after it */
  gruBackwardReset(w: LayerWork, t: number): boolean;
}

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
  /** Fused elementwise steps; absent: the cells' TypeScript loops. */
  readonly fused?: FusedSteps;
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
