/**
 * LSTM (Hochreiter and Schmidhuber 1997, with the forget gate of Gers et al. 2000). G = 4, one
 * block per gate, in the order CELL_CATALOGUE.lstm gives them (src-shared/cells.ts):
 *   i = sigma(a_i), f = sigma(a_f), g = tanh(a_g), o = sigma(a_o), a = W_x x_t + b_x + W_h h_{t-1} + b_h
 *   c_t = f (.) c_{t-1} + i (.) g,  h_t = o (.) tanh(c_t)
 */
import { accumulateRecurrentGrads, defineCell, sigmoid } from './cell.ts';

export const lstmCell = defineCell('lstm', {
  separateHiddenGrad: false,

  // caches acts = the gates, block by block, and aux = tanh(c_t)
  forward(k, p, w) {
    const { T, B, H } = w;
    const { xw, hs, acts, aux, step } = w;
    const cs = w.cs!;
    const bh = p.bh!;
    const GH = 4 * H;
    for (let t = 0; t < T; t++) {
      k.gemmNN(B, GH, H, hs, t * B * H, H, p.Wh, 0, GH, step, 0, GH, false);
      if (k.fused?.lstmForward(p, w, t)) continue;
      for (let b = 0; b < B; b++) {
        const a = t * B * GH + b * GH; // row of this stream in xw and acts
        const s = b * GH; // row in step
        const prev = t * B * H + b * H; // h_{t-1}, c_{t-1}
        const cur = prev + B * H; // h_t, c_t
        for (let j = 0; j < H; j++) {
          const ig = sigmoid(xw[a + j] + step[s + j] + bh[j]);
          const fg = sigmoid(xw[a + H + j] + step[s + H + j] + bh[H + j]);
          const gg = Math.tanh(xw[a + 2 * H + j] + step[s + 2 * H + j] + bh[2 * H + j]);
          const og = sigmoid(xw[a + 3 * H + j] + step[s + 3 * H + j] + bh[3 * H + j]);
          const c = fg * cs[prev + j] + ig * gg;
          const tc = Math.tanh(c);
          acts[a + j] = ig;
          acts[a + H + j] = fg;
          acts[a + 2 * H + j] = gg;
          acts[a + 3 * H + j] = og;
          cs[cur + j] = c;
          aux[prev + j] = tc;
          hs[cur + j] = og * tc;
        }
      }
    }
  },

  backward(k, p, g, w) {
    const { T, B, H } = w;
    const { acts, aux, dxw, dhs, dhNext, dcNext } = w;
    const cs = w.cs!;
    const GH = 4 * H;
    dhNext.fill(0);
    dcNext.fill(0);
    for (let t = T - 1; t >= 0; t--) {
      if (!k.fused?.lstmBackward(w, t)) {
        for (let b = 0; b < B; b++) {
          const a = t * B * GH + b * GH;
          const r = t * B * H + b * H; // row of h_t's gradient in dhs, of c_{t-1} in cs
          const n = b * H; // row in dhNext, dcNext
          for (let j = 0; j < H; j++) {
            const ig = acts[a + j];
            const fg = acts[a + H + j];
            const gg = acts[a + 2 * H + j];
            const og = acts[a + 3 * H + j];
            const tc = aux[r + j];
            const dh = dhs[r + j] + dhNext[n + j];
            const dc = dcNext[n + j] + dh * og * (1 - tc * tc);
            dxw[a + j] = dc * gg * ig * (1 - ig);
            dxw[a + H + j] = dc * cs[r + j] * fg * (1 - fg);
            dxw[a + 2 * H + j] = dc * ig * (1 - gg * gg);
            dxw[a + 3 * H + j] = dh * tc * og * (1 - og);
            dcNext[n + j] = dc * fg;
          }
        }
      }
      k.gemmNT(B, H, GH, dxw, t * B * GH, GH, p.Wh, 0, GH, dhNext, 0, H, false);
      w.probe?.(t);
    }
    accumulateRecurrentGrads(k, g, w);
  },
});
