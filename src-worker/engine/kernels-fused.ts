/**
 * The wasm-fma kernels' fused steps (FusedSteps, ../kernels.ts) over the exports of
 * wasm/fused.as.ts: each checks that every array it hands to wasm is on the heap and holds the
 * span the step touches, and returns false (the cell's TypeScript loop runs) when one is not.
 */
import type { LayerParams, LayerWork } from './cells/cell.ts';
import type { FusedSteps, Vec } from './kernels.ts';

export interface FusedExports {
  activation(f: number, n: number, x: number, out: number): void;
  lstmForward(B: number, H: number, xw: number, step: number, bh: number, csPrev: number, csCur: number,
    acts: number, aux: number, hsCur: number): void;
  lstmBackward(B: number, H: number, acts: number, aux: number, csPrev: number, dhs: number, dhNext: number,
    dcNext: number, dxw: number): void;
  lstmPeepForward(B: number, H: number, xw: number, step: number, bh: number, peep: number, csPrev: number, csCur: number,
    acts: number, aux: number, hsCur: number): void;
  lstmPeepBackward(B: number, H: number, acts: number, aux: number, csPrev: number, peep: number, dpeep: number, dhs: number,
    dhNext: number, dcNext: number, dxw: number): void;
  rnnForward(B: number, H: number, xw: number, step: number, bh: number, hsCur: number): void;
  softmaxRow(V: number, row: number, bd: number, target: number): number;
  readonly rowShift: { value: number };
  rnnBackward(n: number, hsCur: number, dhs: number, dhNext: number, dxw: number): void;
  gruRAForward(B: number, H: number, xw: number, step: number, bh: number, hsPrev: number, hsCur: number, acts: number, aux: number): void;
  gruRABackward(B: number, H: number, acts: number, aux: number, hsPrev: number, dhs: number, dhNext: number, dxw: number, dhw: number): void;
  gruGates(B: number, H: number, xw: number, step: number, hsPrev: number, acts: number, aux: number): void;
  gruOut(B: number, H: number, xw: number, step: number, hsPrev: number, hsCur: number, acts: number): void;
  gruBackOut(B: number, H: number, acts: number, hsPrev: number, dhs: number, dhNext: number, dxw: number): void;
  gruBackReset(B: number, H: number, acts: number, hsPrev: number, dTmp: number, dhNext: number, dxw: number): void;
}

const ACTIVATIONS = { exp: 0, sigmoid: 1, tanh: 2 } as const;

/** what the steps need of the kernels' WebAssembly heap (kernels-wasm.ts's WasmHeap) */
interface HeapViews {
  owns(v: Vec): boolean;
}

