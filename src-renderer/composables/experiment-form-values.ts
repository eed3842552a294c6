/**
 * The new-experiment form's values as the user typed them, their defaults, and the spec they make.
 * Number boxes hold a number, or '' while empty (what v-model.number gives), so the rules can say
 * "Enter a number." instead of sending NaN.
 */
import type { CellName, ExperimentSpecInput, ModelConfig, ModelInfo, SweepParamName, SweepSpec, TrainConfig } from '../../src-main/api/contract.ts';

export const CELL_CHOICES: { cell: CellName; label: string }[] = [
  { cell: 'rnn', label: 'RNN (tanh)' },
  { cell: 'lstm', label: 'LSTM' },
  { cell: 'lstm-peephole', label: 'Peephole LSTM' },
  { cell: 'gru', label: 'GRU' },
  { cell: 'gru-reset-after', label: 'GRU, reset-after (PyTorch form)' },
];

export type OptimizerName = TrainConfig['optimizer']['name'];
export type ScheduleName = TrainConfig['schedule']['name'];
export type InitScheme = ModelConfig['init'];

export const OPTIMIZERS: readonly OptimizerName[] = ['adam', 'adamw', 'sgd', 'rmsprop', 'adagrad'];

/** the schedules the form offers; their names are the catalogue's (NewExperimentFormAdvanced.vue) */
export const SCHEDULES: readonly ScheduleName[] = ['constant', 'step', 'cosine'];

export const INIT_SCHEMES: readonly { value: InitScheme; label: string }[] = [
  { value: 'pytorch', label: 'PyTorch: U(±1/√H)' },
  { value: 'char-rnn', label: 'char-rnn: U(±0.08)' },
];

/** a number box's value: a number, or '' while it is empty */
export type NumberInput = number | string;

/** One swept setting as typed (experiment-form-sweep.ts reads it). */
export interface SweepRowValues {
  name: SweepParamName;
  /** a range drawn on a scale, or a list of values */
  kind: 'range' | 'values';
  scale: 'log' | 'linear';
  min: NumberInput;
  max: NumberInput;
  /** a grid's points on the range */
  points: NumberInput;
  /** the values, comma-separated as typed */
  list: string;
}

export interface SweepFormValues {
  on: boolean;
  search: 'random' | 'grid';
  /** random search: how many trials are drawn */
  trials: NumberInput;
  drawSeed: NumberInput;
  halving: boolean;
  eta: NumberInput;
  /** the first rung, in steps */
  minSteps: NumberInput;
  rows: SweepRowValues[];
}

export interface ExperimentFormValues {
  corpusId: number | null;
  name: string;
  /** an imported model the runs start from (its cell and sizes), or null */
  initFromModelId: number | null;
  cells: CellName[];
  budgetMode: 'hidden' | 'params';
  hidden: NumberInput;
  params: NumberInput;
  layers: NumberInput;
  embedding: NumberInput;
  seqLen: NumberInput;
  batch: NumberInput;
  /** threads each run's step is split over */
  threads: NumberInput;
  optimizer: OptimizerName;
  lr: NumberInput;
  clip: NumberInput;
  dropout: NumberInput;
  steps: NumberInput;
  evalEvery: NumberInput;
  seeds: NumberInput;
  schedule: ScheduleName;
  /** step decay: multiply the rate by gamma every stepSize steps */
  stepSize: NumberInput;
  gamma: NumberInput;
  /** cosine: the rate it ends at */
  minLr: NumberInput;
  warmup: NumberInput;
  init: InitScheme;
  weightDecay: NumberInput;
  sampleEvery: NumberInput;
  checkpointEvery: NumberInput;
  /** off by default; on, the experiment is a sweep */
  sweep: SweepFormValues;
}

/** The number boxes, by their key in the values. */
export type NumberField = { [K in keyof ExperimentFormValues]: ExperimentFormValues[K] extends NumberInput ? (NumberInput extends ExperimentFormValues[K] ? K : never) : never }[keyof ExperimentFormValues];

/** The halving's default eta (Li et al.'s ASHA and Hyperband use 3). */
const ETA = 3;

