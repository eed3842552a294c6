/**
 * The confirmation of a sweep: a new experiment on the same corpus that reruns each cell at its
 * best trial's values on fresh seeds, so the verdict between cells is not judged on the seeds that
 * chose the winners (the best of many trials on one seed is biased low by the choosing). Its
 * verdict is the ordinary summary over seeds, with the same Welch interval as any experiment's.
 */
import type { CellName, ExperimentSpec } from '../api/types.ts';
import type { LabStore } from '../store/lab-store.ts';
import { LabError } from './errors.ts';
import type { ExperimentService } from './experiment-service.ts';
import type { RunConfig } from './experiments.ts';
import type { LabRecords } from './records.ts';
import { ENDED } from './run-control.ts';
import { trialSettings } from './sweep-plan.ts';
import { confirmationOf, sweepOf, sweepReport } from './sweep-report.ts';

/** Fewest seeds a confirmation runs: fewer give Welch's interval nothing to stand on. */
export const MIN_CONFIRM_SEEDS = 3;

/**
 * The id of the experiment confirming sweep `sweepId`, made now (not started) with `seeds` seeds
 * from one past the highest the sweep used, or the one made before.
 */
export function confirmSweep(store: LabStore, records: LabRecords, experiments: ExperimentService, sweepId: number, seeds = MIN_CONFIRM_SEEDS): number {
  const { spec, runs } = sweepOf(records, sweepId);
  const existing = confirmationOf(store, sweepId);
  if (existing !== null) return existing;
  if (!Number.isInteger(seeds) || seeds < MIN_CONFIRM_SEEDS) throw new LabError('bad-input', `a confirmation needs at least ${MIN_CONFIRM_SEEDS} seeds per cell, got ${seeds}`);
  const open = runs.filter((r) => !ENDED.includes(r.status));
  if (open.length > 0) throw new LabError('bad-state', `sweep ${sweepId} has ${open.length} run(s) that have not ended (run ${open[0].id} is ${open[0].status}); confirm it when every run has ended`);
  const report = sweepReport(store, records, sweepId);
  const overrides: ExperimentSpec['overrides'] = {};
  for (const c of report.cells) {
    if (c.best === null) throw new LabError('bad-state', `the ${c.cell} runs of sweep ${sweepId} have no completed trial with a finite loss to confirm`);
    overrides[c.cell] = bestOverride(spec, c.cell, c.best.values, c.best.config as RunConfig);
  }
  const { sweep: _sweep, ...rest } = spec;
  const confirm: ExperimentSpec = { ...rest, seeds, firstSeed: 1 + Math.max(...runs.map((r) => r.seed)), overrides, confirms: sweepId };
  const name = `${store.experiments.get(sweepId)!.name.slice(0, 180)} — confirm`;
  return experiments.createExperiment({ corpusId: store.experiments.get(sweepId)!.corpusId, name, spec: confirm }).experiment.id;
}

/** A cell's overrides with its best trial's values on top; the hidden size as that trial ran, when it was swept or chosen by a swept budget. */
function bestOverride(spec: ExperimentSpec, cell: CellName, values: Record<string, number | string>, config: RunConfig): NonNullable<ExperimentSpec['overrides'][CellName]> {
  const o = spec.overrides[cell] ?? {};
  const t = trialSettings(values);
  const sizeSwept = t.hidden !== undefined || t.params !== undefined;
  return {
    model: { ...o.model, ...t.model, ...(sizeSwept ? { hidden: config.model.hidden } : {}) },
    train: { ...o.train, ...t.train, optimizer: { ...o.train?.optimizer, ...t.train.optimizer } },
  };
}
