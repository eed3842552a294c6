/** The runs an experiment offers the cell views: colours, names and the default choices. */
import type { CheckpointKind, Run } from '../../src-main/api/contract.ts';
import { runColor } from '../../src-shared/run-colors.ts';
import { colorIndexes } from '../../src-shared/seed-groups.ts';
import { tr } from '../i18n.ts';
import { runProgressNote } from './run-picks.ts';
import { cellName, seedName } from './run-text.ts';

/** Each run's colour, as the Experiment screen gives it (its cell's, by position in the experiment). */
export function runColors(runs: readonly Run[]): Map<number, string> {
  const idx = colorIndexes(runs);
  return new Map(runs.map((r, i) => [r.id, runColor(idx[i])]));
}

export function runLabel(run: Run): string {
  return tr('runs.label', { cell: cellName(run.cell), seed: seedName(run), id: run.id });
}

/** A run as a picker offers it: its label, and how far it got when it has not finished. */
export function pickLabel(run: Run): string {
  const note = runProgressNote(run);
  return note ? tr('runs.withNote', { label: runLabel(run), note }) : runLabel(run);
}

/** "best" or "last", as the captions name a checkpoint. */
export function checkpointName(kind: CheckpointKind): string {
  return kind === 'best' ? tr('inside.checkpointName.best') : tr('inside.checkpointName.last');
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
