/** The runs an experiment offers the cell views: colours, names and the default choices. */
import type { Run } from '../../src-main/api/contract.ts';
import { runColor } from '../../src-shared/run-colors.ts';
import { seedLabel } from '../../src-shared/run-labels.ts';
import { cellTitle, colorIndexes } from '../../src-shared/seed-groups.ts';
import { runProgressNote } from './run-picks.ts';

/** Each run's colour, as the Experiment screen gives it (its cell's, by position in the experiment). */
export function runColors(runs: readonly Run[]): Map<number, string> {
  const idx = colorIndexes(runs);
  return new Map(runs.map((r, i) => [r.id, runColor(idx[i])]));
}

export function runLabel(run: Run): string {
  return `${cellTitle(run.cell)} ${seedLabel(run)} (#${run.id})`;
}

/** A run as a picker offers it: its label, and how far it got when it has not finished. */
export function pickLabel(run: Run): string {
  const note = runProgressNote(run);
  return note ? `${runLabel(run)} · ${note}` : runLabel(run);
}

/** Runs with a checkpoint to read: those that have trained at least one step. */
export function trainedRuns(runs: readonly Run[]): Run[] {
  return runs.filter((r) => r.step > 0);
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
