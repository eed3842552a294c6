/**
 * Peephole LSTM (Gers and Schmidhuber 2000): the LSTM whose gates also see the cell state through
 * diagonal weights p_i, p_f, p_o (the rows of peep, as the catalogue's peepholes order them).
 * Gate blocks as in lstm.ts:
 *   i = sigma(a_i + p_i (.) c_{t-1}), f = sigma(a_f + p_f (.) c_{t-1}), g = tanh(a_g)
 *   c_t = f (.) c_{t-1} + i (.) g,  o = sigma(a_o + p_o (.) c_t),  h_t = o (.) tanh(c_t)
 * The output gate looks at the new cell state, so c_t is computed before o.
 */
import { accumulateRecurrentGrads, defineCell, sigmoid } from './cell.ts';

export const lstmPeepholeCell = defineCell('lstm-peephole', {
  separateHiddenGrad: false,

  // caches acts = the gates, block by block, and aux = tanh(c_t)
  forward(k, p, w) {
    const { T, B, H } = w;
    const { xw, hs, acts, aux, step } = w;
    const cs = w.cs!;
    const bh = p.bh!;
    const pp = p.peep!; // (3, H): p_i, p_f, p_o
    const GH = 4 * H;
    for (let t = 0; t < T; t++) {
      k.gemmNN(B, GH, H, hs, t * B * H, H, p.Wh, 0, GH, step, 0, GH, false);
      if (!k.fused?.lstmPeepholeForward(p, w, t)) {
        for (let b = 0; b < B; b++) {
          const a = t * B * GH + b * GH;
          const s = b * GH;
          const prev = t * B * H + b * H;
          const cur = prev + B * H;
          for (let j = 0; j < H; j++) {
            const cPrev = cs[prev + j];
            const ig = sigmoid(xw[a + j] + step[s + j] + bh[j] + pp[j] * cPrev);
            const fg = sigmoid(xw[a + H + j] + step[s + H + j] + bh[H + j] + pp[H + j] * cPrev);
            const gg = Math.tanh(xw[a + 2 * H + j] + step[s + 2 * H + j] + bh[2 * H + j]);
            const c = fg * cPrev + ig * gg;
            const og = sigmoid(xw[a + 3 * H + j] + step[s + 3 * H + j] + bh[3 * H + j] + pp[2 * H + j] * c);
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
    }
  },

  backward(k, p, g, w) {
    const { T, B, H } = w;
    const { acts, aux, dxw, dhs, dhNext, dcNext } = w;
    const cs = w.cs!;
    const pp = p.peep!;
    const dp = g.peep!;
    const GH = 4 * H;
    dhNext.fill(0);
    dcNext.fill(0);
    for (let t = T - 1; t >= 0; t--) {
      if (!k.fused?.lstmPeepholeBackward(p, g, w, t)) {
        for (let b = 0; b < B; b++) {
          const a = t * B * GH + b * GH;
          const r = t * B * H + b * H;
          const n = b * H;
          for (let j = 0; j < H; j++) {
            const ig = acts[a + j];
            const fg = acts[a + H + j];
            const gg = acts[a + 2 * H + j];
            const og = acts[a + 3 * H + j];
            const tc = aux[r + j];
            const cPrev = cs[r + j];
            const c = cs[r + B * H + j];
            const dh = dhs[r + j] + dhNext[n + j];
            const dao = dh * tc * og * (1 - og);
            const dc = dcNext[n + j] + dh * og * (1 - tc * tc) + dao * pp[2 * H + j];
            const dai = dc * gg * ig * (1 - ig);
            const daf = dc * cPrev * fg * (1 - fg);
            dxw[a + j] = dai;
            dxw[a + H + j] = daf;
            dxw[a + 2 * H + j] = dc * ig * (1 - gg * gg);
            dxw[a + 3 * H + j] = dao;
            dcNext[n + j] = dc * fg + dai * pp[j] + daf * pp[H + j];
            dp[j] += dai * cPrev;
            dp[H + j] += daf * cPrev;
            dp[2 * H + j] += dao * c;
          }
        }
      }
      k.gemmNT(B, H, GH, dxw, t * B * GH, GH, p.Wh, 0, GH, dhNext, 0, H, false);
      w.probe?.(t);
    }
    accumulateRecurrentGrads(k, g, w);
  },
});
