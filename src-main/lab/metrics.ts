/** An experiment's numbers as one flat table: what the CSV and JSON exports and `rnn-lab metrics export` write. */
import type { CellName } from '../api/types.ts';
import type { LabStore } from '../store/lab-store.ts';
import type { LabRecords } from './records.ts';

export interface MetricsRow {
  experiment: string;
  run: number;
  cell: CellName;
  seed: number;
  step: number;
  chars_seen: number;
  wall_seconds: number;
  train_loss: number;
  val_loss: number | null;
  bits_per_char: number | null;
  grad_norm: number;
  lr: number;
}

/** One row per run and logged step, with the validation numbers where an evaluation happened. */
export function metricsTable(store: LabStore, records: LabRecords, experimentId: number): MetricsRow[] {
  const { experiment, runs } = records.experiment(experimentId);
  const rows: MetricsRow[] = [];
  for (const run of runs) {
    const evals = new Map(store.evals.list(run.id).map((e) => [e.step, e]));
    for (const m of store.metrics.list(run.id)) {
      const e = evals.get(m.step);
      rows.push({
        experiment: experiment.name,
        run: run.id,
        cell: run.cell as CellName,
        seed: run.seed,
        step: m.step,
        chars_seen: m.charsSeen,
        wall_seconds: m.wallSeconds,
        train_loss: m.trainLoss,
        val_loss: e?.valLoss ?? null,
        bits_per_char: e?.bitsPerChar ?? null,
        grad_norm: m.gradNorm,
        lr: m.lr,
      });
    }
  }
  return rows;
}
