/**
 * A sweep's results per cell: how many trials completed and how many the halving rule stopped, the
 * best completed trial, the expected best validation loss of n = 1..N trials (Dodge et al. 2019)
 * and each swept setting's share of the variance of the loss.
 *
 * A trial's loss is its last evaluation's: for a completed run its final loss, for a stopped run the
 * loss it was stopped at. The expected best takes both, every ended run of the cell: a stopped run's
 * loss is an upper bound on what it would have reached, so the curve leans pessimistic where halving
 * stopped runs, and never credits a run with a loss it did not reach. Runs that failed, were
 * cancelled or have not ended are left out, as are losses that are not numbers (a diverged run:
 * it would only count if all n draws diverged); a duplicate repeats its trial and seed, and counts once.
 *
 * The importance is fitted to the completed runs' final losses; when halving left fewer than 8
 * completed, to every run's loss at the first rung, which all of them reached (the report says which).
 */
import type { CellName, EvalRow, ExperimentSpec, Run, SweepCellReport, SweepReport, SweepSpec, SweepTrialResult } from '../api/types.ts';
import { expectedBest } from '../../src-shared/sweep/expected-best.ts';
import { gridPoints } from '../../src-shared/sweep/draw.ts';
import { importance, type ImportanceParam } from '../../src-shared/sweep/importance.ts';
import type { LabStore } from '../store/lab-store.ts';
import { LabError } from './errors.ts';
import type { LabRecords } from './records.ts';

/** Fewest completed runs the importance is fitted to before it falls back to the first rung. */
const MIN_COMPLETED_FOR_IMPORTANCE = 8;

interface TrialRow {
  run: Run;
  evals: EvalRow[];
  result: SweepTrialResult;
}

/** The experiment's spec if it is a sweep; bad-input otherwise. */
export function sweepOf(records: LabRecords, experimentId: number): { spec: ExperimentSpec & { sweep: SweepSpec }; runs: Run[] } {
  const { experiment, spec, runs } = records.experiment(experimentId);
  if (!spec.sweep) throw new LabError('bad-input', `experiment ${experimentId} "${experiment.name}" is not a sweep`);
  return { spec: spec as ExperimentSpec & { sweep: SweepSpec }, runs };
}

/** The experiment made to confirm a sweep, if any. */
export function confirmationOf(store: LabStore, sweepId: number): number | null {
  for (const e of store.experiments.list()) if ((e.spec as ExperimentSpec).confirms === sweepId) return e.id;
  return null;
}

export function sweepReport(store: LabStore, records: LabRecords, experimentId: number): SweepReport {
  const { spec, runs } = sweepOf(records, experimentId);
  const rows = runs.filter((r) => r.trial !== null).map((run): TrialRow => {
    const evals = store.evals.list(run.id);
    const last = evals.at(-1);
    return {
      run,
      evals,
      result: {
        runId: run.id, cell: run.cell as CellName, trial: run.trial!.index, seed: run.seed, values: run.trial!.values, status: run.status,
        valLoss: run.halted?.valLoss ?? last?.valLoss ?? null, step: run.step, halted: run.halted,
      },
    };
  });
  const confirm = confirmationOf(store, experimentId);
  return {
    experimentId,
    sweep: spec.sweep,
    cells: spec.cells.map((cell) => cellReport(cell, spec.sweep, rows.filter((r) => r.run.cell === cell && r.run.copy === 0))),
    trials: rows.map((r) => r.result),
    confirm: confirm === null ? null : { experimentId: confirm },
  };
}

const finite = (x: number | null): x is number => x !== null && Number.isFinite(x);

function cellReport(cell: CellName, sweep: SweepSpec, rows: TrialRow[]): SweepCellReport {
  const completed = rows.filter((r) => r.run.status === 'completed');
  const stopped = rows.filter((r) => r.run.status === 'stopped');
  let best: SweepCellReport['best'] = null;
  for (const { run, result } of completed) {
    if (finite(result.valLoss) && (best === null || result.valLoss < best.valLoss)) {
      best = { runId: run.id, trial: result.trial, seed: run.seed, values: result.values, config: run.config, valLoss: result.valLoss };
    }
  }
  const ended = [...completed, ...stopped].map((r) => r.result.valLoss).filter(finite);
  const eb = expectedBest(ended);
  const fit = importanceRows(sweep, rows, completed);
  const imp = fit && importance(importanceParams(sweep), fit.rows.map((r) => sweep.ranges.map((g) => r.values[g.name])), fit.rows.map((r) => r.loss));
  return {
    cell,
    trials: { completed: completed.length, stopped: stopped.length, total: rows.length },
    best,
    expectedBest: eb.mean,
    expectedBestSd: eb.sd,
    importance: imp ? imp.shares : {},
    importanceMethod: imp ? imp.method : null,
    importanceOver: imp && imp.method !== null ? { losses: fit.losses, step: fit.step, runs: fit.rows.length } : null,
  };
}

/** The settings as drawn: a grid's ranges as the points it took, so every planned level weighs the same even where runs are missing. */
function importanceParams(sweep: SweepSpec): ImportanceParam[] {
  if (sweep.search !== 'grid') return sweep.ranges;
  const points = gridPoints(sweep.ranges, sweep.trials);
  return sweep.ranges.map((r, i) => ({ name: r.name, values: points[i] }));
}

/** The losses the importance is fitted to (see the file's comment), or null when there are none. */
function importanceRows(sweep: SweepSpec, rows: TrialRow[], completed: TrialRow[]) {
  const final = completed.map((r) => ({ values: r.result.values, loss: r.result.valLoss })).filter((r): r is { values: typeof r.values; loss: number } => finite(r.loss));
  if (final.length >= MIN_COMPLETED_FOR_IMPORTANCE || !sweep.halving) {
    return final.length === 0 ? null : { losses: 'final' as const, step: completed[0].run.steps, rows: final };
  }
  const rung = sweep.halving.minSteps;
  const atRung = rows.flatMap((r) => {
    const e = r.evals.find((x) => x.step === rung);
    return e && Number.isFinite(e.valLoss) ? [{ values: r.result.values, loss: e.valLoss }] : [];
  });
  return atRung.length === 0 ? null : { losses: 'first-rung' as const, step: rung, rows: atRung };
}
