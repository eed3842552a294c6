// rnn-lab with a sweep: experiment create --sweep, experiment run, sweep report (JSON and text) and
// sweep confirm, through the built command on a real database.
import { afterAll, describe, expect, it } from 'vitest';
import { englishCorpus, type Json, removeSandboxes, sandbox } from './cli-helpers.ts';

afterAll(removeSandboxes);

const SMALL = ['--hidden', 8, '--seq', 8, '--batch', 4, '--steps', 40, '--eval-every', 10, '--checkpoint-every', 40];

describe('rnn-lab sweep', () => {
  it('creates a sweep, trains it with halving, reports per cell and confirms the best', async () => {
    const s = sandbox('sweep');
    const corpus = await englishCorpus(s);
    const created = await s.json('experiment', 'create', '--corpus', corpus, '--cells', 'rnn,gru', ...SMALL,
      '--sweep', 'lr=log:1e-3:1e-1', '--sweep', 'dropout=0,0.1', '--trials', 4, '--halving', 2, '--halving-min-steps', 10, '--draw-seed', 3);
    expect(created.runs).toHaveLength(8);
    // trial-major: trial 0 of both cells first, the same draw in each cell
    expect(created.runs.map((r: Json) => `${r.trial.index}:${r.cell}`)).toEqual(['0:rnn', '0:gru', '1:rnn', '1:gru', '2:rnn', '2:gru', '3:rnn', '3:gru']);
    expect(created.runs[0].trial.values).toEqual(created.runs[1].trial.values);
    expect(created.experiment.spec.sweep).toMatchObject({ search: 'random', trials: 4, drawSeed: 3, halving: { eta: 2, minSteps: 10 } });
    for (const r of created.runs) expect(r.config.train.optimizer.lr).toBe(r.trial.values.lr);

    await s.ok('experiment', 'run', created.id);
    const report = await s.json('sweep', 'report', created.id);
    expect(report.cells.map((c: Json) => c.cell)).toEqual(['rnn', 'gru']);
    for (const c of report.cells) {
      expect(c.trials.total).toBe(4);
      expect(c.trials.completed + c.trials.stopped).toBe(4);
      expect(c.trials.completed).toBeGreaterThanOrEqual(1);
      expect(c.best.config.train.optimizer.lr).toBe(c.best.values.lr);
      expect(Number.isFinite(c.best.valLoss)).toBe(true);
      expect(c.expectedBest).toHaveLength(4);
      // the expected best of 1 trial is the mean, and of more never worse
      for (let n = 1; n < 4; n++) expect(c.expectedBest[n]).toBeLessThanOrEqual(c.expectedBest[n - 1] + 1e-12);
      expect(typeof c.importance).toBe('object');
    }
    const stopped = report.trials.filter((t: Json) => t.status === 'stopped');
    for (const t of stopped) expect(t.halted).toMatchObject({ eta: 2, rung: expect.any(Number) });

    const text = (await s.ok('sweep', 'report', created.id)).stdout;
    expect(text).toMatch(/^sweep \d+: random search, 4 trials per cell over lr, dropout, halving by 2 from step 10/);
    expect(text).toMatch(/^rnn\s+\d+\s+\d+\s+4\s+\d\.\d+/m);
    expect(text).toMatch(/gru: expected best of n trials, n = 1\.\.4: /);
    expect(text).toMatch(/confirm the best on fresh seeds: rnn-lab sweep confirm \d+/);

    await s.fails(['sweep', 'confirm', created.id, '--seeds', 2], /a confirmation needs at least 3 seeds per cell, got 2/, 1);
    const confirm = await s.json('sweep', 'confirm', created.id);
    expect(confirm.runs).toHaveLength(6);
    expect(confirm.experiment.spec).toMatchObject({ confirms: created.id, seeds: 3, firstSeed: 2 });
    expect(confirm.runs.every((r: Json) => r.status === 'not-started' && r.trial === null)).toBe(true);
    const rnnBest = report.cells[0].best.values;
    expect(confirm.runs[0].config.train.optimizer.lr).toBe(rnnBest.lr);
    expect(confirm.runs[0].config.model.dropout).toBe(rnnBest.dropout);
    expect((await s.json('sweep', 'confirm', created.id)).id).toBe(confirm.id);
    expect((await s.json('sweep', 'report', created.id)).confirm).toEqual({ experimentId: confirm.id });
    await s.fails(['sweep', 'report', confirm.id], /is not a sweep/, 1);
  });

  it('refuses bad sweep flags naming the setting', async () => {
    const s = sandbox('sweep-bad');
    const corpus = await englishCorpus(s);
    const base = ['experiment', 'create', '--corpus', corpus, ...SMALL];
    await s.fails([...base, '--sweep', 'lr=log:0:1e-2'], /--sweep lr: min 0 must be > 0 on a log scale/, 1);
    await s.fails([...base, '--sweep', 'hidden=8,16', '--sweep', 'params=1000'], /sweep hidden or params, not both/, 1);
    await s.fails([...base, '--trials', 4], /--trials tunes a sweep: give the settings to sweep with --sweep/, 1);
    await s.fails([...base, '--sweep', 'lr=1e-3,1e-2', '--search', 'bayes'], /--search must be random or grid, got "bayes"/, 1);
    await s.fails([...base, '--sweep', 'lr=1e-3,1e-2', '--halving', 2, '--halving-min-steps', 15], /sweep\.halving\.minSteps: must be a multiple of cadence\.evalEvery \(10\)/, 1);
    await s.fails([...base, '--sweep', 'lr=1e-3,1e-2', '--halving', 1], /--halving must be a whole number >= 2/, 1);
    await s.fails(['sweep', 'report', 99], /no experiment 99/, 1);
  });
});
