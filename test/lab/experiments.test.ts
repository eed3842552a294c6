import { describe, expect, it } from 'vitest';
import { CELL_NAMES } from '../../src-worker/engine/cells/index.ts';
import { parameterCount } from '../../src-worker/engine/param-layout.ts';
import { experimentSpec, hiddenForBudget, planRuns } from '../../src-main/lab/experiments.ts';

describe('planRuns', () => {
  it('makes cells x seeds runs with the seed in the train config', () => {
    const spec = experimentSpec({ cells: ['rnn', 'lstm', 'gru'], seeds: 3, budget: { mode: 'hidden', hidden: 32 }, train: { steps: 50 } });
    const runs = planRuns(spec, 40);
    expect(runs.map((r) => `${r.cell}:${r.seed}`)).toEqual(['rnn:1', 'rnn:2', 'rnn:3', 'lstm:1', 'lstm:2', 'lstm:3', 'gru:1', 'gru:2', 'gru:3']);
    expect(runs.every((r) => r.model.hidden === 32 && r.train.steps === 50)).toBe(true);
    // PyTorch's count for nn.LSTM(40, 32) + nn.Linear(32, 40): 4*32*(40+32) + 2*4*32 + 32*40 + 40
    expect(runs[3].params).toBe(4 * 32 * (40 + 32) + 2 * 4 * 32 + 32 * 40 + 40);
  });

  it('applies per-cell overrides', () => {
    const spec = experimentSpec({ cells: ['rnn', 'lstm'], train: { optimizer: { lr: 0.01 } }, overrides: { rnn: { train: { optimizer: { lr: 0.001 } }, model: { hidden: 64 } } } });
    const [rnn, lstm] = planRuns(spec, 30);
    expect(rnn.train.optimizer.lr).toBe(0.001);
    expect(rnn.model.hidden).toBe(64);
    expect(lstm.train.optimizer.lr).toBe(0.01);
    expect(lstm.model.hidden).toBe(128);
  });

  it('with an equal parameter budget, puts every cell within 2% of the target', () => {
    const target = 200_000;
    const spec = experimentSpec({ cells: CELL_NAMES, budget: { mode: 'params', params: target }, model: { layers: 2 } });
    const runs = planRuns(spec, 65);
    for (const r of runs) expect(Math.abs(r.params - target) / target).toBeLessThanOrEqual(0.02);
    // the plain RNN gets the largest hidden size, the LSTMs the smallest
    const hidden = Object.fromEntries(runs.map((r) => [r.cell, r.model.hidden]));
    expect(hidden.rnn).toBeGreaterThan(hidden.gru);
    expect(hidden.gru).toBeGreaterThan(hidden.lstm);
  });

  it('picks the hidden size nearest the target', () => {
    const base = { cell: 'gru' as const, vocabSize: 50 };
    const H = hiddenForBudget(base, 100_000);
    const at = (h: number) => Math.abs(parameterCount({ ...base, hidden: h }) - 100_000);
    expect(at(H)).toBeLessThanOrEqual(at(H - 1));
    expect(at(H)).toBeLessThanOrEqual(at(H + 1));
  });

  it('explains a budget that no hidden size meets', () => {
    expect(() => planRuns(experimentSpec({ cells: ['lstm'], budget: { mode: 'params', params: 500 } }), 65)).toThrow(/no hidden size gives lstm within 2% of 500 parameters/);
  });
});

describe('experimentSpec', () => {
  it.each([
    [{ cells: [] }, /^cells: choose at least one/],
    [{ cells: ['lstm', 'lstm'] }, /^cells: each cell may appear once/],
    [{ cells: ['mlp'] }, /^cells: unknown cell "mlp"/],
    [{ cells: ['lstm'], seeds: 0 }, /^seeds: must be a whole number from 1 to 100, got 0/],
    [{ cells: ['lstm'], budget: { mode: 'hidden', hidden: 0 } }, /^hidden: must be a whole number/],
    [{ cells: ['lstm'], overrides: { gru: {} } }, /^overrides\.gru: is not one of this experiment's cells/],
    [{ cells: ['lstm'], cadence: { evalEvery: 0 } }, /^cadence\.evalEvery: must be a whole number >= 1/],
  ])('rejects %j', (bad, message) => {
    expect(() => experimentSpec(bad as never)).toThrow(message);
  });
});
