/**
 * Inside the cells: gradient flow, cell traces and per-character losses of a run's checkpoint, and
 * a corpus's reference losses, measured on the pool's model worker (the reports are made in
 * inside.ts). What does not depend on the request is measured once and kept.
 */
import { CELLS, type CellName } from '../../src-worker/engine/cells/index.ts';
import { gateInfo, type SaturationEntry } from '../../src-worker/engine/diagnostics/cell-trace.ts';
import type { ModelSource } from '../../src-worker/model-protocol.ts';
import type { BaselinesReport, CellInspection, CharacterLossReport, GradientFlowReport, PassageRequest } from '../api/contract.ts';
import type { CheckpointKind, Run } from '../api/types.ts';
import type { TrainingPool } from '../pool/pool.ts';
import type { LabStore } from '../store/lab-store.ts';
import type { CorpusService } from './corpus-service.ts';
import { LabError } from './errors.ts';
import type { RunConfig } from './experiments.ts';
import { cellInspection, characterLossRun, flowWindows, gradientFlowReport, INSPECT_MAX_VALUES, PassageError, resolvePassage, SATURATION_CHARS } from './inside.ts';
import type { LabRecords } from './records.ts';

export class Diagnostics {
  /** per corpus, its reference losses */
  private readonly baselineCache = new Map<number, Promise<BaselinesReport>>();
  /** per run checkpoint, its gate saturation (which does not depend on the passage inspected) */
  private readonly saturationCache = new Map<string, Promise<SaturationEntry[]>>();

  constructor(
    private readonly store: LabStore,
    private readonly records: LabRecords,
    private readonly corpora: CorpusService,
    private readonly pool: () => TrainingPool,
  ) {}

  /**
   * How much of the loss at the end of a window reaches the hidden state k steps back, averaged over
   * windows of the validation text (see engine/diagnostics/gradient-flow.ts). The window defaults
   * to the run's seqLen.
   */
  async gradientFlow(runId: number, opts: { checkpoint?: CheckpointKind; window?: number } = {}): Promise<GradientFlowReport> {
    const which = opts.checkpoint ?? 'last';
    const { step, state } = this.records.checkpoint(runId, which);
    const run = this.records.run(runId);
    const { valid } = this.runCorpusIds(run);
    const w = passageInput(() => flowWindows(valid.length, (run.config as RunConfig).train.seqLen, opts.window));
    const r = await this.pool().diagnose({ source: { kind: 'model', state }, ids: valid.buffer, request: { kind: 'gradientFlow', ...w } });
    if (r.kind !== 'gradientFlow') throw new Error(`the model worker answered ${r.kind} to gradientFlow`);
    return gradientFlowReport({ runId, cell: run.cell as CellName, checkpoint: which, step }, r.flow);
  }

  /**
   * A run's gates and states step by step over a passage, the units most correlated with simple
   * text features, and how saturated each gate is over the start of the validation text.
   */
  async inspectCells(runId: number, req: PassageRequest & { checkpoint?: CheckpointKind } = {}): Promise<CellInspection> {
    const which = req.checkpoint ?? 'last';
    const { step, state } = this.records.checkpoint(runId, which);
    const run = this.records.run(runId);
    const { vocab, valid } = this.runCorpusIds(run);
    const passage = passageInput(() => resolvePassage(req, vocab, valid));
    const model = (run.config as RunConfig).model;
    const vectors = 1 + (CELLS[model.cell].hasCellState ? 1 : 0) + gateInfo(model.cell).length;
    const perChar = vectors * model.hidden * model.layers;
    if (passage.ids.length * perChar > INSPECT_MAX_VALUES) {
      throw new LabError('bad-input', `a passage of ${passage.ids.length} characters is too long to trace this model; at most ${Math.floor(INSPECT_MAX_VALUES / perChar)}`);
    }
    const source = { kind: 'model' as const, state };
    const pool = this.pool();
    const cells = await pool.diagnose({ source, ids: passage.ids.buffer, vocab, request: { kind: 'cells', top: 5 } });
    if (cells.kind !== 'cells') throw new Error(`the model worker answered ${cells.kind} to cells`);
    const saturationChars = Math.min(valid.length, SATURATION_CHARS);
    const saturation = await this.saturation(`${runId}:${run.createdAt}:${which}:${step}`, source, valid.slice(0, saturationChars));
    return cellInspection({ runId, cell: run.cell as CellName, checkpoint: which, step }, passage.text, cells.trace, cells.correlated, saturation, saturationChars);
  }

