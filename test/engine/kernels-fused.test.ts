// The wasm-fma kernels' fused steps: the vectorised exp, sigmoid and tanh against Math's in float64
// (their largest error in float32 ulps, stated and bounded), and each cell's fused forward and
// backward step against the cell's own TypeScript loop in float64, on sizes with SIMD tails.
import { describe, expect, it } from 'vitest';
import type { LayerParams, LayerWork } from '../../src-worker/engine/cells/cell.ts';
import type { CellName } from '../../src-worker/engine/cells/index.ts';
import { createWasmKernels, WasmHeap, wasmFmaSupported } from '../../src-worker/engine/kernels-wasm.ts';
import { naiveKernels, type FusedSteps } from '../../src-worker/engine/kernels.ts';
import { Model } from '../../src-worker/engine/model.ts';
import { Rng } from '../../src-worker/engine/rng.ts';
import { GEMM_FMA_WASM_BASE64, GEMM_WASM_BASE64 } from '../../src-worker/engine/wasm/gemm.wasm.ts';
// relaxed SIMD on, as in the workers
import '../../src-worker/wasm-features.ts';

/** float32 ulp at |y| (for normal y) */
const ulp = (y: number): number => 2 ** (Math.floor(Math.log2(Math.abs(y))) - 23);

/** Every 2^12-th float32 from lo to hi (both signs where the range crosses 0). */
function float32Grid(lo: number, hi: number): Float64Array {
  const bits = new Uint32Array(1);
  const f = new Float32Array(bits.buffer);
  const out: number[] = [];
  for (let b = 0; b < 0x7f800000; b += 4096) {
    bits[0] = b;
    const x = f[0];
    if (x <= hi && x >= lo) out.push(x);
    if (-x <= hi && -x >= lo && x !== 0) out.push(-x);
  }
  return Float64Array.from(out);
}

/** The largest error of f in float32 ulps of the float64 reference, over xs, and where. */
function maxUlps(fused: FusedSteps, heap: WasmHeap, f: 'exp' | 'sigmoid' | 'tanh', ref: (x: number) => number, xs: Float64Array): { ulps: number; at: number } {
  const x = heap.alloc(xs.length);
  x.set(xs);
  const y = heap.alloc(xs.length);
  fused.activation(f, x, y);
  let worst = { ulps: 0, at: NaN };
  for (let i = 0; i < xs.length; i++) {
    const r = ref(x[i]);
    if (r === 0) continue;
    const e = Math.abs(y[i] - r) / ulp(r);
    if (!(e <= worst.ulps)) worst = { ulps: e, at: x[i] };
  }
  return worst;
}

describe.skipIf(!wasmFmaSupported())('wasm-fma fused steps (skipped: no relaxed SIMD with a fused multiply-add here)', () => {
  const heap = new WasmHeap();
  const kernels = createWasmKernels(heap, true);
  const fused = kernels.fused!;

  // Measured over these grids (about 10^6 floats each): exp at most 1.23 ulps (at -59.27), sigmoid
  // 2.46 (at -17.34: the exp's error and the division's rounding), tanh 1.21 (at 0.655, just above
  // the polynomial's range). The bounds leave half an ulp or so.
  it.each([
    { f: 'exp', ref: Math.exp, lo: -87, hi: 88, bound: 1.5 },
    { f: 'sigmoid', ref: (x: number) => 1 / (1 + Math.exp(-x)), lo: -80, hi: 40, bound: 3 },
    { f: 'tanh', ref: Math.tanh, lo: -20, hi: 20, bound: 1.5 },
  ] as const)('$f is within $bound float32 ulps of Math in float64 over [$lo, $hi]', ({ f, ref, lo, hi, bound }) => {
    expect(maxUlps(fused, heap, f, ref, float32Grid(lo, hi)).ulps).toBeLessThanOrEqual(bound);
  });

  it('saturates exactly: tanh to +-1, sigmoid to 1 and 0, exp to 0 under its range; NaN stays NaN', () => {
    const x = heap.alloc(6);
    const y = heap.alloc(6);
    x.set([30, -30, 1e30, -1e30, NaN, 0]);
    fused.activation('tanh', x, y);
    expect(Array.from(y.subarray(0, 5))).toEqual([1, -1, 1, -1, NaN]);
    expect(Object.is(y[5], 0)).toBe(true);
    fused.activation('sigmoid', x, y);
    expect(y[0]).toBe(1);
    expect(y[1]).toBeLessThan(1e-12);
    expect(y[5]).toBe(0.5);
    fused.activation('exp', x, y);
    expect(y[3]).toBeLessThan(2e-38);
    expect(y[5]).toBe(1);
  });
});

