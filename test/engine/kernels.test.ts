import { describe, expect, it } from 'vitest';
import { naiveKernels, type Kernels, type Vec } from '../../src-worker/engine/kernels.ts';
import { blockedKernels } from '../../src-worker/engine/kernels-blocked.ts';
import { Rng } from '../../src-worker/engine/rng.ts';

type Op = 'gemmNN' | 'gemmNT' | 'gemmTN';
type VecClass = Float32ArrayConstructor | Float64ArrayConstructor;

/**
 * Tolerance, relative to the size of the terms: |blocked - naive| <= rtol * (|C0| + sum_k |a b|).
 * Both kernels sum in float64, only in a different order, so in float64 they agree to a few ulps.
 * In float32 each rounds its float64 sum once at the store (gemmTN once per pass of 256 rows of
 * k), so they differ by at most a few float32 ulps.
 */
const RTOL = { Float64Array: 1e-12, Float32Array: 1e-6 } as const;

// [M, N, K]: ones, tails on every side of the 4x4 tiles, K = 0, M = 0, and a gemmTN run over
// several passes of k (K = 600, with a partial last pass).
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 9, 1], [1, 7, 5], [7, 1, 5], [3, 5, 7], [5, 13, 9], [17, 33, 65],
  [4, 4, 4], [8, 12, 16], [2, 3, 0], [0, 3, 2], [6, 7, 600],
];

// Offsets and padding (leading dimension minus width): tight and zero-based, then awkward.
const LAYOUTS = [{ off: 0, pad: 0 }, { off: 5, pad: 3 }];

/** Rows and columns of A and B as stored for each product. */
function storedShapes(op: Op, M: number, N: number, K: number): { a: [number, number]; b: [number, number] } {
  if (op === 'gemmNN') return { a: [M, K], b: [K, N] };
  if (op === 'gemmNT') return { a: [M, K], b: [N, K] };
  return { a: [K, M], b: [K, N] };
}

function filled(Type: VecClass, n: number, rng: Rng): Vec {
  const v = new Type(n);
  for (let i = 0; i < n; i++) v[i] = 2 * rng.uniform() - 1;
  return v;
}

function abs(v: Vec): Vec {
  return v.map(Math.abs);
}

function call(k: Kernels, op: Op, M: number, N: number, K: number, A: Vec, aOff: number, lda: number,
  B: Vec, bOff: number, ldb: number, C: Vec, cOff: number, ldc: number, accumulate: boolean): void {
  k[op](M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
}

describe.each([Float64Array, Float32Array] as VecClass[])('blockedKernels against naiveKernels, %o', (Type) => {
  const rtol = RTOL[Type.name as keyof typeof RTOL];

  it.each(['gemmNN', 'gemmNT', 'gemmTN'] as Op[])('%s matches on awkward shapes and layouts', (op) => {
    const rng = new Rng(42);
    for (const [M, N, K] of SHAPES) {
      for (const { off, pad } of LAYOUTS) {
        for (const accumulate of [false, true]) {
          const where = `${op} M=${M} N=${N} K=${K} off=${off} pad=${pad} accumulate=${accumulate}`;
          const { a, b } = storedShapes(op, M, N, K);
          const lda = a[1] + pad, ldb = b[1] + pad, ldc = N + pad;
          const aOff = off, bOff = off + 1, cOff = off + 2;
          const A = filled(Type, aOff + a[0] * lda, rng);
          const B = filled(Type, bOff + b[0] * ldb, rng);
          // Room after the last row too, to see that nothing past the block is written.
          const C0 = filled(Type, cOff + M * ldc + 3, rng);

          const expected = C0.slice();
          call(naiveKernels, op, M, N, K, A, aOff, lda, B, bOff, ldb, expected, cOff, ldc, accumulate);
          const scale = abs(C0);
          call(naiveKernels, op, M, N, K, abs(A), aOff, lda, abs(B), bOff, ldb, scale, cOff, ldc, accumulate);
          const actual = C0.slice();
          call(blockedKernels, op, M, N, K, A, aOff, lda, B, bOff, ldb, actual, cOff, ldc, accumulate);

          for (let p = 0; p < C0.length; p++) {
            const row = Math.floor((p - cOff) / ldc);
            const col = (p - cOff) - row * ldc;
            const inBlock = p >= cOff && row < M && col < N;
            if (inBlock) {
              const err = Math.abs(actual[p] - expected[p]);
              if (!(err <= rtol * scale[p])) {
                expect.fail(`${where}: C[${row}, ${col}] = ${actual[p]}, naive ${expected[p]}, error ${err} > ${rtol} * ${scale[p]}`);
              }
            } else if (actual[p] !== C0[p]) {
              expect.fail(`${where}: element ${p} outside the ${M}x${N} block was written`);
            }
          }
        }
      }
    }
  });
});

describe('blockedKernels', () => {
  it('with K = 0 writes zeros, or leaves C alone when accumulating', () => {
    for (const op of ['gemmNN', 'gemmNT', 'gemmTN'] as Op[]) {
      const C = new Float64Array([1, 2, 3, 4, 5, 6]);
      blockedKernels[op](2, 3, 0, new Float64Array(0), 0, 3, new Float64Array(0), 0, 3, C, 0, 3, true);
      expect(Array.from(C)).toEqual([1, 2, 3, 4, 5, 6]);
      blockedKernels[op](2, 3, 0, new Float64Array(0), 0, 3, new Float64Array(0), 0, 3, C, 0, 3, false);
      expect(Array.from(C)).toEqual([0, 0, 0, 0, 0, 0]);
    }
  });

  it('computes a small product worked by hand (exact)', () => {
    // [1 2; 3 4] @ [5 6; 7 8] = [19 22; 43 50]
    const A = new Float32Array([1, 2, 3, 4]);
    const B = new Float32Array([5, 6, 7, 8]);
    const C = new Float32Array(4);
    blockedKernels.gemmNN(2, 2, 2, A, 0, 2, B, 0, 2, C, 0, 2, false);
    expect(Array.from(C)).toEqual([19, 22, 43, 50]);
    // B stored transposed: [5 7; 6 8]
    blockedKernels.gemmNT(2, 2, 2, A, 0, 2, new Float32Array([5, 7, 6, 8]), 0, 2, C, 0, 2, false);
    expect(Array.from(C)).toEqual([19, 22, 43, 50]);
    // A stored transposed: [1 3; 2 4]; accumulate doubles the previous result.
    blockedKernels.gemmTN(2, 2, 2, new Float32Array([1, 3, 2, 4]), 0, 2, B, 0, 2, C, 0, 2, true);
    expect(Array.from(C)).toEqual([38, 44, 86, 100]);
  });
});
