/**
 * Each cell's equations as written in the design (docs: DESIGN.md, "The model maths"), and its
 * parameter count per weight matrix for a run's sizes. The counts follow the engine's layout
 * (src-worker/engine/model.ts paramLayout) from the cell catalogue the engine's cells also read,
 * without importing the engine (the renderer takes only types from it); a test checks the totals
 * against parameterCount.
 */
import type { ModelConfig } from '../../src-main/api/contract.ts';
import { CELL_CATALOGUE, gateBlocks, isCellName } from '../../src-shared/cells.ts';
import { tr } from '../i18n.ts';

/** The sizes the counts depend on. */
export type ModelSizes = Pick<ModelConfig, 'cell' | 'vocabSize' | 'hidden' | 'layers' | 'embedding'>;

/** The model part of a run's resolved config ({ model, train }), or null when it is not there. */
export function runModel(config: unknown): ModelSizes | null {
  const model = (config as { model?: Partial<ModelSizes> } | null)?.model;
  if (!model || typeof model.cell !== 'string' || !isCellName(model.cell)) return null;
  const { cell, vocabSize, hidden, layers, embedding } = model;
  if (![vocabSize, hidden, layers, embedding].every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) return null;
  return { cell, vocabSize: vocabSize!, hidden: hidden!, layers: layers!, embedding: embedding! };
}

export interface ParamRow {
  /** the layer (1-based) or null for the embedding and the decoder */
  layer: number | null;
  /** name in the equations' notation, e.g. "W_x" */
  name: string;
  what: string;
  /** rows x columns as the equations multiply them (PyTorch's orientation: out x in) */
  shape: number[];
  count: number;
}

/**
 * Parameter tensors of a model, in the engine's order: the embedding (when E > 0), per layer the
 * fused input weights W_x (every gate's W_x· stacked), the fused recurrent weights W_h, the
 * bias(es) and the peephole weights, then the decoder.
 */
export function paramBreakdown(m: ModelSizes): ParamRow[] {
  const spec = CELL_CATALOGUE[m.cell];
  const { vocabSize: V, hidden: H, layers: L, embedding: E } = m;
  const G = gateBlocks(spec);
  const gates = spec.gates.map((g) => g.name).join(', ');
  const rows: ParamRow[] = [];
  const add = (layer: number | null, name: string, what: string, dims: number[]): void => {
    rows.push({ layer, name, what, shape: dims, count: dims.reduce((a, b) => a * b, 1) });
  };
  if (E > 0) add(null, 'E', tr('equations.row.embedding'), [V, E]);
  for (let l = 1; l <= L; l++) {
    const I = l === 1 ? (E > 0 ? E : V) : H;
    const from = l === 1 ? (E > 0 ? tr('equations.row.fromEmbedding') : tr('equations.row.fromOneHot')) : tr('equations.row.fromLayer', { l: l - 1 });
    add(l, 'W_x', G > 1 ? tr('equations.row.inputGates', { gates, from }) : tr('equations.row.input', { from }), [G * H, I]);
    add(l, 'W_h', G > 1 ? tr('equations.row.recurrentGates', { gates }) : tr('equations.row.recurrent'), [G * H, H]);
    if (spec.twoBiases) {
      add(l, 'b_x', tr('equations.row.inputBias'), [G * H]);
      add(l, 'b_h', tr('equations.row.recurrentBias'), [G * H]);
    } else {
      add(l, 'b', tr('equations.row.bias'), [G * H]);
    }
    if (spec.peepholes.length > 0) add(l, 'p', tr('equations.row.peepholes', { names: spec.peepholes.map((g) => `p_${g}`).join(', ') }), [spec.peepholes.length, H]);
  }
  add(null, 'W_d', tr('equations.row.decoder'), [V, H]);
  add(null, 'b_d', tr('equations.row.decoderBias'), [V]);
  return rows;
}

export function totalParams(rows: readonly ParamRow[]): number {
  return rows.reduce((a, r) => a + r.count, 0);
}

/**
 * The equations of one layer of each cell, as DESIGN.md writes them, with its "..." spelt out and
 * each gate named as the cell catalogue names it (the reset-after GRU's candidate is n_t, as in
 * PyTorch, where DESIGN.md writes g_t for both GRUs). Notation: `_x` or `_{t-1}` is a subscript,
 * `^{...}` a superscript, `sigma` is σ and `(.)` the elementwise product ⊙ (see mathSegments).
 */
