/**
 * Model and training configuration, with validation that names the field and the allowed range.
 * Every error the engine raises for bad input is a ConfigError (or a ModelFileError for files).
 */
import { inRange, LIMITS, MIN_VOCAB, SETTING_RANGES as R, type Range } from '../../src-shared/limits.ts';
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

export function modelConfig(input: ModelConfigInput): ModelConfig {
  const c: ModelConfig = { ...DEFAULT_MODEL, ...input };
  checkKeys('model', c, Object.keys({ ...DEFAULT_MODEL, vocabSize: 0 }));
  if (!CELL_NAMES.includes(c.cell)) {
    throw new ConfigError('cell', `unknown cell ${JSON.stringify(c.cell)}; allowed: ${CELL_NAMES.join(', ')}`);
  }
  checkRange('vocabSize', c.vocabSize, { whole: true, min: MIN_VOCAB, max: LIMITS.vocab });
  checkRange('hidden', c.hidden, R.hidden);
  checkRange('layers', c.layers, R.layers);
  checkRange('embedding', c.embedding, R.embedding, ' (0 = one-hot input)');
  checkRange('dropout', c.dropout, R.dropout);
  if (c.init !== 'pytorch' && c.init !== 'char-rnn') {
    throw new ConfigError('init', `unknown scheme ${JSON.stringify(c.init)}; allowed: pytorch, char-rnn`);
  }
  checkRange('forgetBias', c.forgetBias, { min: -100, max: 100 });
  return c;
}

export function trainConfig(input: TrainConfigInput = {}): TrainConfig {
  const optimizer: OptimizerConfig = { ...DEFAULT_OPTIMIZER, ...input.optimizer };
  const schedule: ScheduleConfig = { ...DEFAULT_SCHEDULE, ...input.schedule };
  const c: TrainConfig = { ...DEFAULT_TRAIN, ...input, optimizer, schedule };
  checkKeys('train', c, Object.keys(DEFAULT_TRAIN));
  checkKeys('optimizer', optimizer, Object.keys(DEFAULT_OPTIMIZER));
  checkKeys('schedule', schedule, Object.keys(DEFAULT_SCHEDULE));
  checkRange('seqLen', c.seqLen, R.seqLen);
  checkRange('batch', c.batch, R.batch);
  checkRange('steps', c.steps, R.steps);
  checkRange('clip', c.clip, R.clip, ' (0 = no clipping)');
  checkRange('seed', c.seed, { whole: true, min: 0, max: Number.MAX_SAFE_INTEGER });
  checkRange('threads', c.threads, { ...R.threads, max: Math.min(R.threads.max, c.batch) }, ' (each thread takes at least one of the batch\'s streams)');
  const names: OptimizerName[] = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'];
  if (!names.includes(optimizer.name)) {
    throw new ConfigError('optimizer.name', `unknown optimizer ${JSON.stringify(optimizer.name)}; allowed: ${names.join(', ')}`);
  }
  checkRange('optimizer.lr', optimizer.lr, R.lr);
  checkRange('optimizer.momentum', optimizer.momentum, UNIT_OPEN);
  checkRange('optimizer.beta1', optimizer.beta1, UNIT_OPEN);
  checkRange('optimizer.beta2', optimizer.beta2, UNIT_OPEN);
  checkRange('optimizer.eps', optimizer.eps, { min: 0, max: 1, minOpen: true });
  checkRange('optimizer.weightDecay', optimizer.weightDecay, R.weightDecay);
  checkRange('optimizer.alpha', optimizer.alpha, UNIT_OPEN);
  const schedules: ScheduleName[] = ['constant', 'step', 'cosine'];
  if (!schedules.includes(schedule.name)) {
    throw new ConfigError('schedule.name', `unknown schedule ${JSON.stringify(schedule.name)}; allowed: ${schedules.join(', ')}`);
  }
  checkRange('schedule.stepSize', schedule.stepSize, R.stepSize);
  checkRange('schedule.gamma', schedule.gamma, R.gamma);
  checkRange('schedule.minLr', schedule.minLr, { ...R.minLr, max: Math.min(R.minLr.max, optimizer.lr) });
  checkRange('schedule.warmup', schedule.warmup, R.warmup);
  return c;
}

function checkKeys(where: string, obj: object, allowed: string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new ConfigError(`${where}.${key}`, `unknown setting; allowed: ${allowed.join(', ')}`);
  }
}

/** [0, 1): momentum, the betas and RMSProp's alpha */
const UNIT_OPEN: Range = { min: 0, max: 1, maxOpen: true };

/** Throws a ConfigError naming the field and the range unless v lies in it. */
export function checkRange(field: string, v: unknown, r: Range, note = ''): void {
  if (inRange(v, r)) return;
  const range = r.whole
    ? `a whole number from ${r.min} to ${r.max}`
    : `a finite number in ${r.minOpen ? '(' : '['}${r.min}, ${r.max}${r.maxOpen ? ')' : ']'}`;
  throw new ConfigError(field, `must be ${range}${note}, got ${String(v)}`);
}
