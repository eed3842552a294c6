import { afterEach, describe, expect, it, vi } from 'vitest';
import { naiveKernels, type Kernels, type Vec } from '../../src-worker/engine/kernels.ts';
import { blockedKernels } from '../../src-worker/engine/kernels-blocked.ts';
import { createWasmKernels, WasmHeap, wasmFmaSupported, wasmSimdSupported } from '../../src-worker/engine/kernels-wasm.ts';
import { Rng } from '../../src-worker/engine/rng.ts';
// relaxed SIMD on, as the workers have it, for the wasm-fma kernels
import '../../src-worker/wasm-features.ts';

type Op = 'gemmNN' | 'gemmNT' | 'gemmTN';
const OPS: Op[] = ['gemmNN', 'gemmNT', 'gemmTN'];

/**
 * Tolerance in float32, relative to the size of the terms: |wasm - naive| <= (K + 3) * 2^-24 *
 * (|C0| + sum_k |a b|). The wasm kernels sum K products in float32, one rounding per addition
 * (K * 2^-24 bounds their error however the sum is split into passes), plus one for adding C0; the
 * naive reference sums in float64 and rounds once when it stores into its Float32Array.
 */
const rtol32 = (K: number): number => (K + 3) * 2 ** -24;
/** Float64Array goes to blockedKernels, which sums in float64 like the reference, in another order. */
const RTOL64 = 1e-12;

// [M, N, K]: ones, 1 x N x 1, tails on every side of the 4x8 tile and the 16-column rows of the
// small-M path, K = 0, M = 0.
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 9, 1], [1, 37, 1], [2, 21, 5], [3, 35, 7], [3, 5, 7], [7, 1, 5], [5, 13, 9],
  [4, 8, 4], [8, 16, 16], [17, 33, 65], [33, 70, 129], [2, 3, 0], [6, 3, 0], [0, 3, 2],
];
// Crosses every block boundary of the wasm kernels: rows (MC = 128), k (KC = 256), columns (NC = 512).
const BIG: [number, number, number] = [130, 514, 259];

// Offsets and padding (leading dimension minus width): tight and zero-based, then awkward.
const LAYOUTS = [{ off: 0, pad: 0 }, { off: 5, pad: 3 }];

function storedShapes(op: Op, M: number, N: number, K: number): { a: [number, number]; b: [number, number] } {
  if (op === 'gemmNN') return { a: [M, K], b: [K, N] };
  if (op === 'gemmNT') return { a: [M, K], b: [N, K] };
  return { a: [K, M], b: [K, N] };
}

type Make = (n: number) => Vec;

function filled(make: Make, n: number, rng: Rng): Vec {
  const v = make(n);
  for (let i = 0; i < n; i++) v[i] = 2 * rng.uniform() - 1;
  return v;
}

/**
 * Runs `kernels` and the reference on one problem and checks every element of C: inside the
 * M x N block within the tolerance, outside it untouched. A, B and C come from `make`.
 */
function check(kernels: Kernels, make: Make, op: Op, M: number, N: number, K: number, off: number, pad: number,
  accumulate: boolean, rng: Rng, rtol: number): void {
  const where = `${op} M=${M} N=${N} K=${K} off=${off} pad=${pad} accumulate=${accumulate}`;
  const { a, b } = storedShapes(op, M, N, K);
  const lda = a[1] + pad, ldb = b[1] + pad, ldc = N + pad;
  const aOff = off, bOff = off + 1, cOff = off + 2;
  const A = filled(make, aOff + a[0] * lda, rng);
  const B = filled(make, bOff + b[0] * ldb, rng);
  const C0 = filled(make, cOff + M * ldc + 3, rng); // room after the last row too

  const expected = C0.slice();
  naiveKernels[op](M, N, K, A, aOff, lda, B, bOff, ldb, expected, cOff, ldc, accumulate);
  const scale = C0.map(Math.abs);
  naiveKernels[op](M, N, K, A.map(Math.abs), aOff, lda, B.map(Math.abs), bOff, ldb, scale, cOff, ldc, accumulate);
  const actual = make(C0.length);
  actual.set(C0);
  kernels[op](M, N, K, A, aOff, lda, B, bOff, ldb, actual, cOff, ldc, accumulate);

  for (let p = 0; p < C0.length; p++) {
    const row = Math.floor((p - cOff) / ldc);
    const col = (p - cOff) - row * ldc;
    if (p >= cOff && row < M && col < N) {
      const err = Math.abs(actual[p] - expected[p]);
      if (!(err <= rtol * scale[p])) {
        expect.fail(`${where}: C[${row}, ${col}] = ${actual[p]}, naive ${expected[p]}, error ${err} > ${rtol} * ${scale[p]}`);
      }
    } else if (actual[p] !== C0[p]) {
      expect.fail(`${where}: element ${p} outside the ${M}x${N} block was written`);
    }
  }
}

