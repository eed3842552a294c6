/**
 * The new-experiment form: its values, the spec they make, the lab's plan for it (parameter count
 * per cell, time estimate) fetched as the user types, and each refusal placed beside its field.
 */
import { computed, reactive } from 'vue';
import type { CellName, ExperimentSpecInput, ModelInfo } from '../../src-main/api/contract.ts';
import { useExperimentsStore } from '../stores/experiments.ts';
import { useModelsStore } from '../stores/models.ts';
import { useDebouncedWatch } from './use-debounced-watch.ts';

export const CELL_CHOICES: { cell: CellName; label: string }[] = [
  { cell: 'rnn', label: 'RNN (tanh)' },
  { cell: 'lstm', label: 'LSTM' },
  { cell: 'lstm-peephole', label: 'Peephole LSTM' },
  { cell: 'gru', label: 'GRU' },
  { cell: 'gru-reset-after', label: 'GRU, reset-after (PyTorch form)' },
];

export const OPTIMIZERS = ['adam', 'adamw', 'sgd', 'rmsprop', 'adagrad'] as const;

export interface ExperimentFormValues {
  corpusId: number | null;
  name: string;
  /** an imported model the runs start from (its cell and sizes), or null */
  initFromModelId: number | null;
  cells: CellName[];
  budgetMode: 'hidden' | 'params';
  hidden: number | string;
  params: number | string;
  layers: number | string;
  embedding: number | string;
  seqLen: number | string;
  batch: number | string;
  /** threads each run's step is split over */
  threads: number | string;
  optimizer: (typeof OPTIMIZERS)[number];
  lr: number | string;
  clip: number | string;
  dropout: number | string;
  steps: number | string;
  evalEvery: number | string;
  seeds: number | string;
}

export type FormField = 'corpusId' | 'initFrom' | 'cells' | 'hidden' | 'params' | 'layers' | 'embedding' | 'seqLen' | 'batch' | 'threads' | 'optimizer' | 'lr' | 'clip' | 'dropout' | 'steps' | 'evalEvery' | 'seeds';

/** the lab's field paths (as its invalid-config messages name them) -> the form's inputs */
const API_FIELDS: Record<string, FormField> = {
  initFrom: 'initFrom', 'initFrom.modelId': 'initFrom', cells: 'cells', cell: 'cells', hidden: 'hidden', params: 'params', layers: 'layers', embedding: 'embedding',
  dropout: 'dropout', seqLen: 'seqLen', batch: 'batch', threads: 'threads', steps: 'steps', clip: 'clip', seeds: 'seeds',
  'optimizer.lr': 'lr', 'optimizer.name': 'optimizer', 'cadence.evalEvery': 'evalEvery',
  'model.hidden': 'hidden', 'model.layers': 'layers', 'model.embedding': 'embedding', 'model.dropout': 'dropout',
  'train.seqLen': 'seqLen', 'train.batch': 'batch', 'train.threads': 'threads', 'train.steps': 'steps', 'train.clip': 'clip',
};

export function formFieldOf(apiField: string): FormField | null {
  return API_FIELDS[apiField] ?? null;
}

const NUMERIC: FormField[] = ['layers', 'embedding', 'seqLen', 'batch', 'threads', 'lr', 'clip', 'dropout', 'steps', 'evalEvery', 'seeds'];

export function defaultFormValues(corpusId: number | null = null): ExperimentFormValues {
  return {
    corpusId, name: '', initFromModelId: null, cells: ['rnn', 'lstm', 'gru'], budgetMode: 'hidden', hidden: 128, params: 100000,
    layers: 1, embedding: 0, seqLen: 64, batch: 32, threads: 1, optimizer: 'adam', lr: 0.002, clip: 5, dropout: 0,
    steps: 2000, evalEvery: 100, seeds: 1,
  };
}

/** the inputs an imported model decides (the form hides them while one is chosen) */
const FROM_MODEL: FormField[] = ['cells', 'hidden', 'params', 'layers', 'embedding'];

