// A sweep's planning: the --sweep syntax, the grid and the seeded draws, the same trials for every
// cell in trial-major order, each trial's values in the run's config, and bad specs refused by field.
import { describe, expect, it } from 'vitest';
import { experimentSpec, planRuns } from '../../src-main/lab/experiments.ts';
import { drawTrials, gridPoints } from '../../src-shared/sweep/draw.ts';
import { parseSweepArg, type SweepRange } from '../../src-shared/sweep/params.ts';
import type { ExperimentSpecInput, SweepSpec } from '../../src-main/api/types.ts';
import { parameterCount } from '../../src-worker/engine/param-layout.ts';

const sweep = (s: Partial<SweepSpec> & Pick<SweepSpec, 'ranges'>): SweepSpec => ({ search: 'random', trials: 4, drawSeed: 1, halving: null, ...s });

describe('parseSweepArg', () => {
  it('reads ranges, points and value lists', () => {
    expect(parseSweepArg('lr=log:1e-4:3e-2')).toEqual({ name: 'lr', scale: 'log', min: 1e-4, max: 3e-2 });
    expect(parseSweepArg('lr=log:1e-4:3e-2:4')).toEqual({ name: 'lr', scale: 'log', min: 1e-4, max: 3e-2, points: 4 });
    expect(parseSweepArg('dropout=0,0.1,0.25')).toEqual({ name: 'dropout', values: [0, 0.1, 0.25] });
    expect(parseSweepArg('hidden=linear:32:256')).toEqual({ name: 'hidden', scale: 'linear', min: 32, max: 256 });
    expect(parseSweepArg('optimizer=adam,sgd')).toEqual({ name: 'optimizer', values: ['adam', 'sgd'] });
  });

  it('names the setting and the problem', () => {
    expect(() => parseSweepArg('lr=log:0:3e-2')).toThrow('sweep lr: min 0 must be > 0 on a log scale');
    expect(() => parseSweepArg('lr=log:0.1:0.01')).toThrow('sweep lr: min 0.1 must be below max 0.01');
    expect(() => parseSweepArg('dropout=0,1')).toThrow('sweep dropout: 1 must be in [0, 1)');
    expect(() => parseSweepArg('hidden=linear:32.5:256')).toThrow('sweep hidden: min 32.5 must be a whole number from 1 to 8192');
    expect(() => parseSweepArg('optimizer=adam,lbfgs')).toThrow('sweep optimizer: "lbfgs" is not one of sgd, adam, adamw, rmsprop, adagrad');
    expect(() => parseSweepArg('momentum=0,0.9')).toThrow('sweep "momentum": not a setting a sweep can vary');
    expect(() => parseSweepArg('lr=log:1e-4:x')).toThrow('sweep lr: max "x" is not a number');
    expect(() => parseSweepArg('layers=linear:1:4:9')).toThrow('sweep layers: 9 points of whole numbers do not fit between 1 and 4');
  });
});

