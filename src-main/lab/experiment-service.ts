/**
 * Experiments in the lab: a spec checked against its corpus and this lab's threads before any run
 * is queued, its runs stored in one transaction, and runs compared across experiments.
 */
import type { Comparison, ExperimentPlan, RunSummary } from '../api/contract.ts';
import { ConfigError } from '../../src-worker/engine/config.ts';
import type { CorpusMeta, Experiment, ExperimentSpec, ExperimentSpecInput, Run } from '../api/types.ts';
import type { LabStore } from '../store/lab-store.ts';
import type { RunMemory } from '../../src-worker/engine/memory.ts';
import { estimateSeconds, memoryRefusal, plannedMemory, thisMachine, type Machine } from './estimate.ts';
import { experimentSpec, planRuns, type PlannedRun, type RunConfig } from './experiments.ts';
import { LabError } from './errors.ts';
import { trialText } from './sweep-plan.ts';
import type { ModelService } from './model-service.ts';
import type { LabRecords } from './records.ts';

export class ExperimentService {
  constructor(
    private readonly store: LabStore,
    private readonly records: LabRecords,
    private readonly models: ModelService,
    /** threads this lab trains on: no run may need more */
    private readonly workers: number,
    /** what a run's memory must fit */
    private readonly machine: Machine = thisMachine(workers),
  ) {}

  /** The runs an experiment would have, the memory of each and a rough wall-clock estimate (see estimate.ts). */
  planExperiment(input: { corpusId: number; spec: ExperimentSpecInput }): ExperimentPlan {
    const { corpus, spec, planned, memory } = this.plan(input);
    const validChars = Math.round(corpus.chars * corpus.validFraction);
    return {
      runs: planned.map((r, i) => {
        const { weights, gradients, optimizer, activations, checkpoints, total } = memory[i];
        return { cell: r.cell, seed: r.seed, ...(r.trial ? { trial: r.trial } : {}), hidden: r.model.hidden, params: r.params, memory: { bytes: total, weights, gradients, optimizer, activations, checkpoints } };
      }),
      estimateSeconds: estimateSeconds(planned, spec.cadence, validChars, this.workers),
    };
  }

  createExperiment(input: { corpusId: number; name?: string; spec: ExperimentSpecInput }): { experiment: Experiment; runs: Run[] } {
    const { corpus, spec, planned } = this.plan(input);
    const name = input.name?.trim() || `${spec.cells.join(' vs ')} on ${corpus.name}`;
    const id = this.store.transaction(() => {
      const experimentId = this.store.experiments.insert({ name, corpusId: corpus.id, spec });
      this.store.runs.insert(experimentId, planned.map((r) => ({
        cell: r.cell,
        seed: r.seed,
        config: { model: r.model, train: r.train } satisfies RunConfig,
        params: r.params,
        steps: r.train.steps,
        ...(r.trial ? { trial: r.trial } : {}),
      })));
      return experimentId;
    });
    return { experiment: this.store.experiments.get(id)!, runs: this.store.runs.list(id) };
  }

  listExperiments() {
    return this.store.experiments.list();
  }

  /** A copy of a run (same cell, seed and config) in the same experiment, not started. */
  duplicateRun(id: number): Run {
    const r = this.records.run(id);
    const config = r.config as RunConfig;
    const [copy] = this.store.runs.insert(r.experimentId, [{ cell: r.cell, seed: r.seed, config, params: r.params, steps: config.train.steps, ...(r.trial ? { trial: r.trial } : {}) }]);
    return this.records.announce(copy);
  }

  /** Runs side by side: their results, and the config fields (dotted paths) whose values differ. */
  compareRuns(ids: number[]): Comparison {
    const runs = [...new Set(ids)].map((id): RunSummary => {
      const run = this.records.run(id);
      const config = run.config as RunConfig;
      const last = this.store.metrics.list(id, { fromStep: run.step }).at(-1);
      const best = run.bestValLoss;
      return {
        run,
        experimentName: this.store.experiments.get(run.experimentId)?.name ?? '',
        config,
        bestValLoss: best,
        bitsPerChar: best === null ? null : best / Math.LN2,
        perplexity: best === null ? null : Math.exp(best),
        seconds: run.elapsed,
        charsPerSecond: last && last.wallSeconds > 0 ? last.charsSeen / last.wallSeconds : null,
      };
    });
    const flat = runs.map((r) => flatten(r.config));
    const paths = [...new Set(flat.flatMap((f) => [...f.keys()]))].sort();
    const differences = paths.filter((p) => new Set(flat.map((f) => JSON.stringify(f.get(p) ?? null))).size > 1);
    return { runs, differences };
  }

