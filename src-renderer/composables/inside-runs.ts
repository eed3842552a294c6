/** The runs an experiment offers the cell views: colours, names and the default choices. */
import type { Run } from '../../src-main/api/contract.ts';
import { runColor } from '../../src-shared/run-colors.ts';
import { cellTitle, colorIndexes } from '../../src-shared/seed-groups.ts';

/** Each run's colour, as the Experiment screen gives it (its cell's, by position in the experiment). */
export function runColors(runs: readonly Run[]): Map<number, string> {
  const idx = colorIndexes(runs);
  return new Map(runs.map((r, i) => [r.id, runColor(idx[i])]));
}

export function runLabel(run: Run): string {
  return `${cellTitle(run.cell)} s${run.seed} (#${run.id})`;
}

/** Runs with a checkpoint to read: those that have trained at least one step. */
export function trainedRuns(runs: readonly Run[]): Run[] {
  return runs.filter((r) => r.step > 0);
}

/** One run per cell, seed 1 where there is one (else the lowest seed), in the experiment's order. */
export function onePerCell(runs: readonly Run[]): Run[] {
  const best = new Map<string, Run>();
  for (const r of runs) {
    const have = best.get(r.cell);
    if (!have || (have.seed !== 1 && (r.seed === 1 || r.seed < have.seed))) best.set(r.cell, r);
  }
  return runs.filter((r) => best.get(r.cell) === r);
}

/** Cells with gates (the plain RNN has only h). */
export function hasGates(cell: string): boolean {
  return cell !== 'rnn';
}

/** A unit of a layer's state, as the correlated-units list names it. */
export interface UnitChoice {
  layer: number;
  state: 'h' | 'c';
  unit: number;
}
