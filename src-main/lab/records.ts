/**
 * The rows every service looks up, refused as not-found when they are missing, and run status
 * changes, which are always announced: a front end learns a run's state only from its events.
 */
import type { CheckpointKind, Experiment, ExperimentSpec, Run } from '../api/types.ts';
import type { LabStore } from '../store/lab-store.ts';
import type { SetStatus } from '../store/types.ts';
import { LabError } from './errors.ts';
import type { LabEvents } from './events.ts';

export class LabRecords {
  constructor(private readonly store: LabStore, private readonly events: LabEvents) {}

  experiment(id: number): { experiment: Experiment; spec: ExperimentSpec; runs: Run[] } {
    const experiment = this.store.experiments.get(id);
    if (!experiment) throw new LabError('not-found', `no experiment ${id}`);
    return { experiment, spec: experiment.spec as ExperimentSpec, runs: this.store.runs.list(id) };
  }

  run(id: number): Run {
    const r = this.store.runs.get(id);
    if (!r) throw new LabError('not-found', `no run ${id}`);
    return r;
  }

  /** The corpus a run trains on. */
  corpusIdOf(run: Run): number {
    return this.experiment(run.experimentId).experiment.corpusId;
  }

  /** The training state of a run's best or last checkpoint. */
  checkpoint(runId: number, which: CheckpointKind): { step: number; state: ArrayBuffer } {
    this.run(runId);
    const c = this.store.checkpoints.get(runId, which);
    if (!c) throw new LabError('not-found', `run ${runId} has no ${which} checkpoint yet`);
    return { step: c.step, state: c.state.buffer as ArrayBuffer };
  }

  setStatus(id: number, status: SetStatus, opts: { error?: string } = {}): void {
    this.store.runs.setStatus(id, status, opts);
    this.announce(id);
  }

  /** Tells the listeners a run's row as it is now, and returns it. */
  announce(id: number): Run {
    const run = this.run(id);
    this.events.emit({ type: 'run', run });
    return run;
  }
}
