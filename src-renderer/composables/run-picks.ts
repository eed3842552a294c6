/**
 * Runs where the user picks them (Compare, Generate, Inside the cells): what to say beside a run
 * that has not finished, and which run of a cell to choose when the user has not chosen.
 */
import type { Run } from '../../src-main/api/contract.ts';
import { formatInt } from '../../src-shared/format.ts';
import { tr } from '../i18n.ts';
import { statusName } from './run-text.ts';

/**
 * Beside a run that did not (or not yet) train to its last step: "cancelled at step 50 of 1,200",
 * "training: step 300 of 1,200", "not started". Empty for a completed run, whose checkpoints are
 * the whole run.
 */
export function runProgressNote(run: Run): string {
  if (run.status === 'completed') return '';
  const state = statusName(run.status);
  if (run.step === 0) return state;
  const at = { step: formatInt(run.step), steps: formatInt(run.steps) };
  return run.status === 'running' ? tr('runs.progressTraining', at) : tr('runs.progressAt', { state, ...at });
}

const STOPPED: readonly string[] = ['cancelled', 'failed', 'paused', 'interrupted'];

/** Ended before its last step: its checkpoints are of a partly trained model. */
export function stoppedEarly(run: Run): boolean {
  return STOPPED.includes(run.status);
}

/** Lower is better: completed before unfinished; then, completed, the lower best validation loss, unfinished, the longer training. */
function rank(r: Run): [number, number] {
  const loss = r.bestValLoss ?? Infinity;
  return r.status === 'completed' ? [0, loss] : [1, -r.step];
}

/**
 * Each cell's best run, in the runs' order: the completed run with the lowest best validation
 * loss; for a cell with no completed run, the one that trained furthest. Ties go to the first.
 */
export function bestPerCell(runs: readonly Run[]): Run[] {
  const best = new Map<string, Run>();
  for (const r of runs) {
    const have = best.get(r.cell);
    if (!have) {
      best.set(r.cell, r);
      continue;
    }
    const [a, b] = [rank(r), rank(have)];
    if (a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])) best.set(r.cell, r);
  }
  return runs.filter((r) => best.get(r.cell) === r);
}
