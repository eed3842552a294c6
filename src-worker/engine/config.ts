/**
 * Model and training configuration, with validation that names the field and the allowed range.
 * Every error the engine raises for bad input is a ConfigError (or a ModelFileError for files).
 */
import { CELL_NAMES, type CellName } from './cells/index.ts';

export class ConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type InitScheme = 'pytorch' | 'char-rnn';

export interface ModelConfig {
  cell: CellName;
  /** V: number of distinct characters */
  vocabSize: number;
  /** H */
  hidden: number;
  /** L, 1 to 4 */
  layers: number;
  /** E; 0 means one-hot input (E = V, as a row gather) */
  embedding: number;
  /** dropout probability on the outputs of every layer but the last (PyTorch's placement) */
  dropout: number;
  /** 'pytorch': U(-1/sqrt(H), 1/sqrt(H)) like torch.nn; 'char-rnn': U(-0.08, 0.08) */
  init: InitScheme;
  /** initial forget-gate bias of the LSTMs (b_x's f block; b_h's stays 0) */
  forgetBias: number;
}

export type OptimizerName = 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';
export type ScheduleName = 'constant' | 'step' | 'cosine';

export interface OptimizerConfig {
  name: OptimizerName;
  lr: number;
  /** SGD momentum (0 = plain SGD) */
  momentum: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** L2 penalty added to the gradient, or decoupled decay for adamw */
  weightDecay: number;
  /** RMSProp smoothing constant */
  alpha: number;
}

export interface ScheduleConfig {
  name: ScheduleName;
  /** step decay: multiply by gamma every stepSize steps */
  stepSize: number;
  gamma: number;
  /** cosine: anneal from lr to minLr over the run's steps */
  minLr: number;
  /** linear warm-up steps (any schedule) */
  warmup: number;
}

export interface TrainConfig {
  /** T: characters per window (truncated BPTT length) */
  seqLen: number;
  /** B: parallel streams */
  batch: number;
  /** total optimizer steps of the run */
  steps: number;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  /** clip the gradient's global norm to this; 0 = no clipping */
  clip: number;
  seed: number;
  /**
   * threads one step runs on: the B streams are split into this many contiguous shards, each
   * thread runs forward and backward on its own, and their gradients are summed in a fixed order
   * (so a seed and a thread count give the same bits every time)
   */
  threads: number;
}

export const DEFAULT_MODEL: Omit<ModelConfig, 'vocabSize'> = {
  cell: 'gru',
  hidden: 128,
  layers: 1,
  embedding: 0,
  dropout: 0,
  init: 'pytorch',
  forgetBias: 1,
};

export const DEFAULT_OPTIMIZER: OptimizerConfig = {
  name: 'adam',
  lr: 2e-3,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
  alpha: 0.99,
};

export const DEFAULT_SCHEDULE: ScheduleConfig = { name: 'constant', stepSize: 1000, gamma: 0.5, minLr: 0, warmup: 0 };

export const DEFAULT_TRAIN: TrainConfig = {
  seqLen: 64,
  batch: 32,
  steps: 1000,
  optimizer: DEFAULT_OPTIMIZER,
  schedule: DEFAULT_SCHEDULE,
  clip: 5,
  seed: 1,
  threads: 1,
};

export type ModelConfigInput = Partial<ModelConfig> & Pick<ModelConfig, 'vocabSize'>;
export interface TrainConfigInput extends Partial<Omit<TrainConfig, 'optimizer' | 'schedule'>> {
  optimizer?: Partial<OptimizerConfig>;
  schedule?: Partial<ScheduleConfig>;
}

/** Largest sizes we accept: beyond them a typo would allocate gigabytes. */
export const LIMITS = { vocab: 65536, hidden: 8192, embedding: 8192, layers: 4, seqLen: 100000, batch: 4096, threads: 64 };

export function modelConfig(input: ModelConfigInput): ModelConfig {
  const c: ModelConfig = { ...DEFAULT_MODEL, ...input };
  checkKeys('model', c, Object.keys({ ...DEFAULT_MODEL, vocabSize: 0 }));
  if (!CELL_NAMES.includes(c.cell)) {
    throw new ConfigError('cell', `unknown cell ${JSON.stringify(c.cell)}; allowed: ${CELL_NAMES.join(', ')}`);
  }
  wholeNumber('vocabSize', c.vocabSize, 2, LIMITS.vocab);
  wholeNumber('hidden', c.hidden, 1, LIMITS.hidden);
  wholeNumber('layers', c.layers, 1, LIMITS.layers);
  wholeNumber('embedding', c.embedding, 0, LIMITS.embedding, ' (0 = one-hot input)');
  realNumber('dropout', c.dropout, 0, 1, false);
  if (c.init !== 'pytorch' && c.init !== 'char-rnn') {
    throw new ConfigError('init', `unknown scheme ${JSON.stringify(c.init)}; allowed: pytorch, char-rnn`);
  }
  realNumber('forgetBias', c.forgetBias, -100, 100, true);
  return c;
}

