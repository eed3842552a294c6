/**
 * GRU in the form of Cho et al. 2014, the default GRU. G = 3, one block per gate, in the order
 * CELL_CATALOGUE.gru gives them (src-shared/cells.ts):
 *   r = sigma(W_xr x_t + W_hr h_{t-1} + b_r),  z = sigma(W_xz x_t + W_hz h_{t-1} + b_z)
 *   g = tanh(W_xg x_t + W_hg (r (.) h_{t-1}) + b_g),  h_t = z (.) h_{t-1} + (1 - z) (.) g
 * The reset gate acts before the recurrent product of g, so each step takes two products and there
 * is one bias (PyTorch has no such cell; see gru-reset-after.ts for the form it has).
 */
import { defineCell, sigmoid } from './cell.ts';

export const gruCell = defineCell('gru', {
  separateHiddenGrad: false,

  // caches acts = the gates, block by block, and aux = r (.) h_{t-1}
  forward(k, p, w) {
    const { T, B, H } = w;
    const { xw, hs, acts, aux, step } = w;
    const GH = 3 * H;
    for (let t = 0; t < T; t++) {
      const prev = t * B * H;
      k.gemmNN(B, 2 * H, H, hs, prev, H, p.Wh, 0, GH, step, 0, GH, false); // h_{t-1} [W_hr W_hz]
      if (!k.fused?.gruForwardGates(w, t)) {
        for (let b = 0; b < B; b++) {
          const a = t * B * GH + b * GH;
          const s = b * GH;
          const hp = prev + b * H;
          for (let j = 0; j < H; j++) {
            const rg = sigmoid(xw[a + j] + step[s + j]);
            acts[a + j] = rg;
            acts[a + H + j] = sigmoid(xw[a + H + j] + step[s + H + j]);
            aux[hp + j] = rg * hs[hp + j];
          }
        }
      }
      k.gemmNN(B, H, H, aux, prev, H, p.Wh, 2 * H, GH, step, 2 * H, GH, false); // (r (.) h_{t-1}) W_hg
      if (!k.fused?.gruForwardOut(w, t)) {
        for (let b = 0; b < B; b++) {
          const a = t * B * GH + b * GH;
          const s = b * GH;
          const hp = prev + b * H;
          for (let j = 0; j < H; j++) {
            const zg = acts[a + H + j];
            const gg = Math.tanh(xw[a + 2 * H + j] + step[s + 2 * H + j]);
            acts[a + 2 * H + j] = gg;
            hs[hp + B * H + j] = zg * hs[hp + j] + (1 - zg) * gg;
          }
        }
      }
    }
  },

  backward(k, p, g, w) {
    const { T, B, H } = w;
    const { hs, acts, aux, dxw, dhs, dhNext, dTmp } = w;
    const GH = 3 * H;
    dhNext.fill(0);
    for (let t = T - 1; t >= 0; t--) {
      const prev = t * B * H;
      // dg, dz from dh_t; the direct path dh_{t-1} = dh_t (.) z goes into dhNext first
      if (!k.fused?.gruBackwardOut(w, t)) {
        for (let b = 0; b < B; b++) {
          const a = t * B * GH + b * GH;
          const hp = prev + b * H;
          const n = b * H;
          for (let j = 0; j < H; j++) {
            const zg = acts[a + H + j];
            const gg = acts[a + 2 * H + j];
            const dh = dhs[hp + j] + dhNext[n + j];
            dxw[a + 2 * H + j] = dh * (1 - zg) * (1 - gg * gg);
            dxw[a + H + j] = dh * (hs[hp + j] - gg) * zg * (1 - zg);
            dhNext[n + j] = dh * zg;
          }
        }
      }
      // d(r (.) h_{t-1}) = da_g W_hg^T, then through r and h_{t-1}
      k.gemmNT(B, H, H, dxw, t * B * GH + 2 * H, GH, p.Wh, 2 * H, GH, dTmp, 0, H, false);
      if (!k.fused?.gruBackwardReset(w, t)) {
        for (let b = 0; b < B; b++) {
          const a = t * B * GH + b * GH;
          const hp = prev + b * H;
          const n = b * H;
          for (let j = 0; j < H; j++) {
            const rg = acts[a + j];
            const drh = dTmp[n + j];
            dxw[a + j] = drh * hs[hp + j] * rg * (1 - rg);
            dhNext[n + j] += drh * rg;
          }
        }
      }
      k.gemmNT(B, H, 2 * H, dxw, t * B * GH, GH, p.Wh, 0, GH, dhNext, 0, H, true); // + [da_r da_z] [W_hr W_hz]^T
      w.probe?.(t);
    }
    const TB = T * B;
    k.gemmTN(H, 2 * H, TB, hs, 0, H, dxw, 0, GH, g.Wh, 0, GH, true);
    k.gemmTN(H, H, TB, aux, 0, H, dxw, 2 * H, GH, g.Wh, 2 * H, GH, true);
  },
});