/** What the browser itself can tell: a box left empty or not a number. The lab checks the rest. */
export function localErrors(v: ExperimentFormValues): Partial<Record<FormField, string>> {
  const errors: Partial<Record<FormField, string>> = {};
  if (v.corpusId === null) errors.corpusId = 'Choose the text to train on (import one on the Corpora screen).';
  if (v.cells.length === 0) errors.cells = 'Choose at least one cell to train.';
  const numeric = [...NUMERIC, v.budgetMode === 'hidden' ? 'hidden' : 'params'] as FormField[];
  for (const f of numeric) {
    const raw = v[f as keyof ExperimentFormValues];
    if (raw === '' || raw === null || typeof raw !== 'number' || Number.isNaN(raw)) errors[f] = 'Enter a number.';
  }
  if (v.initFromModelId !== null) for (const f of FROM_MODEL) delete errors[f];
  return errors;
}

/** The spec of the form; with an imported model (`from`), its cell and sizes and initFrom. */
export function specOf(v: ExperimentFormValues, from?: ModelInfo): ExperimentSpecInput {
  const n = (x: number | string): number => Number(x);
  const train = { seqLen: n(v.seqLen), batch: n(v.batch), threads: n(v.threads), steps: n(v.steps), clip: n(v.clip), optimizer: { name: v.optimizer, lr: n(v.lr) } };
  const cadence = { evalEvery: n(v.evalEvery) };
  if (v.initFromModelId !== null) {
    const m = from?.config;
    return {
      cells: m ? [m.cell] : [],
      seeds: n(v.seeds),
      ...(m ? { budget: { mode: 'hidden' as const, hidden: m.hidden } } : {}),
      model: { ...(m ? { layers: m.layers, embedding: m.embedding } : {}), dropout: n(v.dropout) },
      train,
      cadence,
      initFrom: { modelId: v.initFromModelId },
    };
  }
  return {
    cells: [...v.cells],
    seeds: n(v.seeds),
    budget: v.budgetMode === 'hidden' ? { mode: 'hidden', hidden: n(v.hidden) } : { mode: 'params', params: n(v.params) },
    model: { layers: n(v.layers), embedding: n(v.embedding), dropout: n(v.dropout) },
    train,
    cadence,
  };
}

export function useExperimentForm(initialCorpusId: number | null, planDelayMs = 300) {
  const experiments = useExperimentsStore();
  const models = useModelsStore();
  if (!models.loaded) void models.load();
  const values = reactive<ExperimentFormValues>(defaultFormValues(initialCorpusId));
  /** the imported model chosen to start from */
  const fromModel = computed(() => models.byId(values.initFromModelId));
  const local = computed(() => localErrors(values));
  const spec = computed(() => specOf(values, fromModel.value));

  /** the message to show beside each field: the browser's own checks first, then the lab's */
  const errors = computed<Partial<Record<FormField, string>>>(() => {
    const out = { ...local.value };
    const fe = experiments.fieldError;
    if (fe) {
      const f = formFieldOf(fe.field);
      if (f && !out[f]) out[f] = fe.message;
    }
    return out;
  });

  /** a refusal that belongs to no single field */
  const generalError = computed<string | null>(() => {
    const fe = experiments.fieldError;
    if (fe && !formFieldOf(fe.field)) return `${fe.field}: ${fe.message}`;
    return experiments.formError;
  });

  // a chosen model must be in the list (its cell and sizes make the spec)
  const valid = computed(() => Object.keys(local.value).length === 0 && (values.initFromModelId === null || !!fromModel.value));

  useDebouncedWatch(() => JSON.stringify([values.corpusId, spec.value]), () => {
    if (!valid.value || values.corpusId === null) {
      experiments.clearPlan();
      return;
    }
    void experiments.planFor(values.corpusId, spec.value);
  }, planDelayMs);

  async function submit(start: boolean): Promise<boolean> {
    if (!valid.value || values.corpusId === null) return false;
    const created = await experiments.create(values.corpusId, spec.value, { name: values.name.trim() || undefined, start });
    return created !== null;
  }

  return { values, spec, fromModel, errors, generalError, valid, submit };
}
