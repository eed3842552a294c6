/**
 * Experiments: a corpus, a base configuration, the cells to compare and N seeds (1..N unless the
 * spec names another first seed). Its runs are
 * cells x seeds, each with the same data split and, per seed, the same batch order. A sweep makes
 * them trials x cells x seeds, trial-major (trial 0's runs of every cell and seed first), so the
 * cells progress together and the halving rule compares runs that have trained alike. The budget is
 * either the same hidden size for every cell or an equal parameter budget, where each cell's hidden
 * size is chosen so its parameter count lands within 2% of the target (as Chung et al. 2014 compared
 * them).
 */
import { CELL_NAMES, type CellName } from '../../src-worker/engine/cells/index.ts';
import { CADENCE_MIN, LIMITS, SETTING_RANGES } from '../../src-shared/limits.ts';
import { checkRange, ConfigError, modelConfig, trainConfig, type ModelConfig, type ModelConfigInput, type TrainConfig } from '../../src-worker/engine/config.ts';
import { parameterCount } from '../../src-worker/engine/param-layout.ts';
import type { Cadence } from '../../src-worker/train-report.ts';
import { drawTrials } from '../../src-shared/sweep/draw.ts';
import type { ExperimentSpec, ExperimentSpecInput, RunTrial } from '../api/types.ts';
import { sweepSpec, trialSettings, trialText } from './sweep-plan.ts';

/** What a run's row holds as its config: the resolved model and training settings. */
export interface RunConfig {
  model: ModelConfig;
  train: TrainConfig;
}

export interface PlannedRun {
  cell: CellName;
  seed: number;
  model: ModelConfig;
  train: TrainConfig;
  params: number;
  /** a sweep's run: its trial */
  trial: RunTrial | null;
}

export const DEFAULT_CADENCE: Cadence = {
  metricsEvery: 1,
  evalEvery: 100,
  evalChars: 20000,
  // samples come with every evaluation; more often only on request
  sampleEvery: 0,
  sampleLength: 200,
  checkpointEvery: 200,
};

/** Fills defaults and checks every field, throwing ConfigError naming the field. */

export function experimentSpec(input: ExperimentSpecInput): ExperimentSpec {
  const spec: ExperimentSpec = {
    seeds: 1,
    budget: { mode: 'hidden', hidden: 128 },
    model: {},
    train: {},
    overrides: {},
    ...input,
    cadence: { ...DEFAULT_CADENCE, ...input.cadence },
  };
  if (!Array.isArray(spec.cells) || spec.cells.length === 0) throw new ConfigError('cells', `choose at least one of ${CELL_NAMES.join(', ')}`);
  for (const c of spec.cells) {
    if (!CELL_NAMES.includes(c)) throw new ConfigError('cells', `unknown cell ${JSON.stringify(c)}; allowed: ${CELL_NAMES.join(', ')}`);
  }
  if (new Set(spec.cells).size !== spec.cells.length) throw new ConfigError('cells', 'each cell may appear once');
  checkRange('seeds', spec.seeds, SETTING_RANGES.seeds);
  if (spec.firstSeed !== undefined) checkRange('firstSeed', spec.firstSeed, SETTING_RANGES.firstSeed);
  const b = spec.budget;
  if (b.mode === 'hidden') {
    checkRange('hidden', b.hidden, SETTING_RANGES.hidden);
  } else if (b.mode === 'params') {
    checkRange('params', b.params, SETTING_RANGES.params);
  } else {
    throw new ConfigError('budget.mode', `must be "hidden" or "params"`);
  }
  for (const key of Object.keys(spec.overrides)) {
    if (!spec.cells.includes(key as CellName)) throw new ConfigError(`overrides.${key}`, `is not one of this experiment's cells (${spec.cells.join(', ')})`);
  }
  if (spec.initFrom !== undefined) {
    const m = spec.initFrom as unknown;
    const modelId = m !== null && typeof m === 'object' ? (m as { modelId?: unknown }).modelId : undefined;
    if (typeof modelId !== 'number' || !Number.isSafeInteger(modelId) || modelId < 1) {
      throw new ConfigError('initFrom.modelId', `must be the id of an imported model, got ${JSON.stringify(modelId ?? m)}`);
    }
  }
  const c = spec.cadence;
  for (const [k, min] of Object.entries(CADENCE_MIN) as [keyof typeof CADENCE_MIN, number][]) {
    if (!Number.isInteger(c[k]) || c[k] < min) throw new ConfigError(`cadence.${k}`, `must be a whole number >= ${min}, got ${c[k]}`);
  }
  if (spec.sweep !== undefined) spec.sweep = sweepSpec(spec);
  if (spec.confirms !== undefined) checkRange('confirms', spec.confirms, { whole: true, min: 1, max: Number.MAX_SAFE_INTEGER });
  return spec;
}

