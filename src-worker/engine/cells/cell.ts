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
import type { LayerParams, LayerWork } from '../layer-buffers.ts';

export type { CellName, LayerParams, LayerWork };

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