describe.skipIf(!wasmFmaSupported())('wasm-fma cells against the float64 reference (skipped: no relaxed SIMD with a fused multiply-add here)', () => {
  // H = 7 and 13: a row of 4-lane vectors plus a tail of 3 and 1; B = 3 streams, T = 6 steps, two layers
  const cases = (['lstm', 'lstm-peephole', 'rnn', 'gru', 'gru-reset-after'] as const).flatMap((cell) => [7, 13].map((H) => ({ cell, H })));
  /** a forward and a backward step of each cell's, at t = 0 */
  type Step = (f: FusedSteps, p: LayerParams, w: LayerWork) => boolean;
  const STEPS: Record<typeof cases[number]['cell'], [Step, Step]> = {
    lstm: [(f, p, w) => f.lstmForward(p, w, 0), (f, _p, w) => f.lstmBackward(w, 0)],
    'lstm-peephole': [(f, p, w) => f.lstmPeepholeForward(p, w, 0), (f, p, w) => f.lstmPeepholeBackward(p, p, w, 0)],
    rnn: [(f, p, w) => f.rnnForward(p, w, 0), (f, _p, w) => f.rnnBackward(w, 0)],
    gru: [(f, _p, w) => f.gruForwardGates(w, 0), (f, _p, w) => f.gruBackwardOut(w, 0)],
    'gru-reset-after': [(f, p, w) => f.gruResetAfterForward(p, w, 0), (f, _p, w) => f.gruResetAfterBackward(w, 0)],
  };

  it.each(cases)('$cell, H $H: the fused steps run, and forward and backward match the float64 loops within float32 error', ({ cell, H }) => {
    const V = 11, T = 6, B = 3;
    const config = { cell: cell as CellName, vocabSize: V, hidden: H, layers: 2, embedding: 0, dropout: 0 };
    const heap = new WasmHeap();
    const k = createWasmKernels(heap, true);
    const f32 = new Model(config, 'f32', (n) => heap.alloc(n));
    const f64 = new Model(config, 'f64');
    const rng = new Rng(3);
    for (let i = 0; i < f64.params.length; i++) f32.params[i] = f64.params[i] = Math.fround(rng.uniformIn(-0.8, 0.8));
    const w32 = f32.workspace(T, B), w64 = f64.workspace(T, B);
    for (let i = 0; i < T * B; i++) {
      w32.inputs[i] = w64.inputs[i] = rng.below(V);
      w32.targets[i] = w64.targets[i] = rng.below(V);
    }
    for (let l = 0; l < 2; l++) {
      for (let i = 0; i < B * H; i++) w32.layers[l].hs[i] = w64.layers[l].hs[i] = Math.fround(rng.uniformIn(-0.9, 0.9));
      const c32 = w32.layers[l].cs, c64 = w64.layers[l].cs;
      if (c32 && c64) for (let i = 0; i < B * H; i++) c32[i] = c64[i] = Math.fround(rng.uniformIn(-2, 2));
    }
    const loss32 = f32.forward(k, w32), loss64 = f64.forward(naiveKernels, w64);
    f32.backward(k, w32);
    f64.backward(naiveKernels, w64);

    // Measured: hidden states within 7.6e-7, cell states 2.1e-7, loss 2.2e-8 relative, gradients
    // 1.0e-6 of the largest (rnn, H 13); the bounds are float32's 2^-24 (6e-8) times a few dozen
    // roundings along 6 steps and two layers, and a wrong term shows as 1e-2 or worse.
    const worst = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
      let m = 0;
      for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
      return m;
    };
    const top = (a: ArrayLike<number>): number => Math.max(...Array.from(a, Math.abs));
    for (let l = 0; l < 2; l++) {
      expect(worst(w32.layers[l].hs, w64.layers[l].hs)).toBeLessThan(2e-6);
      const c32 = w32.layers[l].cs, c64 = w64.layers[l].cs;
      if (c32 && c64) expect(worst(c32, c64)).toBeLessThan(4e-6);
    }
    expect(Math.abs(loss32 - loss64)).toBeLessThan(1e-6 * loss64);
    expect(worst(f32.grads, f64.grads)).toBeLessThan(4e-6 * top(f64.grads));

    // the layers' buffers are the fused steps' to run on (a float64 layer's are not): the loops above
    // ran in wasm (these calls redo step 0 in place, so they come last)
    const [step, back] = STEPS[cell];
    expect(step(k.fused!, f32.layers[0].p, w32.layers[0])).toBe(true);
    expect(back(k.fused!, f32.layers[0].p, w32.layers[0])).toBe(true);
    expect(step(k.fused!, f64.layers[0].p, w64.layers[0])).toBe(false);
  });
});

