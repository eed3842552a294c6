/**
 * What a layer's step reads and writes: its parameters and its window's buffers. Apart from the
 * cells (cells/cell.ts) so that the kernels' interface (kernels.ts), which the cells call, can name
 * them without the two importing each other.
 */

/** float32 in training, float64 in the gradient checks */
export type Vec = Float32Array | Float64Array;

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
