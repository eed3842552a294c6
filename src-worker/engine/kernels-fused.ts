/**
 * The wasm-fma kernels' fused steps (FusedSteps, ../kernels.ts) over the exports of
 * wasm/fused.as.ts: each checks that every array it hands to wasm is on the heap and holds the
 * span the step touches, and returns false (the cell's TypeScript loop runs) when one is not.
 */
import type { LayerParams, LayerWork } from './cells/cell.ts';
import type { FusedSteps, Vec } from './kernels.ts';
import type { WasmHeap } from './kernels-wasm.ts';

export interface FusedExports {
  activation(f: number, n: number, x: number, out: number): void;
  lstmForward(B: number, H: number, xw: number, step: number, bh: number, csPrev: number, csCur: number,
    acts: number, aux: number, hsCur: number): void;
  lstmBackward(B: number, H: number, acts: number, aux: number, csPrev: number, dhs: number, dhNext: number,
    dcNext: number, dxw: number): void;
  rnnForward(B: number, H: number, xw: number, step: number, bh: number, hsCur: number): void;
  rnnBackward(n: number, hsCur: number, dhs: number, dhNext: number, dxw: number): void;
}

const ACTIVATIONS = { exp: 0, sigmoid: 1, tanh: 2 } as const;

export function fusedSteps(heap: WasmHeap, wasm: FusedExports): FusedSteps {
  /** the byte pointer of v[off .. off + n), or -1 where wasm must not run on it */
  const at = (v: Vec | null, off: number, n: number): number =>
    v !== null && heap.owns(v) && Number.isInteger(off) && off >= 0 && off + n <= v.length ? v.byteOffset + 4 * off : -1;
  const all = (ptrs: number[]): boolean => ptrs.every((q) => q >= 0);

  return {
    activation(f, x, out) {
      const n = x.length;
      const px = at(x, 0, n), po = at(out, 0, n);
      if (px < 0 || po < 0 || out.length !== n) throw new RangeError(`activation: ${n} and ${out.length} floats, not two arrays of one length on the heap`);
      wasm.activation(ACTIVATIONS[f], n, px, po);
    },
    lstmForward(p: LayerParams, w: LayerWork, t: number) {
      const { B, H } = w;
      const BH = B * H, BG = 4 * BH;
      const q = [at(w.xw, t * BG, BG), at(w.step, 0, BG), at(p.bh, 0, 4 * H), at(w.cs, t * BH, BH), at(w.cs, (t + 1) * BH, BH),
        at(w.acts, t * BG, BG), at(w.aux, t * BH, BH), at(w.hs, (t + 1) * BH, BH)];
      if (!all(q)) return false;
      wasm.lstmForward(B, H, q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7]);
      return true;
    },
    lstmBackward(w: LayerWork, t: number) {
      const { B, H } = w;
      const BH = B * H, BG = 4 * BH;
      const q = [at(w.acts, t * BG, BG), at(w.aux, t * BH, BH), at(w.cs, t * BH, BH), at(w.dhs, t * BH, BH), at(w.dhNext, 0, BH),
        at(w.dcNext, 0, BH), at(w.dxw, t * BG, BG)];
      if (!all(q)) return false;
      wasm.lstmBackward(B, H, q[0], q[1], q[2], q[3], q[4], q[5], q[6]);
      return true;
    },
    rnnForward(p: LayerParams, w: LayerWork, t: number) {
      const { B, H } = w;
      const BH = B * H;
      const q = [at(w.xw, t * BH, BH), at(w.step, 0, BH), at(p.bh, 0, H), at(w.hs, (t + 1) * BH, BH)];
      if (!all(q)) return false;
      wasm.rnnForward(B, H, q[0], q[1], q[2], q[3]);
      return true;
    },
    rnnBackward(w: LayerWork, t: number) {
      const BH = w.B * w.H;
      const q = [at(w.hs, (t + 1) * BH, BH), at(w.dhs, t * BH, BH), at(w.dhNext, 0, BH), at(w.dxw, t * BH, BH)];
      if (!all(q)) return false;
      wasm.rnnBackward(BH, q[0], q[1], q[2], q[3]);
      return true;
    },
  };
}
