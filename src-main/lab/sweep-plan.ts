/**
 * A sweep's spec checked and filled in (a grid's points made explicit, so the stored spec says what
 * ran), and a trial's values as the config settings they replace (src-shared/sweep/params.ts).
 */
import { checkRange, ConfigError, DEFAULT_TRAIN, type ModelConfig, type TrainConfigInput } from '../../src-worker/engine/config.ts';
import { LIMITS, SETTING_RANGES } from '../../src-shared/limits.ts';
import { gridPoints } from '../../src-shared/sweep/draw.ts';
import { isSweepParamName, SWEEP_PARAM_NAMES, sweepRangeProblem, sweepRangesProblem, type SweepRange, type SweepValue } from '../../src-shared/sweep/params.ts';
import type { ExperimentSpec, SweepSpec } from '../api/types.ts';

/** The sweep of a spec checked field by field (ConfigError naming it), a grid's points filled in and its trials counted. */
export function sweepSpec(spec: ExperimentSpec): SweepSpec {
  const s = spec.sweep as SweepSpec;
  if (s === null || typeof s !== 'object') throw new ConfigError('sweep', 'must be an object with search, trials, drawSeed, ranges and halving');
  if (s.search !== 'grid' && s.search !== 'random') throw new ConfigError('sweep.search', `must be "grid" or "random", got ${JSON.stringify(s.search)}`);
  checkRange('sweep.trials', s.trials, { whole: true, min: 1, max: LIMITS.trials });
  checkRange('sweep.drawSeed', s.drawSeed, SETTING_RANGES.firstSeed);
  if (!Array.isArray(s.ranges) || s.ranges.length === 0) throw new ConfigError('sweep.ranges', 'give at least one range');
  s.ranges.forEach((r, i) => {
    const field = `sweep.ranges[${i}]`;
    if (r === null || typeof r !== 'object' || !isSweepParamName(r.name)) throw new ConfigError(`${field}.name`, `must be one of ${SWEEP_PARAM_NAMES.join(', ')}`);
    const problem = sweepRangeProblem(r);
    if (problem !== null) throw new ConfigError(`${field} (${r.name})`, problem);
  });
  const together = sweepRangesProblem(s.ranges);
  if (together !== null) throw new ConfigError('sweep.ranges', together);
  if (spec.initFrom && s.ranges.some((r) => r.name === 'hidden' || r.name === 'params' || r.name === 'layers')) {
    throw new ConfigError('sweep.ranges', 'runs started from an imported model keep its hidden size and layers; sweep other settings');
  }
  const grid = s.search === 'grid' ? gridPoints(s.ranges, s.trials) : null;
  const ranges: SweepRange[] = grid ? s.ranges.map((r, i) => ('values' in r ? r : { ...r, points: grid[i].length })) : s.ranges;
  const trials = s.search === 'grid' ? ranges.reduce((n, r) => n * ('values' in r ? r.values.length : r.points!), 1) : s.trials;
  const runs = spec.cells.length * trials * spec.seeds;
  if (runs > LIMITS.runs) {
    throw new ConfigError('sweep.trials', `${spec.cells.length} cells x ${trials} trials x ${spec.seeds} seeds make ${runs} runs; an experiment may have at most ${LIMITS.runs}`);
  }
  return { search: s.search, trials, drawSeed: s.drawSeed, ranges, halving: halvingRule(spec, s.halving) };
}

function halvingRule(spec: ExperimentSpec, h: SweepSpec['halving']): SweepSpec['halving'] {
  if (h === null) return null;
  if (typeof h !== 'object') throw new ConfigError('sweep.halving', 'must be {eta, minSteps} or null');
  checkRange('sweep.halving.eta', h.eta, { whole: true, min: 2, max: 100 });
  const every = spec.cadence.evalEvery;
  checkRange('sweep.halving.minSteps', h.minSteps, { whole: true, min: 1, max: LIMITS.steps });
  if (h.minSteps % every !== 0) throw new ConfigError('sweep.halving.minSteps', `must be a multiple of cadence.evalEvery (${every}): a rung is an evaluation, got ${h.minSteps}`);
  for (const cell of spec.cells) {
    const steps = spec.overrides[cell]?.train?.steps ?? spec.train.steps ?? DEFAULT_TRAIN.steps;
    if (h.minSteps >= steps) throw new ConfigError('sweep.halving.minSteps', `must be below the ${cell} runs' ${steps} steps, got ${h.minSteps}`);
  }
  return { eta: h.eta, minSteps: h.minSteps };
}

/** What a trial's values replace: model and train settings, and the hidden size or the budget it is chosen by. */
export interface TrialSettings {
  model: Partial<Pick<ModelConfig, 'layers' | 'dropout' | 'forgetBias'>>;
  train: Omit<TrainConfigInput, 'seed'>;
  hidden?: number;
  params?: number;
}

export function trialSettings(values: Record<string, SweepValue>): TrialSettings {
  const out: TrialSettings = { model: {}, train: {} };
  const optimizer: NonNullable<TrainConfigInput['optimizer']> = {};
  for (const [name, x] of Object.entries(values)) {
    if (name === 'optimizer') optimizer.name = x as NonNullable<typeof optimizer.name>;
    else if (name === 'lr' || name === 'weightDecay') optimizer[name] = x as number;
    else if (name === 'layers' || name === 'dropout' || name === 'forgetBias') out.model[name] = x as number;
    else if (name === 'clip' || name === 'seqLen' || name === 'batch') out.train[name] = x as number;
    else if (name === 'hidden' || name === 'params') out[name] = x as number;
  }
  if (Object.keys(optimizer).length > 0) out.train.optimizer = optimizer;
  return out;
}

/** A trial as its values read: "trial 3 (lr=0.001, dropout=0.1)". */
export function trialText(trial: { index: number; values: Record<string, SweepValue> }): string {
  return `trial ${trial.index} (${Object.entries(trial.values).map(([k, x]) => `${k}=${x}`).join(', ')})`;
}