export const CELL_EQUATIONS: Record<ModelConfig['cell'], string[]> = {
  rnn: ['h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)'],
  lstm: [
    'f_t = sigma(W_xf x_t + W_hf h_{t-1} + b_f)',
    'i_t = sigma(W_xi x_t + W_hi h_{t-1} + b_i)',
    'o_t = sigma(W_xo x_t + W_ho h_{t-1} + b_o)',
    'g_t = tanh(W_xg x_t + W_hg h_{t-1} + b_g)',
    'c_t = f_t (.) c_{t-1} + i_t (.) g_t',
    'h_t = o_t (.) tanh(c_t)',
  ],
  'lstm-peephole': [
    'f_t = sigma(W_xf x_t + W_hf h_{t-1} + p_f (.) c_{t-1} + b_f)',
    'i_t = sigma(W_xi x_t + W_hi h_{t-1} + p_i (.) c_{t-1} + b_i)',
    'g_t = tanh(W_xg x_t + W_hg h_{t-1} + b_g)',
    'c_t = f_t (.) c_{t-1} + i_t (.) g_t',
    'o_t = sigma(W_xo x_t + W_ho h_{t-1} + p_o (.) c_t + b_o)',
    'h_t = o_t (.) tanh(c_t)',
  ],
  gru: [
    'r_t = sigma(W_xr x_t + W_hr h_{t-1} + b_r)',
    'z_t = sigma(W_xz x_t + W_hz h_{t-1} + b_z)',
    'g_t = tanh(W_xg x_t + W_hg (r_t (.) h_{t-1}) + b_g)',
    'h_t = z_t (.) h_{t-1} + (1 - z_t) (.) g_t',
  ],
  'gru-reset-after': [
    'r_t = sigma(W_xr x_t + W_hr h_{t-1} + b_r)',
    'z_t = sigma(W_xz x_t + W_hz h_{t-1} + b_z)',
    'n_t = tanh(W_xn x_t + b_xn + r_t (.) (W_hn h_{t-1} + b_hn))',
    'h_t = z_t (.) h_{t-1} + (1 - z_t) (.) n_t',
  ],
};

/** What the equations leave to the reader, per cell, in the equations' notation. */
const CELL_NOTES: Record<ModelConfig['cell'], () => string> = {
  rnn: () => tr('equations.note.rnn'),
  lstm: () => tr('equations.note.lstm'),
  'lstm-peephole': () => tr('equations.note.lstmPeephole', { cPrev: 'c_{t-1}' }),
  gru: () => tr('equations.note.gru'),
  'gru-reset-after': () => tr('equations.note.gruResetAfter'),
};

export function cellNote(cell: ModelConfig['cell']): string {
  return CELL_NOTES[cell]();
}

/** The model around the cells, the same for every cell (x_t and the layers are described beside it); the loss's index in words. */
export function modelEquations(): string[] {
  return ['y_t = softmax(W_d h_t^{(L)} + b_d)', tr('equations.lossEquation')];
}

export interface MathSegment {
  text: string;
  kind: 'text' | 'sub' | 'sup';
}

const SYMBOLS: [RegExp, string][] = [
  [/\(\.\)/g, '⊙'],
  [/\bsigma\b/g, 'σ'],
  [/(\d|\w) - (\d|\w)/g, '$1 − $2'],
  [/-(?=\d|ln)/g, '−'],
];

function symbols(s: string): string {
  let out = s;
  for (const [re, to] of SYMBOLS) out = out.replace(re, to);
  return out;
}

/**
 * Splits an equation into plain text, subscripts and superscripts, so a template can render it
 * with <sub> and <sup> and no v-html: `W_xh` and `h_{t-1}` subscript, `h^{(L)}` superscript.
 */
export function mathSegments(eq: string): MathSegment[] {
  const out: MathSegment[] = [];
  let text = '';
  const flush = (): void => {
    if (text) out.push({ text: symbols(text), kind: 'text' });
    text = '';
  };
  for (let i = 0; i < eq.length; i++) {
    const ch = eq[i];
    if ((ch === '_' || ch === '^') && i + 1 < eq.length) {
      const kind = ch === '_' ? 'sub' : 'sup';
      let body: string;
      if (eq[i + 1] === '{') {
        const close = eq.indexOf('}', i + 2);
        body = eq.slice(i + 2, close < 0 ? eq.length : close);
        i = close < 0 ? eq.length : close;
      } else {
        const m = /^[A-Za-z0-9]+/.exec(eq.slice(i + 1));
        if (!m) {
          text += ch;
          continue;
        }
        body = m[0];
        i += body.length;
      }
      flush();
      out.push({ text: symbols(body).replace(/-/g, '−'), kind });
      continue;
    }
    text += ch;
  }
  flush();
  return out;
}