  /** The runs an experiment would have on a corpus and their memory, checked as createExperiment checks them. */
  private plan(input: { corpusId: number; spec: ExperimentSpecInput }): { corpus: CorpusMeta; spec: ExperimentSpec; planned: PlannedRun[]; memory: RunMemory[] } {
    const corpus = this.store.corpora.getMeta(input.corpusId);
    if (!corpus) throw new LabError('not-found', `no corpus ${input.corpusId}`);
    let spec = experimentSpec(input.spec);
    if (spec.initFrom) spec = this.initFromSpec(spec, spec.initFrom.modelId, corpus);
    const planned = planRuns(spec, corpus.vocab.length);
    const validChars = Math.round(corpus.chars * corpus.validFraction);
    const trainChars = corpus.chars - validChars;
    for (const r of planned) {
      if (r.train.threads > this.workers) {
        throw new ConfigError('train.threads', `${r.train.threads} threads per run, but this lab trains on ${this.workers} (one per core)`);
      }
      const need = r.train.batch * r.train.seqLen + r.train.seqLen;
      if (trainChars < need) {
        throw new ConfigError('seqLen', `the training part of "${corpus.name}" has ${trainChars} characters; batch ${r.train.batch} x seqLen ${r.train.seqLen} needs at least ${need}${r.trial ? ` (${trialText(r.trial)})` : ''}`);
      }
    }
    const memory = planned.map((r) => {
      const m = plannedMemory(r, { trainChars, validChars }, spec.cadence, this.machine);
      const refusal = memoryRefusal(`the ${r.cell} run of seed ${r.seed}${r.trial ? ` in ${trialText(r.trial)}` : ''}`, r, m, this.machine);
      if (refusal !== null) throw new ConfigError('memory', refusal);
      return m;
    });
    return { corpus, spec, planned, memory };
  }

  /**
   * The spec of an experiment whose runs start from an imported model: the model's cell only, its
   * hidden, layers and embedding (over the budget), on a corpus with exactly its vocabulary.
   */
  private initFromSpec(spec: ExperimentSpec, modelId: number, corpus: CorpusMeta): ExperimentSpec {
    const m = this.models.model(modelId);
    const label = `model ${m.id} "${m.name}"`;
    const diff = vocabDifference(m.vocab, corpus.vocab);
    if (diff !== null) {
      throw new ConfigError('initFrom', `${label} cannot continue training on corpus "${corpus.name}": the vocabularies differ (${diff}); token ids must mean the same characters in both`);
    }
    const cell = m.config.cell;
    if (spec.cells.length !== 1 || spec.cells[0] !== cell) {
      throw new ConfigError('cells', `runs started from ${label} must use its cell, ${cell}; got ${spec.cells.join(', ')}`);
    }
    const { hidden, layers, embedding } = m.config;
    const o = spec.overrides[cell];
    return {
      ...spec,
      budget: { mode: 'hidden', hidden },
      model: { ...spec.model, layers, embedding },
      overrides: o?.model ? { ...spec.overrides, [cell]: { ...o, model: { ...o.model, hidden, layers, embedding } } } : spec.overrides,
    };
  }
}

/** Leaves of a JSON-like value by dotted path ("train.optimizer.lr"). */
export function flatten(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, x] of Object.entries(value)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

/**
 * How two vocabularies differ, or null when they are the same characters in the same order:
 * characters only one has, else the first id whose character differs.
 */
export function vocabDifference(model: readonly string[], corpus: readonly string[]): string | null {
  const show = (cs: string[]): string => cs.slice(0, 8).map((c) => JSON.stringify(c)).join(', ') + (cs.length > 8 ? `, ... (${cs.length} in all)` : '');
  const inModel = new Set(model);
  const inCorpus = new Set(corpus);
  const onlyCorpus = corpus.filter((c) => !inModel.has(c));
  const onlyModel = model.filter((c) => !inCorpus.has(c));
  const parts: string[] = [];
  if (onlyCorpus.length) parts.push(`the corpus has ${show(onlyCorpus)}, which the model does not`);
  if (onlyModel.length) parts.push(`the model has ${show(onlyModel)}, which the corpus does not`);
  if (parts.length) return parts.join('; ');
  if (model.length !== corpus.length) return `the model has ${model.length} token ids, the corpus ${corpus.length}`;
  const i = model.findIndex((c, k) => c !== corpus[k]);
  if (i < 0) return null;
  return `the same characters in another order: id ${i} is ${JSON.stringify(model[i])} in the model but ${JSON.stringify(corpus[i])} in the corpus`;
}
