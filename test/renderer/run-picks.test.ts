/** Where runs are picked: the default run of each cell, and what is said beside an unfinished run. */
import { describe, expect, it } from 'vitest';
import { pickLabel } from '../../src-renderer/composables/inside-runs.ts';
import { bestPerCell, runProgressNote, stoppedEarly } from '../../src-renderer/composables/run-picks.ts';
import { makeRun } from './fake-client.ts';

describe("each cell's default run", () => {
  it('is the completed run with the lowest best validation loss, not an early checkpoint of a cancelled one', () => {
    const runs = [
      // the demo's trap: a cancelled run at step 50 listed first, with a lower "best" than it deserves
      makeRun({ id: 1, cell: 'lstm', seed: 1, status: 'cancelled', step: 50, steps: 1200, bestValLoss: 0.9 }),
      makeRun({ id: 2, cell: 'lstm', seed: 2, status: 'completed', step: 1200, steps: 1200, bestValLoss: 1.4 }),
      makeRun({ id: 3, cell: 'lstm', seed: 3, status: 'completed', step: 1200, steps: 1200, bestValLoss: 1.2 }),
      makeRun({ id: 4, cell: 'rnn', seed: 1, status: 'completed', step: 1200, steps: 1200, bestValLoss: 1.8 }),
      makeRun({ id: 5, cell: 'rnn', seed: 2, status: 'completed', step: 1200, steps: 1200, bestValLoss: 1.7 }),
    ];
    expect(bestPerCell(runs).map((r) => r.id)).toEqual([3, 5]);
  });

  it('falls back, for a cell with no completed run, to the run that trained furthest', () => {
    const runs = [
      makeRun({ id: 1, cell: 'gru', status: 'cancelled', step: 50, steps: 1000, bestValLoss: 1.1 }),
      makeRun({ id: 2, cell: 'gru', status: 'paused', step: 700, steps: 1000, bestValLoss: 1.3 }),
      makeRun({ id: 3, cell: 'gru', status: 'running', step: 400, steps: 1000, bestValLoss: 1.2 }),
    ];
    expect(bestPerCell(runs).map((r) => r.id)).toEqual([2]);
  });

  it('prefers a completed run without an evaluation to any unfinished run, and keeps the first of equals', () => {
    const runs = [
      makeRun({ id: 1, cell: 'rnn', status: 'interrupted', step: 900, steps: 1000, bestValLoss: 1 }),
      makeRun({ id: 2, cell: 'rnn', status: 'completed', step: 1000, steps: 1000, bestValLoss: null }),
      makeRun({ id: 3, cell: 'lstm', status: 'completed', step: 1000, steps: 1000, bestValLoss: 1.5 }),
      makeRun({ id: 4, cell: 'lstm', status: 'completed', step: 1000, steps: 1000, bestValLoss: 1.5 }),
    ];
    expect(bestPerCell(runs).map((r) => r.id)).toEqual([2, 3]);
  });

  it('is no run at all for no runs', () => {
    expect(bestPerCell([])).toEqual([]);
  });
});

describe('a run beside its picker', () => {
  it('says where a run stopped early, with its step of steps', () => {
    for (const status of ['cancelled', 'failed', 'paused', 'interrupted'] as const) {
      const run = makeRun({ id: 7, cell: 'lstm', seed: 2, status, step: 1050, steps: 1200 });
      expect(stoppedEarly(run)).toBe(true);
      expect(runProgressNote(run)).toBe(`${status} at step 1,050 of 1,200`);
      expect(pickLabel(run)).toBe(`LSTM s2 (#7) · ${status} at step 1,050 of 1,200`);
    }
  });

  it('says how far a training run is, and nothing beside a completed one', () => {
    const running = makeRun({ id: 8, cell: 'gru', status: 'running', step: 300, steps: 1200 });
    expect(stoppedEarly(running)).toBe(false);
    expect(runProgressNote(running)).toBe('training: step 300 of 1,200');
    const done = makeRun({ id: 9, cell: 'rnn', seed: 1, status: 'completed', step: 1200, steps: 1200 });
    expect(stoppedEarly(done)).toBe(false);
    expect(runProgressNote(done)).toBe('');
    expect(pickLabel(done)).toBe('RNN s1 (#9)');
  });

  it('says only the state of a run that has not trained a step', () => {
    expect(runProgressNote(makeRun({ status: 'cancelled', step: 0, steps: 500 }))).toBe('cancelled');
    expect(runProgressNote(makeRun({ status: 'running', step: 0, steps: 500 }))).toBe('running');
  });
});