/**
 * The runs of an experiment on a corpus of vocabSize characters, configs resolved: cells x seeds,
 * or for a sweep trials x cells x seeds, each trial's values over the base and the cell's overrides.
 */
export function planRuns(spec: ExperimentSpec, vocabSize: number): PlannedRun[] {
  const runs: PlannedRun[] = [];
  const trials: (RunTrial | null)[] = spec.sweep ? drawTrials(spec.sweep) : [null];
  for (const trial of trials) {
    for (const cell of spec.cells) {
      try {
        runs.push(...cellRuns(spec, cell, vocabSize, trial));
      } catch (e) {
        if (!(e instanceof ConfigError) || trial === null) throw e;
        throw new ConfigError(e.field, `${e.message.slice(e.field.length + 2)} in ${trialText(trial)} for ${cell}`);
      }
    }
  }
  return runs;
}

function cellRuns(spec: ExperimentSpec, cell: CellName, vocabSize: number, trial: RunTrial | null): PlannedRun[] {
  const o = spec.overrides[cell] ?? {};
  const t = trial ? trialSettings(trial.values) : { model: {}, train: {} };
  const base: ModelConfigInput = { ...spec.model, ...o.model, ...t.model, cell, vocabSize };
  const budget = (): number => (spec.budget.mode === 'hidden' ? spec.budget.hidden : hiddenForBudget(base, spec.budget.params));
  const hidden = t.hidden ?? (t.params !== undefined ? hiddenForBudget(base, t.params) : o.model?.hidden ?? budget());
  const model = modelConfig({ ...base, hidden });
  const first = spec.firstSeed ?? 1;
  const runs: PlannedRun[] = [];
  for (let seed = first; seed < first + spec.seeds; seed++) {
    const train = trainConfig({
      ...spec.train,
      ...o.train,
      ...t.train,
      optimizer: { ...spec.train.optimizer, ...o.train?.optimizer, ...t.train.optimizer },
      schedule: { ...spec.train.schedule, ...o.train?.schedule },
      seed,
    });
    runs.push({ cell, seed, model, train, params: parameterCount(model), trial });
  }
  return runs;
}

/** The hidden size whose parameter count is nearest the target; refused if that is not within 2%. */
export function hiddenForBudget(base: ModelConfigInput, target: number): number {
  const count = (H: number): number => parameterCount({ ...base, hidden: H });
  // the count grows with H: bisect for the first H at or above the target, then take the nearer
  let lo = 1;
  let hi = LIMITS.hidden;
  if (count(hi) < target) throw new ConfigError('params', `${target} parameters needs a hidden size above ${LIMITS.hidden} for ${base.cell}`);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (count(mid) < target) lo = mid + 1;
    else hi = mid;
  }
  const best = lo > 1 && target - count(lo - 1) < count(lo) - target ? lo - 1 : lo;
  const got = count(best);
  if (Math.abs(got - target) > 0.02 * target) {
    throw new ConfigError('params', `no hidden size gives ${base.cell} within 2% of ${target} parameters (nearest: hidden ${best} with ${got}); choose a larger budget`);
  }
  return best;
}
