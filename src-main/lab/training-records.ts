/**
 * A run's training as rows: what a run trains from (its config, its corpus, and on a resume its
 * last checkpoint) and what it reports back, written and announced. The scheduler sits between the
 * two and knows neither.
 */
import type { KernelSetName } from '../../src-worker/engine/kernel-sets.ts';
import type { ExperimentSpec, Run } from '../api/types.ts';
import type { LabStore } from '../store/lab-store.ts';
import type { CorpusService } from './corpus-service.ts';
import type { LabEvents } from './events.ts';
import type { RunEvent, TrainRequest } from './executor.ts';
import type { RunConfig } from './experiments.ts';
import { haltDecision } from './halving.ts';
import type { ModelService } from './model-service.ts';
import type { LabRecords } from './records.ts';

export class TrainingRecords {
  constructor(
    private readonly store: LabStore,
    private readonly events: LabEvents,
    private readonly records: LabRecords,
    private readonly corpora: CorpusService,
    private readonly models: ModelService,
  ) {}

  /**
   * The task for a run just claimed, as it was before the claim. A run that has trained (paused,
   * interrupted) continues from its last checkpoint, and anything recorded after that checkpoint
   * is dropped here, since the run records it again, identically; one that never started has no
   * checkpoint, and starts from step 0.
   */
  request(before: Run): TrainRequest {
    const id = before.id;
    const { model, train } = before.config as RunConfig;
    const { spec, experiment } = this.records.experiment(before.experimentId);
    const ids = this.corpora.ids(experiment.corpusId);
    const last = this.store.checkpoints.get(id, 'last');
    const { bestValLoss, elapsedBefore } = this.rewind(id, last?.step ?? 0);
    const initWeights = !last && spec.initFrom ? this.models.initWeights(spec.initFrom.modelId, model) : null;
    return {
      runId: id,
      model,
      train,
      cadence: spec.cadence,
      trainIds: ids.train.buffer as SharedArrayBuffer,
      validIds: ids.valid.buffer as SharedArrayBuffer,
      validMasks: ids.validMasks,
      vocab: ids.vocab,
      resume: last ? (last.state.buffer as ArrayBuffer) : null,
      // a run keeps the kernels it first reported, so its checkpoints all come from one set (the
      // worker refuses a name it does not know); null: none recorded yet, the worker's default
      kernelSet: before.kernelSet as KernelSetName | null,
      initWeights,
      elapsedBefore,
      bestValLoss,
    };
  }

  /** Drops what a run recorded after step `from` (it reports it again) and sets its step, best loss and time back to then. */
  private rewind(id: number, from: number): { bestValLoss: number | null; elapsedBefore: number } {
    this.store.deleteHistoryAfter(id, from);
    const kept = this.store.evals.list(id).filter((e) => e.step <= from && Number.isFinite(e.valLoss));
    const bestValLoss = kept.length ? Math.min(...kept.map((e) => e.valLoss)) : null;
    const elapsedBefore = from === 0 ? 0 : (this.store.metrics.list(id, { fromStep: from }).find((m) => m.step === from)?.wallSeconds ?? 0);
    this.store.runs.update(id, { step: from, bestValLoss, elapsed: elapsedBefore });
    return { bestValLoss, elapsedBefore };
  }

  /**
   * After a sweep's run recorded its evaluation at `step`: if the halving rule stops it there, the
   * decision is stored (the run ends 'stopped', keeping what it recorded) and true is returned, for
   * the caller to end its training without a checkpoint.
   */
  halts(runId: number, step: number): boolean {
    const run = this.records.run(runId);
    // every evaluation of every run comes here: only the experiment's row, not its runs, before haltDecision knows it is a rung
    const spec = this.store.experiments.get(run.experimentId)?.spec as ExperimentSpec | undefined;
    if (spec === undefined) return false;
    const decision = haltDecision(this.store, run, spec, step);
    if (decision === null || !this.store.runs.halt(runId, decision)) return false;
    this.records.announce(runId);
    return true;
  }

  /** What a run reports becomes rows (each event in one transaction) and then an event. */
  record(runId: number, ev: RunEvent): void {
    const s = this.store;
    switch (ev.type) {
      case 'attempt':
        // another worker took the run over at its last checkpoint: the steps after it come again
        this.rewind(runId, ev.from);
        this.records.announce(runId);
        return;
      case 'kernels':
        // the first set a run reports is the one it keeps: resumes ask for it (see request)
        s.runs.setKernelSet(runId, ev.kernelSet);
        return;
      case 'metrics': {
        const last = ev.rows[ev.rows.length - 1];
        s.transaction(() => {
          s.metrics.insert(runId, ev.rows);
          s.runs.update(runId, { step: last.step, elapsed: last.wallSeconds });
        });
        this.events.emit({ type: 'metrics', runId, rows: ev.rows });
        return;
      }
      case 'eval': {
        const run = this.records.run(runId);
        s.transaction(() => {
          s.evals.insert(runId, ev);
          if (run.bestValLoss === null || ev.valLoss < run.bestValLoss) s.runs.update(runId, { bestValLoss: ev.valLoss });
        });
        this.events.emit({ type: 'eval', runId, step: ev.step, valLoss: ev.valLoss, bitsPerChar: ev.bitsPerChar, accuracy: ev.accuracy, predictableAccuracy: ev.predictableAccuracy, longRangeAccuracy: ev.longRangeAccuracy });
        return;
      }
      case 'checkpoint':
        s.checkpoints.put(runId, ev.kind, ev.step, ev.valLoss, new Uint8Array(ev.state));
        this.events.emit({ type: 'checkpoint', runId, step: ev.step, kind: ev.kind });
        return;
      case 'sample':
        s.samples.insert(runId, { step: ev.step, prime: ev.prime, temperature: ev.temperature, text: ev.text });
        this.events.emit({ type: 'sample', runId, step: ev.step, prime: ev.prime, temperature: ev.temperature, text: ev.text });
        return;
    }
  }
}