describe('the kernels\' modules', () => {
  /** the ids of a module's sections */
  function sections(base64: string): number[] {
    const bytes = Buffer.from(base64, 'base64');
    const ids: number[] = [];
    for (let i = 8; i < bytes.length;) {
      ids.push(bytes[i++]);
      let len = 0;
      for (let shift = 0, b = 0x80; b & 0x80; shift += 7) {
        b = bytes[i++];
        len += (b & 0x7f) * 2 ** shift;
      }
      i += len;
    }
    return ids;
  }

  it('carry no data segment, which every instance would write into the shared memory the heap hands out', () => {
    // (a Math.log in the softmax did: its tables overwrote the first arrays, the gemm scratch)
    for (const m of [GEMM_WASM_BASE64, GEMM_FMA_WASM_BASE64]) {
      expect(sections(m)).toContain(10); // code
      expect(sections(m)).not.toContain(11); // data
    }
  });
});

describe.skipIf(!wasmFmaSupported())('wasm-fma softmax cross-entropy', () => {
  it('matches the float64 loop on rows with SIMD tails, after a product has used the scratch', () => {
    const heap = new WasmHeap();
    const k = createWasmKernels(heap, true);
    const rng = new Rng(5);
    for (const V of [1, 3, 4, 11, 65]) {
      const rows = 7;
      const probs = heap.alloc(rows * V), bd = heap.alloc(V + 1).subarray(1);
      const ids = heap.alloc(rows);
      const targets = new Int32Array(ids.buffer, ids.byteOffset, rows);
      // a product first, as in the model: it writes the kernels' scratch
      const A = heap.alloc(rows * 5), W = heap.alloc(5 * V);
      for (let i = 0; i < A.length; i++) A[i] = rng.uniformIn(-2, 2);
      for (let i = 0; i < W.length; i++) W[i] = rng.uniformIn(-2, 2);
      for (let i = 0; i < V; i++) bd[i] = rng.uniformIn(-1, 1);
      for (let n = 0; n < rows; n++) targets[n] = rng.below(V);
      k.gemmNN(rows, V, 5, A, 0, 5, W, 0, V, probs, 0, V, false);
      const z = Array.from(probs, (x, i) => Math.fround(x + bd[i % V]));
      const nll = new Float64Array(rows);
      expect(k.fused!.softmaxLoss(probs, bd, targets, nll, rows, V)).toBe(true);
      for (let n = 0; n < rows; n++) {
        const r = z.slice(n * V, (n + 1) * V);
        const max = Math.max(...r);
        const sum = r.reduce((s, x) => s + Math.exp(x - max), 0);
        // the exponentials within 1.23 ulps each, summed in float64
        expect(Math.abs(nll[n] - (max + Math.log(sum) - r[targets[n]]))).toBeLessThan(2e-7);
        for (let j = 0; j < V; j++) expect(Math.abs(probs[n * V + j] - Math.exp(r[j] - max) / sum)).toBeLessThan(4e-7);
      }
    }
  });

  it('gives NaN for a target outside the row', () => {
    const heap = new WasmHeap();
    const k = createWasmKernels(heap, true);
    const probs = heap.alloc(4), bd = heap.alloc(4);
    const ids = heap.alloc(1);
    const targets = new Int32Array(ids.buffer, ids.byteOffset, 1);
    targets[0] = 4;
    const nll = new Float64Array(1);
    k.fused!.softmaxLoss(probs, bd, targets, nll, 1, 4);
    expect(nll[0]).toBeNaN();
  });
});
