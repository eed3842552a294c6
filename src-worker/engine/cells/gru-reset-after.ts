/**
 * GRU in PyTorch's and cuDNN's form, which loads into torch.nn.GRU unchanged. G = 3, one block per
 * gate, in the order CELL_CATALOGUE['gru-reset-after'] gives them (src-shared/cells.ts):
 *   r = sigma(W_xr x_t + b_xr + W_hr h_{t-1} + b_hr),  z = sigma(... z)
 *   n = tanh(W_xn x_t + b_xn + r (.) (W_hn h_{t-1} + b_hn)),  h_t = z (.) h_{t-1} + (1 - z) (.) n
 * The reset gate acts after the recurrent product, so one product per step serves all gates; the
 * n block's hidden-side gradient is the input-side one times r, hence a separate dhw.
 */
import { accumulateRecurrentGrads, defineCell, sigmoid } from './cell.ts';

export const gruResetAfterCell = defineCell('gru-reset-after', {
  separateHiddenGrad: true,

  // caches acts = the gates, block by block, and aux = W_hn h_{t-1} + b_hn
  forward(k, p, w) {
    const { T, B, H } = w;
    const { xw, hs, acts, aux, step } = w;
    const bh = p.bh!;
    const GH = 3 * H;
    for (let t = 0; t < T; t++) {
      const prev = t * B * H;
      k.gemmNN(B, GH, H, hs, prev, H, p.Wh, 0, GH, step, 0, GH, false);
      if (!k.fused?.gruResetAfterForward(p, w, t)) {
        for (let b = 0; b < B; b++) {
          const a = t * B * GH + b * GH;
          const s = b * GH;
          const hp = prev + b * H;
          for (let j = 0; j < H; j++) {
            const rg = sigmoid(xw[a + j] + step[s + j] + bh[j]);
            const zg = sigmoid(xw[a + H + j] + step[s + H + j] + bh[H + j]);
            const hn = step[s + 2 * H + j] + bh[2 * H + j];
            const ng = Math.tanh(xw[a + 2 * H + j] + rg * hn);
            acts[a + j] = rg;
            acts[a + H + j] = zg;
            acts[a + 2 * H + j] = ng;
            aux[hp + j] = hn;
            hs[hp + B * H + j] = zg * hs[hp + j] + (1 - zg) * ng;
          }
        }
      }
    }
  },

  backward(k, p, g, w) {
    const { T, B, H } = w;
    const { hs, acts, aux, dxw, dhw, dhs, dhNext } = w;
    const GH = 3 * H;
    dhNext.fill(0);
    for (let t = T - 1; t >= 0; t--) {
      const prev = t * B * H;
      if (!k.fused?.gruResetAfterBackward(w, t)) {
        for (let b = 0; b < B; b++) {
          const a = t * B * GH + b * GH;
          const hp = prev + b * H;
          const n = b * H;
          for (let j = 0; j < H; j++) {
            const rg = acts[a + j];
            const zg = acts[a + H + j];
            const ng = acts[a + 2 * H + j];
            const dh = dhs[hp + j] + dhNext[n + j];
            const dan = dh * (1 - zg) * (1 - ng * ng);
            const dar = dan * aux[hp + j] * rg * (1 - rg);
            const daz = dh * (hs[hp + j] - ng) * zg * (1 - zg);
            dxw[a + j] = dar;
            dxw[a + H + j] = daz;
            dxw[a + 2 * H + j] = dan;
            dhw[a + j] = dar;
            dhw[a + H + j] = daz;
            dhw[a + 2 * H + j] = dan * rg;
            dhNext[n + j] = dh * zg;
          }
        }
      }
      k.gemmNT(B, H, GH, dhw, t * B * GH, GH, p.Wh, 0, GH, dhNext, 0, H, true);
      w.probe?.(t);
    }
    accumulateRecurrentGrads(k, g, w);
  },
});
