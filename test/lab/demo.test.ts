/**
 * The demo a fresh lab opens with: an equal parameter budget (hidden sizes are whole numbers, so
 * the cells' counts differ a little: here by under 1%), at least three seeds per cell with their
 * seed numbers on the runs, and the recall task with long-range positions to judge; and the first
 * seed, the setting that repeats an experiment on other seeds, validated at the API and in the lab.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src-worker/engine/config.ts';
import { dispatch } from '../../src-main/api/methods.ts';
import { DEMO_SPEC, DEMO_TASK } from '../../src-main/lab/demo.ts';
import { experimentSpec, planRuns } from '../../src-main/lab/experiments.ts';
import { Lab } from '../../src-main/lab/lab.ts';

/** how far apart the cells' parameter counts may be: each is within 2% of the budget, and here within 1% of each other */
const PARAMS_SPREAD = 0.01;

let lab: Lab;
let demoId: number;

beforeAll(() => {
  lab = Lab.open({ db: ':memory:', workers: 2 });
  demoId = lab.ensureDemo()!;
});

afterAll(() => lab?.close());

describe('the demo experiment', () => {
  it('compares RNN, LSTM and GRU on an equal parameter budget, each within 2% of it and all within 1% of each other', () => {
    expect(DEMO_SPEC.budget).toEqual({ mode: 'params', params: expect.any(Number) });
    const budget = (DEMO_SPEC.budget as { params: number }).params;
    const { runs } = lab.experiment(demoId);
    const byCell = new Map(runs.map((r) => [r.cell, r.params]));
    expect([...byCell.keys()]).toEqual(['rnn', 'lstm', 'gru']);
    for (const r of runs) {
      expect(Math.abs(r.params - budget) / budget, `${r.cell} has ${r.params} parameters`).toBeLessThanOrEqual(0.02);
      expect(r.params).toBe(byCell.get(r.cell));
    }
    const counts = [...byCell.values()];
    expect(Math.max(...counts) / Math.min(...counts) - 1).toBeLessThanOrEqual(PARAMS_SPREAD);
    // so the hidden sizes differ: the plain RNN gets the most units
    const hidden = new Map(runs.map((r) => [r.cell, (r.config as { model: { hidden: number } }).model.hidden]));
    expect(hidden.get('rnn')).toBeGreaterThan(hidden.get('gru')!);
    expect(hidden.get('gru')).toBeGreaterThan(hidden.get('lstm')!);
  });

  it('runs at least three seeds per cell, numbered on the runs from 1, with the same training otherwise', () => {
    expect(DEMO_SPEC.seeds).toBeGreaterThanOrEqual(3);
    const { runs, spec } = lab.experiment(demoId);
    for (const cell of ['rnn', 'lstm', 'gru']) {
      expect(runs.filter((r) => r.cell === cell).map((r) => r.seed)).toEqual(Array.from({ length: spec.seeds }, (_, i) => i + 1));
    }
    const train = runs.map((r) => ({ ...(r.config as { train: Record<string, unknown> }).train, seed: 0 }));
    for (const t of train) expect(t).toEqual(train[0]);
    expect(runs.every((r) => r.status === 'not-started')).toBe(true);
  });

  it('trains on the recall task, whose corpus marks the long-range positions the verdict judges', () => {
    const { experiment } = lab.experiment(demoId);
    const corpus = lab.corpus(experiment.corpusId);
    expect(corpus.task).toMatchObject({ name: 'recall', params: { lag: DEMO_TASK.lag, length: DEMO_TASK.length, symbols: 4 } });
    const stored = lab.store.corpora.get(corpus.id)!;
    expect(stored.longRange!.reduce((a, b) => a + b, 0)).toBe(Math.floor(DEMO_TASK.length / (DEMO_TASK.lag + 2)));
    // every evaluation reads the whole validation text, as the last one does
    expect(lab.experiment(demoId).spec.cadence.evalChars).toBe(0);
  });
});

describe('the first seed', () => {
  const spec = { cells: ['rnn', 'gru'] as const, seeds: 3, budget: { mode: 'hidden', hidden: 4 } as const };

  it('numbers the runs of each cell from it', () => {
    const planned = planRuns(experimentSpec({ ...spec, cells: [...spec.cells], firstSeed: 4 }), 6);
    expect(planned.map((r) => `${r.cell} ${r.seed} ${r.train.seed}`)).toEqual(['rnn 4 4', 'rnn 5 5', 'rnn 6 6', 'gru 4 4', 'gru 5 5', 'gru 6 6']);
    // without it, seeds 1..N as before
    expect(planRuns(experimentSpec({ ...spec, cells: [...spec.cells] }), 6).map((r) => r.seed)).toEqual([1, 2, 3, 1, 2, 3]);
  });

  it('is refused, naming it, when it is not a whole number from 0 to 1,000,000,000', async () => {
    for (const bad of [-1, 1.5, 2e9]) {
      expect(() => experimentSpec({ ...spec, cells: [...spec.cells], firstSeed: bad })).toThrow(ConfigError);
      expect(() => experimentSpec({ ...spec, cells: [...spec.cells], firstSeed: bad })).toThrow(/^firstSeed: must be a whole number from 0 to 1000000000/);
      const r = await dispatch(lab, 'planExperiment', { corpusId: lab.experiment(demoId).experiment.corpusId, spec: { ...spec, firstSeed: bad } }, { emit: () => {} });
      expect(r.ok).toBe(false);
      expect(!r.ok && r.message).toMatch(/^spec\.firstSeed: /);
    }
  });

  it('reaches the runs through the API', async () => {
    const corpusId = lab.experiment(demoId).experiment.corpusId;
    const r = await dispatch(lab, 'createExperiment', { corpusId, spec: { ...spec, firstSeed: 10 } }, { emit: () => {} });
    expect(r.ok).toBe(true);
    const runs = r.ok ? (r.value as { runs: { cell: string; seed: number }[] }).runs : [];
    expect(runs.map((x) => `${x.cell} s${x.seed}`)).toEqual(['rnn s10', 'rnn s11', 'rnn s12', 'gru s10', 'gru s11', 'gru s12']);
  });
});