describe('drawTrials', () => {
  it('makes a grid the product of its ranges, the first varying slowest', () => {
    const ranges: SweepRange[] = [{ name: 'lr', scale: 'log', min: 1e-4, max: 1e-2, points: 3 }, { name: 'dropout', values: [0, 0.5] }];
    const trials = drawTrials({ search: 'grid', trials: 1, drawSeed: 0, ranges });
    expect(trials.map((t) => t.values)).toEqual([
      { lr: 1e-4, dropout: 0 }, { lr: 1e-4, dropout: 0.5 },
      { lr: 1e-3, dropout: 0 }, { lr: 1e-3, dropout: 0.5 },
      { lr: 1e-2, dropout: 0 }, { lr: 1e-2, dropout: 0.5 },
    ]);
    expect(trials.map((t) => t.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('gives ranges without points the count nearest the trials asked for', () => {
    // two free ranges and 12 trials: round(sqrt(12)) = 3 points each
    const free: SweepRange[] = [{ name: 'lr', scale: 'log', min: 1e-4, max: 1e-2 }, { name: 'clip', scale: 'linear', min: 1, max: 5 }];
    expect(gridPoints(free, 12)).toEqual([[1e-4, 1e-3, 1e-2], [1, 3, 5]]);
    // a list of 3 takes its share first: 12 / 3 = 4 points of lr
    expect(gridPoints([free[0], { name: 'dropout', values: [0, 0.1, 0.2] }], 12)[0]).toHaveLength(4);
    // whole numbers: no more points than there are numbers
    expect(gridPoints([{ name: 'layers', scale: 'linear', min: 1, max: 2 }], 10)).toEqual([[1, 2]]);
  });

  it('draws random trials reproducibly from the seed, inside the ranges, whole where whole', () => {
    const ranges: SweepRange[] = [
      { name: 'lr', scale: 'log', min: 1e-4, max: 3e-2 }, { name: 'hidden', scale: 'linear', min: 32, max: 40 },
      { name: 'optimizer', values: ['adam', 'sgd'] },
    ];
    const a = drawTrials({ search: 'random', trials: 200, drawSeed: 7, ranges });
    expect(drawTrials({ search: 'random', trials: 200, drawSeed: 7, ranges })).toEqual(a);
    expect(drawTrials({ search: 'random', trials: 200, drawSeed: 8, ranges })).not.toEqual(a);
    // the first trials do not depend on how many are drawn
    expect(drawTrials({ search: 'random', trials: 5, drawSeed: 7, ranges })).toEqual(a.slice(0, 5));
    const lr = a.map((t) => t.values.lr as number);
    expect(Math.min(...lr)).toBeGreaterThanOrEqual(1e-4);
    expect(Math.max(...lr)).toBeLessThanOrEqual(3e-2);
    // log-uniform: about half the draws below the geometric middle, sqrt(1e-4 * 3e-2) = 1.73e-3
    const below = lr.filter((x) => x < Math.sqrt(1e-4 * 3e-2)).length;
    expect(below).toBeGreaterThan(70);
    expect(below).toBeLessThan(130);
    const hidden = new Set(a.map((t) => t.values.hidden));
    expect([...hidden].sort((x, y) => (x as number) - (y as number))).toEqual([32, 33, 34, 35, 36, 37, 38, 39, 40]);
    expect(new Set(a.map((t) => t.values.optimizer))).toEqual(new Set(['adam', 'sgd']));
  });
});

describe('planRuns with a sweep', () => {
  const base: ExperimentSpecInput = { cells: ['rnn', 'lstm', 'gru'], seeds: 2, budget: { mode: 'params', params: 20000 }, train: { steps: 400 } };

  it('gives every cell the same trials, trial-major, with the values in each config', () => {
    const spec = experimentSpec({ ...base, sweep: sweep({ trials: 3, ranges: [{ name: 'lr', scale: 'log', min: 1e-4, max: 3e-2 }, { name: 'dropout', values: [0, 0.1, 0.25] }] }) });
    const runs = planRuns(spec, 30);
    expect(runs).toHaveLength(3 * 3 * 2);
    expect(runs.map((r) => `${r.trial!.index}:${r.cell}:${r.seed}`).slice(0, 7)).toEqual(['0:rnn:1', '0:rnn:2', '0:lstm:1', '0:lstm:2', '0:gru:1', '0:gru:2', '1:rnn:1']);
    const draws = drawTrials(spec.sweep!);
    for (const r of runs) {
      const t = draws[r.trial!.index];
      expect(r.trial).toEqual(t);
      expect(r.train.optimizer.lr).toBe(t.values.lr);
      expect(r.model.dropout).toBe(t.values.dropout);
      // the budget still chooses each cell's hidden size
      expect(Math.abs(r.params - 20000) / 20000).toBeLessThanOrEqual(0.02);
    }
  });

  it('lets a trial replace the hidden size or the budget, and the optimizer', () => {
    const hidden = planRuns(experimentSpec({ ...base, seeds: 1, sweep: sweep({ search: 'grid', ranges: [{ name: 'hidden', values: [8, 16] }, { name: 'optimizer', values: ['sgd'] }] }) }), 30);
    expect(hidden.map((r) => [r.cell, r.model.hidden, r.train.optimizer.name])).toEqual([
      ['rnn', 8, 'sgd'], ['lstm', 8, 'sgd'], ['gru', 8, 'sgd'], ['rnn', 16, 'sgd'], ['lstm', 16, 'sgd'], ['gru', 16, 'sgd'],
    ]);
    const params = planRuns(experimentSpec({ ...base, seeds: 1, sweep: sweep({ search: 'grid', ranges: [{ name: 'params', values: [10000, 40000] }] }) }), 30);
    for (const r of params) expect(Math.abs(parameterCount(r.model) - (r.trial!.values.params as number)) / (r.trial!.values.params as number)).toBeLessThanOrEqual(0.02);
  });

  it('fills in a grid\'s points and counts its trials', () => {
    const spec = experimentSpec({ ...base, sweep: sweep({ search: 'grid', trials: 12, ranges: [{ name: 'lr', scale: 'log', min: 1e-4, max: 3e-2 }, { name: 'dropout', values: [0, 0.1, 0.25] }] }) });
    expect(spec.sweep!.ranges[0]).toEqual({ name: 'lr', scale: 'log', min: 1e-4, max: 3e-2, points: 4 });
    expect(spec.sweep!.trials).toBe(12);
    // checking a checked spec again changes nothing (what createExperiment stores reads back the same)
    expect(experimentSpec(spec).sweep).toEqual(spec.sweep);
  });

  it('refuses bad sweeps naming the field', () => {
    const bad = (s: Partial<SweepSpec>, more: Partial<ExperimentSpecInput> = {}) => () =>
      experimentSpec({ ...base, ...more, sweep: sweep({ ranges: [{ name: 'lr', scale: 'log', min: 1e-4, max: 3e-2 }], ...s }) });
    expect(bad({ ranges: [{ name: 'lr', scale: 'log', min: 0, max: 3e-2 }] })).toThrow('sweep.ranges[0] (lr): min 0 must be > 0 on a log scale');
    expect(bad({ ranges: [{ name: 'hidden', values: [8] }, { name: 'params', values: [900] }] })).toThrow('sweep.ranges: sweep hidden or params, not both');
    expect(bad({ trials: 0 })).toThrow('sweep.trials: must be a whole number from 1 to 1000');
    expect(bad({ trials: 200 }, { seeds: 2 })).toThrow('sweep.trials: 3 cells x 200 trials x 2 seeds make 1200 runs; an experiment may have at most 1000');
    expect(bad({ halving: { eta: 1, minSteps: 100 } })).toThrow('sweep.halving.eta: must be a whole number from 2 to 100');
    expect(bad({ halving: { eta: 3, minSteps: 150 } })).toThrow('sweep.halving.minSteps: must be a multiple of cadence.evalEvery (100)');
    expect(bad({ halving: { eta: 3, minSteps: 400 } })).toThrow('sweep.halving.minSteps: must be below the rnn runs\' 400 steps, got 400');
    expect(bad({ search: 'bayes' as 'grid' })).toThrow('sweep.search: must be "grid" or "random"');
  });

  it('names the trial whose config is refused', () => {
    const spec = experimentSpec({ ...base, train: { steps: 400, schedule: { name: 'cosine', minLr: 1e-3 } }, sweep: sweep({ search: 'grid', ranges: [{ name: 'lr', values: [1e-2, 1e-4] }] }) });
    expect(() => planRuns(spec, 30)).toThrow('schedule.minLr: must be a finite number in [0, 0.0001], got 0.001 in trial 1 (lr=0.0001) for rnn');
  });
});