/**
 * The first rung the form proposes: the largest multiple of the evaluation interval at most
 * steps / eta², so there are about three rungs before the end (200, 600, 1800 of 2,000 steps at
 * eta 3), and never less than one interval (a rung is an evaluation).
 */
export function defaultMinSteps(steps: NumberInput, evalEvery: NumberInput, eta: NumberInput): NumberInput {
  const [s, e, k] = [Number(steps), Number(evalEvery), Number(eta)];
  if (!(s > 0 && e > 0 && k > 1)) return e > 0 ? e : '';
  return e * Math.max(1, Math.floor(s / (k * k) / e));
}

export function defaultSweepValues(steps: NumberInput, evalEvery: NumberInput): SweepFormValues {
  return { on: false, search: 'random', trials: 12, drawSeed: 1, halving: false, eta: ETA, minSteps: defaultMinSteps(steps, evalEvery, ETA), rows: [] };
}

/** The engine's and the lab's defaults for the settings they have (schedule, init, cadence), and the form's own sizes. */
export function defaultFormValues(corpusId: number | null = null): ExperimentFormValues {
  const steps = 2000;
  const evalEvery = 100;
  return {
    corpusId, name: '', initFromModelId: null, cells: ['rnn', 'lstm', 'gru'], budgetMode: 'hidden', hidden: 128, params: 100000,
    layers: 1, embedding: 0, seqLen: 64, batch: 32, threads: 1, optimizer: 'adam', lr: 0.002, clip: 5, dropout: 0,
    steps, evalEvery, seeds: 1,
    schedule: 'constant', stepSize: 1000, gamma: 0.5, minLr: 0, warmup: 0, init: 'pytorch', weightDecay: 0,
    sampleEvery: 0, checkpointEvery: 200, sweep: defaultSweepValues(steps, evalEvery),
  };
}

/** The schedule's settings: warm-up always, the rest only those the chosen schedule reads. */
function scheduleOf(v: ExperimentFormValues): NonNullable<NonNullable<ExperimentSpecInput['train']>['schedule']> {
  const n = Number;
  if (v.schedule === 'step') return { name: 'step', warmup: n(v.warmup), stepSize: n(v.stepSize), gamma: n(v.gamma) };
  if (v.schedule === 'cosine') return { name: 'cosine', warmup: n(v.warmup), minLr: n(v.minLr) };
  return { name: 'constant', warmup: n(v.warmup) };
}

/** The spec of the form; with an imported model (`from`), its cell and sizes and initFrom; with a sweep, the sweep. */
export function specOf(v: ExperimentFormValues, from?: ModelInfo, sweep?: SweepSpec | null): ExperimentSpecInput {
  const n = Number;
  const train = {
    seqLen: n(v.seqLen), batch: n(v.batch), threads: n(v.threads), steps: n(v.steps), clip: n(v.clip),
    optimizer: { name: v.optimizer, lr: n(v.lr), weightDecay: n(v.weightDecay) },
    schedule: scheduleOf(v),
  };
  const cadence = { evalEvery: n(v.evalEvery), sampleEvery: n(v.sampleEvery), checkpointEvery: n(v.checkpointEvery) };
  if (v.initFromModelId !== null) {
    // the model's weights are the start, so it decides the sizes and there is nothing to initialise
    const m = from?.config;
    return {
      cells: m ? [m.cell] : [],
      seeds: n(v.seeds),
      ...(m ? { budget: { mode: 'hidden' as const, hidden: m.hidden } } : {}),
      model: { ...(m ? { layers: m.layers, embedding: m.embedding } : {}), dropout: n(v.dropout) },
      train,
      cadence,
      initFrom: { modelId: v.initFromModelId },
      ...(sweep ? { sweep } : {}),
    };
  }
  return {
    cells: [...v.cells],
    seeds: n(v.seeds),
    budget: v.budgetMode === 'hidden' ? { mode: 'hidden', hidden: n(v.hidden) } : { mode: 'params', params: n(v.params) },
    model: { layers: n(v.layers), embedding: n(v.embedding), dropout: n(v.dropout), init: v.init },
    train,
    cadence,
    ...(sweep ? { sweep } : {}),
  };
}
