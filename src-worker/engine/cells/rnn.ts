/**
 * Vanilla RNN: h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h). G = 1.
 * PyTorch's nn.RNN has two biases (b_ih + b_hh); we keep both so its weights load unchanged.
 */
import { accumulateRecurrentGrads, defineCell } from './cell.ts';

export const rnnCell = defineCell('rnn', {
  separateHiddenGrad: false,

  forward(k, p, w) {
    const { T, B, H } = w;
    const { xw, hs, step } = w;
    const bh = p.bh!;
    for (let t = 0; t < T; t++) {
      const prev = t * B * H; // (B, H) block of h_{t-1}
      k.gemmNN(B, H, H, hs, prev, H, p.Wh, 0, H, step, 0, H, false);
      if (k.fused?.rnnForward(p, w, t)) continue;
      const cur = prev + B * H;
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < H; j++) {
          const n = b * H + j;
          hs[cur + n] = Math.tanh(xw[prev + n] + step[n] + bh[j]);
        }
      }
    }
  },

  // da_t = (dh_t + dhNext) (.) (1 - h_t^2); dhNext = da_t W_hh^T
  backward(k, p, g, w) {
    const { T, B, H } = w;
    const { hs, dxw, dhs, dhNext } = w;
    dhNext.fill(0);
    for (let t = T - 1; t >= 0; t--) {
      const o = t * B * H;
      if (!k.fused?.rnnBackward(w, t)) {
        for (let n = 0; n < B * H; n++) {
          const h = hs[o + B * H + n];
          dxw[o + n] = (dhs[o + n] + dhNext[n]) * (1 - h * h);
        }
      }
      k.gemmNT(B, H, H, dxw, o, H, p.Wh, 0, H, dhNext, 0, H, false);
      w.probe?.(t);
    }
    accumulateRecurrentGrads(k, g, w);
  },
});
