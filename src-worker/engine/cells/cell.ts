/**
 * What every recurrent cell provides: its parameter tensors and a forward/backward pair over a
 * whole window. Shapes use one vocabulary: B batch (parallel streams), T time steps, H hidden size,
 * G gate blocks, I input size of the layer. Activations are time-major: row t*B + b.
 *
 * A layer's input-side product X W_x + b_x of the whole window is done once, outside the cell, as
 * one large matrix product (or a row gather for one-hot input); the cell runs the time loop: the
 * recurrent product h_{t-1} W_h and the gate non-linearities. Backward reads the forward upside
 * down (t = T-1 down to 0), carrying dhNext (and dcNext), and *accumulates* into the gradients.
 */
import { CELL_CATALOGUE, gateBlocks, type CellName, type CellSpec } from '../../../src-shared/cells.ts';
import type { Kernels, Vec } from '../kernels.ts';

export type { CellName };

/** Parameters of one layer, as views into the model's flat buffer. W_x is (I, G*H), W_h (H, G*H):
 * the transpose of PyTorch's weight_ih / weight_hh, so a one-hot input is a row gather and every
 * product runs along contiguous rows. Gate blocks are in the catalogue's order (PyTorch's). */
export interface LayerParams {
  Wx: Vec; // (I, G*H)
  Wh: Vec; // (H, G*H)
  bx: Vec; // (G*H)
  bh: Vec | null; // (G*H) second bias where PyTorch has one; null for the Cho GRU
  peep: Vec | null; // (P, H) peephole weights, one row per gate of spec.peepholes (peephole LSTM only)
}

/** Buffers of one layer for a window of T steps and B streams, allocated once. */
export interface LayerWork {
  readonly T: number;
  readonly B: number;
  readonly H: number;
  readonly G: number;
  xw: Vec; // (T, B, G*H) input-side pre-activations X W_x + b_x
  hs: Vec; // (T+1, B, H) hidden states; row block 0 is the state carried in from the last window
  cs: Vec | null; // (T+1, B, H) cell states, LSTMs only; block 0 carried in like hs
  acts: Vec; // (T, B, G*H) gate values after their non-linearity
  aux: Vec; // (T, B, H) what a cell's backward also needs: LSTM tanh(c_t); GRU (Cho) r_t (.) h_{t-1}; GRU (reset-after) W_hn h_{t-1} + b_hn
  step: Vec; // (B, G*H) scratch: the recurrent product of one step
  dxw: Vec; // (T, B, G*H) gradient of the loss w.r.t. the input-side pre-activations
  dhw: Vec; // (T, B, G*H) ... w.r.t. the hidden-side pre-activations (the same buffer as dxw where they coincide)
  dhs: Vec; // (T, B, H) gradient reaching h_t from above (the next layer or the decoder)
  dhNext: Vec; // (B, H) gradient reaching h_{t-1} from step t
  dcNext: Vec; // (B, H) gradient reaching c_{t-1} from step t (LSTMs)
  dTmp: Vec; // (B, H) scratch
  /**
   * Diagnostics only (absent in training): backward calls it at the end of each step t, when dhNext
   * (and dcNext) hold the gradient reaching h_{t-1} (and c_{t-1}), row block t of hs, through step t.
   */
  probe?: (t: number) => void;
}

export interface ParamShape {
  /** local name: Wx, Wh, bx, bh, peep */
  key: keyof LayerParams;
  /** shape as stored inside the engine */
  shape: number[];
}

/** What a cell's file writes: its time loop forward and backward. */
interface CellSteps {
  /** whether the hidden-side gradient differs from the input-side one (else dhw is dxw) */
  readonly separateHiddenGrad: boolean;
  /** Runs t = 0..T-1 from the carried state in hs[0] (and cs[0]). */
  forward(k: Kernels, p: LayerParams, w: LayerWork): void;
  /**
   * From dhs and the carried-in dhNext/dcNext (zero for truncated BPTT), fills dxw and dhw for the
   * whole window and accumulates the gradients of W_h, b_h and peepholes into g. Leaves in dhNext
   * the gradient w.r.t. the carried-in state hs[0] (used by gradient checks and diagnostics).
   */
  backward(k: Kernels, p: LayerParams, g: LayerParams, w: LayerWork): void;
}

export interface Cell extends CellSteps {
  readonly name: CellName;
  /** the cell's entry in the catalogue (src-shared/cells.ts): its gates in the order of its blocks */
  readonly spec: CellSpec;
  /** G: the number of H-sized gate blocks in W_x and W_h */
  readonly gates: number;
  readonly hasCellState: boolean;
  params(inputSize: number, H: number): ParamShape[];
}

/** A cell from its catalogue entry and its time loop. */
export function defineCell(name: CellName, steps: CellSteps): Cell {
  const spec = CELL_CATALOGUE[name];
  const G = gateBlocks(spec);
  return {
    name,
    spec,
    gates: G,
    hasCellState: spec.cellState,
    params: (I, H) => {
      const list: ParamShape[] = [
        { key: 'Wx', shape: [I, G * H] },
        { key: 'Wh', shape: [H, G * H] },
        { key: 'bx', shape: [G * H] },
      ];
      if (spec.twoBiases) list.push({ key: 'bh', shape: [G * H] });
      if (spec.peepholes.length > 0) list.push({ key: 'peep', shape: [spec.peepholes.length, H] });
      return list;
    },
    ...steps,
  };
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** dW_h += hs[0..T-1]^T @ dhw over the whole window (one large product), and db_h += column sums of dhw. */
export function accumulateRecurrentGrads(k: Kernels, g: LayerParams, w: LayerWork): void {
  const { T, B, H, G } = w;
  const GH = G * H;
  k.gemmTN(H, GH, T * B, w.hs, 0, H, w.dhw, 0, GH, g.Wh, 0, GH, true);
  if (g.bh) addColumnSums(g.bh, w.dhw, T * B, GH);
}

/** out (N) += column sums of m (rows, N) */
export function addColumnSums(out: Vec, m: Vec, rows: number, N: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * N;
    for (let j = 0; j < N; j++) out[j] += m[o + j];
  }
}