export function fusedSteps(heap: HeapViews, wasm: FusedExports): FusedSteps {
  /** the byte pointer of v[off .. off + n), or -1 where wasm must not run on it */
  const at = (v: Vec | null, off: number, n: number): number =>
    v !== null && heap.owns(v) && Number.isInteger(off) && off >= 0 && off + n <= v.length ? v.byteOffset + 4 * off : -1;
  const all = (ptrs: number[]): boolean => ptrs.every((q) => q >= 0);

  /** floats in a step's state rows (B H) and gate rows (3 B H) of a GRU layer */
  const gru = (w: LayerWork): { BH: number; BG: number } => ({ BH: w.B * w.H, BG: 3 * w.B * w.H });

  return {
    activation(f, x, out) {
      const n = x.length;
      const px = at(x, 0, n), po = at(out, 0, n);
      if (px < 0 || po < 0 || out.length !== n) throw new RangeError(`activation: ${n} and ${out.length} floats, not two arrays of one length on the heap`);
      wasm.activation(ACTIVATIONS[f], n, px, po);
    },
    softmaxLoss(probs, bd, targets, nll, rows, V) {
      const base = at(probs, 0, rows * V), pb = at(bd, 0, V);
      if (base < 0 || pb < 0 || targets.length < rows || nll.length < rows) return false;
      for (let n = 0; n < rows; n++) {
        const sum = wasm.softmaxRow(V, base + 4 * n * V, pb, targets[n]);
        nll[n] = wasm.rowShift.value + Math.log(sum);
      }
      return true;
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
    lstmPeepholeForward(p: LayerParams, w: LayerWork, t: number) {
      const { B, H } = w;
      const BH = B * H, BG = 4 * BH;
      const q = [at(w.xw, t * BG, BG), at(w.step, 0, BG), at(p.bh, 0, 4 * H), at(p.peep, 0, 3 * H), at(w.cs, t * BH, BH),
        at(w.cs, (t + 1) * BH, BH), at(w.acts, t * BG, BG), at(w.aux, t * BH, BH), at(w.hs, (t + 1) * BH, BH)];
      if (!all(q)) return false;
      wasm.lstmPeepForward(B, H, q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8]);
      return true;
    },
    lstmPeepholeBackward(p: LayerParams, g: LayerParams, w: LayerWork, t: number) {
      const { B, H } = w;
      const BH = B * H, BG = 4 * BH;
      // c_{t-1} and c_t: two state blocks from t
      const q = [at(w.acts, t * BG, BG), at(w.aux, t * BH, BH), at(w.cs, t * BH, 2 * BH), at(p.peep, 0, 3 * H), at(g.peep, 0, 3 * H),
        at(w.dhs, t * BH, BH), at(w.dhNext, 0, BH), at(w.dcNext, 0, BH), at(w.dxw, t * BG, BG)];
      if (!all(q)) return false;
      wasm.lstmPeepBackward(B, H, q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8]);
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
    gruResetAfterForward(p: LayerParams, w: LayerWork, t: number) {
      const { BH, BG } = gru(w);
      const q = [at(w.xw, t * BG, BG), at(w.step, 0, BG), at(p.bh, 0, 3 * w.H), at(w.hs, t * BH, BH), at(w.hs, (t + 1) * BH, BH),
        at(w.acts, t * BG, BG), at(w.aux, t * BH, BH)];
      if (!all(q)) return false;
      wasm.gruRAForward(w.B, w.H, q[0], q[1], q[2], q[3], q[4], q[5], q[6]);
      return true;
    },
    gruResetAfterBackward(w: LayerWork, t: number) {
      const { BH, BG } = gru(w);
      const q = [at(w.acts, t * BG, BG), at(w.aux, t * BH, BH), at(w.hs, t * BH, BH), at(w.dhs, t * BH, BH), at(w.dhNext, 0, BH),
        at(w.dxw, t * BG, BG), at(w.dhw, t * BG, BG)];
      if (!all(q)) return false;
      wasm.gruRABackward(w.B, w.H, q[0], q[1], q[2], q[3], q[4], q[5], q[6]);
      return true;
    },
    gruForwardGates(w: LayerWork, t: number) {
      const { BH, BG } = gru(w);
      const q = [at(w.xw, t * BG, BG), at(w.step, 0, BG), at(w.hs, t * BH, BH), at(w.acts, t * BG, BG), at(w.aux, t * BH, BH)];
      if (!all(q)) return false;
      wasm.gruGates(w.B, w.H, q[0], q[1], q[2], q[3], q[4]);
      return true;
    },
    gruForwardOut(w: LayerWork, t: number) {
      const { BH, BG } = gru(w);
      const q = [at(w.xw, t * BG, BG), at(w.step, 0, BG), at(w.hs, t * BH, BH), at(w.hs, (t + 1) * BH, BH), at(w.acts, t * BG, BG)];
      if (!all(q)) return false;
      wasm.gruOut(w.B, w.H, q[0], q[1], q[2], q[3], q[4]);
      return true;
    },
    gruBackwardOut(w: LayerWork, t: number) {
      const { BH, BG } = gru(w);
      const q = [at(w.acts, t * BG, BG), at(w.hs, t * BH, BH), at(w.dhs, t * BH, BH), at(w.dhNext, 0, BH), at(w.dxw, t * BG, BG)];
      if (!all(q)) return false;
      wasm.gruBackOut(w.B, w.H, q[0], q[1], q[2], q[3], q[4]);
      return true;
    },
    gruBackwardReset(w: LayerWork, t: number) {
      const { BH, BG } = gru(w);
      const q = [at(w.acts, t * BG, BG), at(w.hs, t * BH, BH), at(w.dTmp, 0, BH), at(w.dhNext, 0, BH), at(w.dxw, t * BG, BG)];
      if (!all(q)) return false;
      wasm.gruBackReset(w.B, w.H, q[0], q[1], q[2], q[3], q[4]);
      return true;
    },
  };
}