  /** Each run's loss at every character of one passage, with its top guesses; the runs must share a corpus. */
  async characterLosses(runIds: number[], req: PassageRequest & { checkpoint?: CheckpointKind; topK?: number } = {}): Promise<CharacterLossReport> {
    if (runIds.length === 0) throw new LabError('bad-input', 'choose at least one run');
    const which = req.checkpoint ?? 'last';
    const runs = runIds.map((id) => this.records.run(id));
    const corpusId = this.records.corpusIdOf(runs[0]);
    const other = runs.find((r) => this.records.corpusIdOf(r) !== corpusId);
    if (other) throw new LabError('bad-input', `runs ${runs[0].id} and ${other.id} were trained on different corpora; per-character losses compare runs on one text`);
    const { vocab, valid } = this.corpora.ids(corpusId);
    const passage = passageInput(() => resolvePassage(req, vocab, valid));
    const topK = req.topK ?? 5;
    if (!Number.isInteger(topK) || topK < 1 || topK > Math.min(10, vocab.length)) throw new LabError('bad-input', `top guesses must be a whole number from 1 to ${Math.min(10, vocab.length)}, got ${topK}`);
    const checkpoints = runs.map((run) => this.records.checkpoint(run.id, which)); // all there, before any work
    const out = [];
    for (const [i, run] of runs.entries()) {
      const { step, state } = checkpoints[i];
      const r = await this.pool().diagnose({ source: { kind: 'model', state }, ids: passage.ids.buffer, request: { kind: 'characterLosses', topK } });
      if (r.kind !== 'characterLosses') throw new Error(`the model worker answered ${r.kind} to characterLosses`);
      out.push(characterLossRun({ runId: run.id, cell: run.cell as CellName, seed: run.seed, step }, vocab, r.losses));
    }
    return { checkpoint: which, passage: passage.text, runs: out };
  }

  /** Uniform, unigram and n-gram reference losses of a corpus on its validation text, computed once. */
  baselines(corpusId: number): Promise<BaselinesReport> {
    const meta = this.store.corpora.getMeta(corpusId);
    if (!meta) return Promise.reject(new LabError('not-found', `no corpus ${corpusId}`));
    let report = this.baselineCache.get(corpusId);
    if (!report) {
      const ids = this.corpora.ids(corpusId);
      report = this.pool().baselines({ trainIds: ids.train.buffer, validIds: ids.valid.buffer, vocabSize: meta.vocab.length }).then((b) => ({
        corpusId,
        vocabSize: meta.vocab.length,
        uniform: b.uniform,
        unigram: b.unigram.crossEntropy,
        trainEntropy: b.unigram.trainEntropy,
        ngram: b.ngram,
      }));
      report.catch(() => this.baselineCache.delete(corpusId));
      this.baselineCache.set(corpusId, report);
    }
    return report;
  }

  /** Drops what was measured on a deleted corpus: a new corpus may get its id. */
  forgetCorpus(corpusId: number): void {
    this.baselineCache.delete(corpusId);
  }

  /** Gate saturation over the start of the validation text, once per checkpoint (the last 32 kept). */
  private saturation(key: string, source: ModelSource, ids: Uint16Array): Promise<SaturationEntry[]> {
    let entries = this.saturationCache.get(key);
    if (!entries) {
      const streams = Math.max(1, Math.min(8, Math.floor(ids.length / 500)));
      entries = this.pool().diagnose({ source, ids: ids.buffer, request: { kind: 'saturation', streams } }).then((r) => {
        if (r.kind !== 'saturation') throw new Error(`the model worker answered ${r.kind} to saturation`);
        return r.entries;
      });
      entries.catch(() => this.saturationCache.delete(key));
      this.saturationCache.set(key, entries);
      if (this.saturationCache.size > 32) this.saturationCache.delete(this.saturationCache.keys().next().value!);
    }
    return entries;
  }

  private runCorpusIds(run: Run) {
    return this.corpora.ids(this.records.corpusIdOf(run));
  }
}

/** Runs f, turning a refused passage or window into the lab's bad-input error. */
function passageInput<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof PassageError) throw new LabError('bad-input', e.message);
    throw e;
  }
}
