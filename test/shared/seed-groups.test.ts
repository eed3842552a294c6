/** The grouping of runs as the seeds of a cell, their colours, and what each seed contributes. */
import { describe, expect, it } from 'vitest';
import { colorIndexes, finalValues, groupRuns, hasSeeds, seedOutcome, seedOutcomeText, type SeedOutcome } from '../../src-shared/seed-groups.ts';

/** as much of a run as the grouping reads (the API's Run has more) */
const makeRun = (r: { id: number; cell: string; experimentId?: number }) => ({ experimentId: 1, ...r });

describe('groupRuns', () => {
  const runs = [
    makeRun({ id: 1, cell: 'lstm' }), makeRun({ id: 2, cell: 'lstm' }),
    makeRun({ id: 3, cell: 'rnn' }), makeRun({ id: 4, cell: 'rnn' }),
    makeRun({ id: 5, cell: 'gru' }),
  ];
  const groups = groupRuns(runs);

  it('groups runs by experiment and cell, labelled with the cell', () => {
    expect(groups.map((g) => `${g.key} ${g.label} ${g.runs.map((r) => r.id).join('+')}`)).toEqual(['1:lstm LSTM 1+2', '1:rnn RNN 3+4', '1:gru GRU 5']);
    expect(hasSeeds(groups)).toBe(true);
    expect(hasSeeds(groupRuns([runs[0], runs[2]]))).toBe(false);
    const two = groupRuns([runs[0], makeRun({ id: 9, experimentId: 2, cell: 'lstm' })], (id) => `exp ${id}`);
    expect(two.map((g) => g.label)).toEqual(['exp 1 · LSTM', 'exp 2 · LSTM']);
  });

  it("gives a cell's seeds one colour, and each run its own when there is one seed per cell", () => {
    expect(colorIndexes(runs)).toEqual([0, 0, 1, 1, 2]);
    expect(colorIndexes([runs[0], runs[2], runs[4]])).toEqual([0, 1, 2]);
  });
});

describe('seedOutcome', () => {
  it("counts a finished run's last validation loss, and says why another is not counted", () => {
    const evals = { evalStep: [100, 200], valLoss: [2.1, 1.9] };
    expect(seedOutcome({ status: 'completed', step: 200 }, evals)).toEqual({ kind: 'final', value: 1.9, step: 200 });
    expect(seedOutcome({ status: 'running', step: 150 }, evals)).toEqual({ kind: 'not-finished', status: 'running', step: 150 });
    expect(seedOutcome({ status: 'completed', step: 200 }, { evalStep: [200], valLoss: [NaN] })).toEqual({ kind: 'diverged', step: 200 });
    expect(seedOutcome({ status: 'completed', step: 200 }, { evalStep: [], valLoss: [] })).toEqual({ kind: 'no-evaluation' });
  });

  it("reads a finished run's long-range accuracy from the same last evaluation, counting the seeds the loss counts", () => {
    const evals = { evalStep: [100, 200], valLoss: [2.1, 1.9], longRangeAccuracy: [0.3, 0.95] };
    const done = { status: 'completed', step: 200 };
    expect(seedOutcome(done, evals, 'longRangeAccuracy')).toEqual({ kind: 'final', value: 0.95, step: 200 });
    expect(seedOutcome({ status: 'paused', step: 150 }, evals, 'longRangeAccuracy')).toEqual({ kind: 'not-finished', status: 'paused', step: 150 });
    expect(seedOutcome(done, { ...evals, valLoss: [2.1, NaN] }, 'longRangeAccuracy')).toEqual({ kind: 'diverged', step: 200 });
    // a corpus that marks no long-range positions
    expect(seedOutcome(done, { evalStep: [200], valLoss: [1.9] }, 'longRangeAccuracy')).toEqual({ kind: 'no-evaluation' });
    expect(finalValues([{ seed: 1, outcome: seedOutcome(done, evals, 'longRangeAccuracy') }, { seed: 2, outcome: { kind: 'no-evaluation' } }, { seed: 3, outcome: { kind: 'final', value: 0.5, step: 200 } }])).toEqual([0.95, 0.5]);
  });

  it('counts a duplicated seed once: the first final value of each seed, in run order', () => {
    const final = (value: number): SeedOutcome => ({ kind: 'final', value, step: 200 });
    const seeds = [
      { seed: 1, outcome: { kind: 'not-finished', status: 'cancelled', step: 50 } as SeedOutcome },
      { seed: 1, outcome: final(1.5) },
      { seed: 2, outcome: final(1.7) },
      { seed: 1, outcome: final(1.5) },
    ];
    expect(finalValues(seeds)).toEqual([1.5, 1.7]);
    // a sweep's trials of one seed train different configs: each counts, and only a duplicate of the same trial and seed does not
    expect(finalValues([{ seed: 1, trial: 0, outcome: final(1.5) }, { seed: 1, trial: 1, outcome: final(1.6) }, { seed: 1, trial: 1, outcome: final(1.6) }])).toEqual([1.5, 1.6]);
    expect(seedOutcomeText({ kind: 'final', value: 0.95, step: 200 }, (x) => `${x * 100}%`)).toBe('95%');
  });
});