describe.each([
  { name: 'wasm', fma: false, supported: wasmSimdSupported() },
  { name: 'wasm-fma', fma: true, supported: wasmFmaSupported() },
])('$name kernels (skipped where the runtime lacks them)', ({ fma, supported }) => {
  if (!supported) {
    it.skip('need WebAssembly SIMD and shared memory (wasm-fma: relaxed SIMD with a fused multiply-add)', () => {});
    return;
  }
  const heap = new WasmHeap();
  const wasm = createWasmKernels(heap, fma);
  const onHeap: Make = (n) => heap.alloc(n);

  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** Spies on blockedKernels, to tell which calls wasm ran. */
  function spyBlocked(): () => number {
    const spies = OPS.map((op) => vi.spyOn(blockedKernels, op));
    return () => spies.reduce((n, s) => n + s.mock.calls.length, 0);
  }

  it.each(OPS)('%s matches naiveKernels on awkward shapes and layouts, in wasm', (op) => {
    const blockedCalls = spyBlocked();
    const rng = new Rng(42);
    for (const [M, N, K] of SHAPES) {
      for (const { off, pad } of LAYOUTS) {
        for (const accumulate of [false, true]) check(wasm, onHeap, op, M, N, K, off, pad, accumulate, rng, rtol32(K));
      }
    }
    expect(blockedCalls()).toBe(0);
  });

  it.each(OPS)('%s matches naiveKernels across the block boundaries', (op) => {
    const [M, N, K] = BIG;
    check(wasm, onHeap, op, M, N, K, 5, 3, true, new Rng(7), rtol32(K));
  });

  it('computes a small product worked by hand (exact)', () => {
    // [1 2; 3 4] @ [5 6; 7 8] = [19 22; 43 50]
    const A = heap.alloc(4), B = heap.alloc(4), Bt = heap.alloc(4), At = heap.alloc(4), C = heap.alloc(4);
    A.set([1, 2, 3, 4]); B.set([5, 6, 7, 8]); Bt.set([5, 7, 6, 8]); At.set([1, 3, 2, 4]);
    wasm.gemmNN(2, 2, 2, A, 0, 2, B, 0, 2, C, 0, 2, false);
    expect(Array.from(C)).toEqual([19, 22, 43, 50]);
    wasm.gemmNT(2, 2, 2, A, 0, 2, Bt, 0, 2, C, 0, 2, false);
    expect(Array.from(C)).toEqual([19, 22, 43, 50]);
    wasm.gemmTN(2, 2, 2, At, 0, 2, B, 0, 2, C, 0, 2, true);
    expect(Array.from(C)).toEqual([38, 44, 86, 100]);
  });

  it(fma ? 'rounds each multiply-add once (fused)' : 'rounds each product and each sum', () => {
    // row 0 of C: -(1 + 2^-11) * 1 + (1 + 2^-12)^2 = 2^-24 exactly; rounding the product first loses it
    const M = 4, N = 8, K = 2;
    const A = heap.alloc(M * K), B = heap.alloc(K * N), C = heap.alloc(M * N);
    A.set([1 + 2 ** -11, 1 + 2 ** -12]);
    B.fill(-1, 0, N);
    B.fill(1 + 2 ** -12, N, 2 * N);
    wasm.gemmNN(M, N, K, A, 0, K, B, 0, N, C, 0, N, false);
    expect(Array.from(C.subarray(0, N))).toEqual(Array(N).fill(fma ? 2 ** -24 : 0));
  });

  it('still runs on views allocated before the memory grew, mixed with views after', () => {
    const blockedCalls = spyBlocked();
    const rng = new Rng(3);
    const [M, N, K] = [9, 19, 11];
    const A = filled(onHeap, M * K, rng), B = filled(onHeap, K * N, rng);
    const before = heap.memory.buffer;
    const big = heap.alloc(heap.memory.buffer.byteLength / 4 + 1000); // more than is left: forces a grow
    expect(heap.memory.buffer).not.toBe(before);
    expect(A.buffer).toBe(before);
    expect(heap.owns(A) && heap.owns(big)).toBe(true);
    const C = heap.alloc(M * N);
    const expected = new Float32Array(M * N);
    naiveKernels.gemmNN(M, N, K, A, 0, K, B, 0, N, expected, 0, N, false);
    wasm.gemmNN(M, N, K, A, 0, K, B, 0, N, C, 0, N, false);
    for (let p = 0; p < M * N; p++) expect(Math.abs(C[p] - expected[p])).toBeLessThan(1e-5);
    // And with an old C: A from before the grow, B and C after.
    const B2 = filled(onHeap, K * N, rng);
    const C2 = filled(onHeap, M * N, rng);
    const expected2 = Float32Array.from(C2);
    naiveKernels.gemmNN(M, N, K, A, 0, K, B2, 0, N, expected2, 0, N, true);
    wasm.gemmNN(M, N, K, A, 0, K, B2, 0, N, C2, 0, N, true);
    for (let p = 0; p < M * N; p++) expect(Math.abs(C2[p] - expected2[p])).toBeLessThan(1e-5);
    expect(blockedCalls()).toBe(0);
  });

  it.each(OPS)('%s falls back to blockedKernels for Float64Array and for arrays off the heap', (op) => {
    const blockedCalls = spyBlocked();
    const rng = new Rng(5);
    for (const [M, N, K] of SHAPES) {
      check(wasm, (n) => new Float64Array(n), op, M, N, K, 5, 3, true, rng, RTOL64);
    }
    expect(blockedCalls()).toBe(SHAPES.length);
    // One operand off the heap is enough to send the call to TypeScript.
    const A = heap.alloc(12), B = heap.alloc(12), C = new Float32Array(9);
    wasm[op](3, 3, 4, A, 0, op === 'gemmTN' ? 3 : 4, B, 0, op === 'gemmNT' ? 4 : 3, C, 0, 3, false);
    expect(blockedCalls()).toBe(SHAPES.length + 1);
  });

  it('refuses a product that does not fit in its arrays, rather than touch the memory next to them', () => {
    const A = heap.alloc(12), B = heap.alloc(12), C = heap.alloc(9);
    expect(() => wasm.gemmNN(3, 3, 4, A, 1, 4, B, 0, 3, C, 0, 3, false)).toThrow(RangeError); // A one too short
    expect(() => wasm.gemmNN(3, 3, 4, A, 0, 4, B, 0, 3, C, 0, 4, false)).toThrow(RangeError); // ldc too long
    expect(() => wasm.gemmNT(3, 3, 4, A, 0, 4, B, 0, 4, C, -1, 3, false)).toThrow(RangeError);
  });

  it('with K = 0 writes zeros, or leaves C alone when accumulating', () => {
    for (const op of OPS) {
      const C = heap.alloc(6);
      C.set([1, 2, 3, 4, 5, 6]);
      wasm[op](2, 3, 0, heap.alloc(0), 0, 3, heap.alloc(0), 0, 3, C, 0, 3, true);
      expect(Array.from(C)).toEqual([1, 2, 3, 4, 5, 6]);
      wasm[op](2, 3, 0, heap.alloc(0), 0, 3, heap.alloc(0), 0, 3, C, 0, 3, false);
      expect(Array.from(C)).toEqual([0, 0, 0, 0, 0, 0]);
    }
  });
});

describe.skipIf(!wasmSimdSupported())('WasmHeap (skipped: no WebAssembly SIMD or shared memory here)', () => {
  it('hands out zeroed, 16-byte aligned, disjoint arrays, also to a second heap over the same memory', () => {
    const heap = new WasmHeap();
    const other = new WasmHeap(heap.memory);
    const arrays = [heap.alloc(3), other.alloc(5), heap.alloc(0), heap.alloc(70_000), other.alloc(1)];
    let end = 0;
    for (const a of arrays) {
      expect(a.byteOffset % 16).toBe(0);
      expect(a.byteOffset).toBeGreaterThanOrEqual(Math.max(end, 16));
      expect(a.every((x) => x === 0)).toBe(true);
      expect(heap.owns(a) && other.owns(a)).toBe(true);
      end = a.byteOffset + a.byteLength;
    }
    expect(heap.owns(new Float32Array(4))).toBe(false);
    expect(heap.owns(new Float64Array(heap.memory.buffer, 16, 1))).toBe(false);
  });

  it('needs a shared memory', () => {
    expect(() => new WasmHeap(new WebAssembly.Memory({ initial: 1 }))).toThrow(TypeError);
  });
});