export function trainConfig(input: TrainConfigInput = {}): TrainConfig {
  const optimizer: OptimizerConfig = { ...DEFAULT_OPTIMIZER, ...input.optimizer };
  const schedule: ScheduleConfig = { ...DEFAULT_SCHEDULE, ...input.schedule };
  const c: TrainConfig = { ...DEFAULT_TRAIN, ...input, optimizer, schedule };
  checkKeys('train', c, Object.keys(DEFAULT_TRAIN));
  checkKeys('optimizer', optimizer, Object.keys(DEFAULT_OPTIMIZER));
  checkKeys('schedule', schedule, Object.keys(DEFAULT_SCHEDULE));
  wholeNumber('seqLen', c.seqLen, 1, LIMITS.seqLen);
  wholeNumber('batch', c.batch, 1, LIMITS.batch);
  wholeNumber('steps', c.steps, 1, Number.MAX_SAFE_INTEGER);
  realNumber('clip', c.clip, 0, Infinity, true, ' (0 = no clipping)');
  wholeNumber('seed', c.seed, 0, Number.MAX_SAFE_INTEGER);
  wholeNumber('threads', c.threads, 1, Math.min(LIMITS.threads, c.batch), ' (each thread takes at least one of the batch\'s streams)');
  const names: OptimizerName[] = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'];
  if (!names.includes(optimizer.name)) {
    throw new ConfigError('optimizer.name', `unknown optimizer ${JSON.stringify(optimizer.name)}; allowed: ${names.join(', ')}`);
  }
  realNumber('optimizer.lr', optimizer.lr, 0, 10, true, '', true);
  realNumber('optimizer.momentum', optimizer.momentum, 0, 1, false);
  realNumber('optimizer.beta1', optimizer.beta1, 0, 1, false);
  realNumber('optimizer.beta2', optimizer.beta2, 0, 1, false);
  realNumber('optimizer.eps', optimizer.eps, 0, 1, true, '', true);
  realNumber('optimizer.weightDecay', optimizer.weightDecay, 0, 1, true);
  realNumber('optimizer.alpha', optimizer.alpha, 0, 1, false);
  const schedules: ScheduleName[] = ['constant', 'step', 'cosine'];
  if (!schedules.includes(schedule.name)) {
    throw new ConfigError('schedule.name', `unknown schedule ${JSON.stringify(schedule.name)}; allowed: ${schedules.join(', ')}`);
  }
  wholeNumber('schedule.stepSize', schedule.stepSize, 1, Number.MAX_SAFE_INTEGER);
  realNumber('schedule.gamma', schedule.gamma, 0, 1, true, '', true);
  realNumber('schedule.minLr', schedule.minLr, 0, optimizer.lr, true);
  wholeNumber('schedule.warmup', schedule.warmup, 0, Number.MAX_SAFE_INTEGER);
  return c;
}

function checkKeys(where: string, obj: object, allowed: string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new ConfigError(`${where}.${key}`, `unknown setting; allowed: ${allowed.join(', ')}`);
  }
}

function wholeNumber(field: string, v: unknown, min: number, max: number, note = ''): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(field, `must be a whole number from ${min} to ${max}${note}, got ${String(v)}`);
  }
}

/** A finite number in [min, max] or [min, max) (maxInclusive false); minExclusive for (min, ...]. */
function realNumber(field: string, v: unknown, min: number, max: number, maxInclusive: boolean, note = '', minExclusive = false): void {
  const ok = typeof v === 'number' && Number.isFinite(v) &&
    (minExclusive ? v > min : v >= min) && (maxInclusive ? v <= max : v < max);
  if (!ok) {
    const range = `${minExclusive ? '(' : '['}${min}, ${max}${maxInclusive ? ']' : ')'}`;
    throw new ConfigError(field, `must be a finite number in ${range}${note}, got ${String(v)}`);
  }
}
