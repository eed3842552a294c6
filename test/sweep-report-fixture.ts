/**
 * A synthetic SweepReport for the views' tests: three cells, eight trials each over a log learning
 * rate, a list of dropouts and a choice of optimizer, with halving: per cell five completed runs,
 * two stopped at step 50 and one still running. Losses are made up, but every number the views
 * draw follows from them.
 */
import type { SweepCellReport, SweepReport, SweepTrialResult } from '../src-main/api/contract.ts';
import type { CellName } from '../src-main/api/types.ts';

export const CELLS: CellName[] = ['rnn', 'lstm', 'gru'];
const LRS = [1e-4, 3e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 3e-2];
const DROPOUTS = [0, 0.1, 0.25, 0, 0.1, 0.25, 0, 0.1];
const OPTIMIZERS = ['adam', 'sgd', 'adam', 'sgd', 'adam', 'sgd', 'adam', 'sgd'];
/** per trial: completed, stopped at the rung, or running */
const STATES = ['completed', 'completed', 'stopped', 'completed', 'completed', 'stopped', 'completed', 'running'] as const;

export function trialLoss(cell: number, trial: number): number {
  return 1.5 + 0.1 * cell + Math.abs(Math.log10(LRS[trial]) + 2.5) * 0.2 + DROPOUTS[trial];
}

export function fixtureTrials(): SweepTrialResult[] {
  return CELLS.flatMap((cell, c) => LRS.map((lr, trial): SweepTrialResult => {
    const status = STATES[trial];
    return {
      runId: 100 + 8 * c + trial, cell, trial, seed: 1,
      values: { lr, dropout: DROPOUTS[trial], optimizer: OPTIMIZERS[trial] },
      status,
      valLoss: status === 'running' ? null : trialLoss(c, trial) + (status === 'stopped' ? 0.4 : 0),
      step: status === 'completed' ? 200 : 50,
      halted: status === 'stopped' ? { rung: 50, valLoss: trialLoss(c, trial) + 0.4, cutoff: 2, rank: 3, of: 4, eta: 2 } : null,
    };
  }));
}

function cellReport(cell: CellName, c: number, trials: SweepTrialResult[]): SweepCellReport {
  const done = trials.filter((t) => t.cell === cell && t.status === 'completed').sort((a, b) => a.valLoss! - b.valLoss!);
  const best = done[0];
  return {
    cell,
    trials: { completed: done.length, stopped: 2, total: 8 },
    best: { runId: best.runId, trial: best.trial, seed: best.seed, values: best.values, config: {}, valLoss: best.valLoss! },
    expectedBest: done.map((_, i) => 2 - 0.05 * i - 0.1 * c),
    expectedBestSd: done.map((_, i) => 0.1 / (i + 1)),
    importance: c === 2 ? {} : { lr: 0.6, dropout: 0.25, optimizer: 0.05 },
    importanceMethod: c === 2 ? null : 'fanova-forest',
    importanceOver: c === 2 ? null : { losses: 'final', step: 200, runs: done.length },
  };
}

export function fixtureReport(over: Partial<SweepReport> = {}): SweepReport {
  const trials = fixtureTrials();
  return {
    experimentId: 7,
    sweep: {
      search: 'random', trials: 8, drawSeed: 1,
      ranges: [{ name: 'lr', scale: 'log', min: 1e-4, max: 3e-2 }, { name: 'dropout', values: [0, 0.1, 0.25] }, { name: 'optimizer', values: ['adam', 'sgd'] }],
      halving: { eta: 2, minSteps: 50 },
    },
    cells: CELLS.map((cell, c) => cellReport(cell, c, trials)),
    trials,
    confirm: null,
    ...over,
  };
}
