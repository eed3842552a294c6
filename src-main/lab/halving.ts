/**
 * Asynchronous successive halving (ASHA, Li et al. 2020) within each cell of a sweep. The rungs are
 * the steps minSteps * eta^k below a run's steps. When a run's evaluation at a rung is recorded, its
 * validation loss is ranked among the runs of the same cell of the experiment that have an
 * evaluation at that step, itself included; it goes on if its rank is at most max(1, floor(of / eta)),
 * else it is stopped. Every run (trial x seed) is ranked on its own.
 *
 * The decision is taken once, when the run reaches the rung, against the runs that reached it
 * before: that is what makes it asynchronous, and why it depends on the order runs arrive in. The
 * first run at a rung always goes on (as in Optuna's SuccessiveHalvingPruner); a run arriving
 * among better ones is stopped even if later runs would have ranked it higher. So the decision
 * stored with a stopped run (HaltDecision) is the record of why, not something to recompute. The
 * ranking reads the evaluations table, so a lab restarted mid-sweep decides as a lab that was not.
 *
 * A loss that is not a number (a diverged run) ranks behind every number. Ties go on together:
 * a run's rank is one more than the count of runs strictly better than it.
 */
import type { ExperimentSpec, HaltDecision, Run } from '../api/types.ts';
import type { LabStore } from '../store/lab-store.ts';

/** The rungs of a run of `steps` steps: minSteps, minSteps * eta, ... while below steps. */
export function rungs(halving: { eta: number; minSteps: number }, steps: number): number[] {
  const out: number[] = [];
  for (let r = halving.minSteps; r < steps; r *= halving.eta) out.push(r);
  return out;
}

/** A loss as ranked: not a number counts as worse than any. */
const rankable = (x: number): number => (Number.isFinite(x) ? x : Infinity);

/**
 * The rule at one rung, given the run's loss and the losses of every run of its cell at that rung
 * (its own included): null when it goes on, else why it stops.
 */
export function rungDecision(rung: number, valLoss: number, losses: readonly number[], eta: number): HaltDecision | null {
  const own = rankable(valLoss);
  const sorted = losses.map(rankable).sort((a, b) => a - b);
  const of = sorted.length;
  const rank = 1 + sorted.filter((x) => x < own).length;
  const keep = Math.max(1, Math.floor(of / eta));
  if (rank <= keep) return null;
  return { rung, valLoss, cutoff: sorted[keep - 1], rank, of, eta };
}

/**
 * Whether the halving rule stops a run whose evaluation at `step` has just been recorded: null
 * when it goes on (no halving, not a sweep's run, not a rung, or ranked in the best 1/eta).
 */
export function haltDecision(store: LabStore, run: Run, spec: ExperimentSpec, step: number): HaltDecision | null {
  const halving = spec.sweep?.halving;
  if (!halving || run.trial === null || !rungs(halving, run.steps).includes(step)) return null;
  const own = store.evals.list(run.id).find((e) => e.step === step);
  if (!own) return null;
  const losses: number[] = [];
  for (const other of store.runs.list(run.experimentId)) {
    // a run stopped at an earlier rung may still report this one before its cancel lands: it did not go on, so it is not counted
    if (other.cell !== run.cell || other.trial === null || (other.id !== run.id && other.halted !== null && other.halted.rung < step)) continue;
    const e = other.id === run.id ? own : store.evals.list(other.id).find((x) => x.step === step);
    if (e) losses.push(e.valLoss);
  }
  return rungDecision(step, own.valLoss, losses, halving.eta);
}
