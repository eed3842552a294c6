import { describe, expect, it } from 'vitest';
import { CELL_NAMES } from '../../src-worker/engine/cells/index.ts';
import { modelConfig } from '../../src-worker/engine/config.ts';
import { paramLayout, parameterCount } from '../../src-worker/engine/param-layout.ts';
import { CELL_EQUATIONS, mathSegments, paramBreakdown, runModel, totalParams } from '../../src-renderer/composables/cell-equations.ts';

describe('paramBreakdown', () => {
  it("matches the engine's layout tensor by tensor, and parameterCount in total, for every cell and size", () => {
    for (const cell of CELL_NAMES) {
      for (const [layers, embedding] of [[1, 0], [2, 0], [3, 8]]) {
        const config = { cell, vocabSize: 37, hidden: 12, layers, embedding };
        const rows = paramBreakdown(config);
        const engine = paramLayout(modelConfig(config)).layout;
        expect(rows.map((r) => r.count), `${cell} ${layers} layers, E=${embedding}`).toEqual(engine.map((e) => e.size));
        // the same matrices: the engine stores W_x as (I, G*H), the transpose of what we show
        expect(rows.map((r) => [...r.shape].sort((a, b) => a - b).join('x'))).toEqual(engine.map((e) => [...e.shape].sort((a, b) => a - b).join('x')));
        expect(totalParams(rows)).toBe(parameterCount(config));
      }
    }
  });

  it('names the fused gate blocks and the shapes as the equations multiply them', () => {
    const rows = paramBreakdown({ cell: 'lstm', vocabSize: 40, hidden: 16, layers: 1, embedding: 0 });
    expect(rows.map((r) => `${r.name} ${r.shape.join('x')} ${r.count}`)).toEqual([
      'W_x 64x40 2560', 'W_h 64x16 1024', 'b_x 64 64', 'b_h 64 64', 'W_d 40x16 640', 'b_d 40 40',
    ]);
    expect(rows[0].what).toContain('gates i, f, g, o stacked');
    expect(totalParams(rows)).toBe(4 * 16 * (40 + 16) + 2 * 4 * 16 + 40 * 16 + 40);
    const gru = paramBreakdown({ cell: 'gru', vocabSize: 40, hidden: 16, layers: 2, embedding: 8 });
    expect(gru.map((r) => `${r.layer ?? '-'} ${r.name}`)).toEqual(['- E', '1 W_x', '1 W_h', '1 b', '2 W_x', '2 W_h', '2 b', '- W_d', '- b_d']);
    expect(gru[1].shape).toEqual([48, 8]);
    expect(gru[4].shape).toEqual([48, 16]);
    expect(paramBreakdown({ cell: 'lstm-peephole', vocabSize: 5, hidden: 4, layers: 1, embedding: 0 }).find((r) => r.name === 'p')?.shape).toEqual([3, 4]);
  });
});

describe('runModel', () => {
  it("reads the sizes from a run's resolved config, and refuses anything else", () => {
    expect(runModel({ model: { cell: 'gru', vocabSize: 30, hidden: 8, layers: 1, embedding: 0, dropout: 0 }, train: {} })).toEqual({ cell: 'gru', vocabSize: 30, hidden: 8, layers: 1, embedding: 0 });
    expect(runModel({})).toBeNull();
    expect(runModel(null)).toBeNull();
    expect(runModel({ model: { cell: 'transformer', vocabSize: 30, hidden: 8, layers: 1, embedding: 0 } })).toBeNull();
    expect(runModel({ model: { cell: 'gru', vocabSize: '30', hidden: 8, layers: 1, embedding: 0 } })).toBeNull();
  });
});

describe('the equations', () => {
  it('are given for every cell', () => {
    for (const cell of CELL_NAMES) expect(CELL_EQUATIONS[cell].length).toBeGreaterThan(0);
  });

  it('render subscripts, superscripts and the symbols of the design', () => {
    expect(mathSegments('h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)')).toEqual([
      { text: 'h', kind: 'text' }, { text: 't', kind: 'sub' }, { text: ' = tanh(W', kind: 'text' }, { text: 'xh', kind: 'sub' },
      { text: ' x', kind: 'text' }, { text: 't', kind: 'sub' }, { text: ' + W', kind: 'text' }, { text: 'hh', kind: 'sub' },
      { text: ' h', kind: 'text' }, { text: 't−1', kind: 'sub' }, { text: ' + b', kind: 'text' }, { text: 'h', kind: 'sub' }, { text: ')', kind: 'text' },
    ]);
    const gru = mathSegments('h_t = z_t (.) h_{t-1} + (1 - z_t) (.) g_t').map((s) => (s.kind === 'text' ? s.text : `[${s.text}]`)).join('');
    expect(gru).toBe('h[t] = z[t] ⊙ h[t−1] + (1 − z[t]) ⊙ g[t]');
    const f = mathSegments('f_t = sigma(W_xf x_t + W_hf h_{t-1} + p_f (.) c_{t-1} + b_f)').map((s) => (s.kind === 'text' ? s.text : `[${s.text}]`)).join('');
    expect(f).toBe('f[t] = σ(W[xf] x[t] + W[hf] h[t−1] + p[f] ⊙ c[t−1] + b[f])');
    expect(mathSegments('W_d h_t^{(L)}').map((s) => s.kind)).toEqual(['text', 'sub', 'text', 'sub', 'sup']);
  });
});
