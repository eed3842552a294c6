// The new-experiment form's own checks, hints, mapping of the lab's refusals, memory and notes.
import { describe, expect, it } from 'vitest';
import type { CellName, CorpusMeta } from '../../src-main/api/contract.ts';
import { recallSettings, rememberSettings } from '../../src-renderer/composables/experiment-form-memory.ts';
import { SUGGESTED_EMBEDDING, torchNotes, vocabularyShares } from '../../src-renderer/composables/experiment-form-notes.ts';
import {
  formFieldOf, hintOf, isShown, labelOf, NUMBER_GROUPS, rangeOf, rangeText, shownNumberFields, userMessage, validateForm, type FormContext, type FormField,
} from '../../src-renderer/composables/experiment-form-rules.ts';
import { defaultFormValues, type ExperimentFormValues, type NumberField } from '../../src-renderer/composables/experiment-form-values.ts';
import { CELL_CATALOGUE } from '../../src-shared/cells.ts';
import { CADENCE_MIN, LIMITS, SETTING_RANGES, type Range } from '../../src-shared/limits.ts';
import { CELL_NAMES } from '../../src-worker/engine/cells/index.ts';
import { paramLayout } from '../../src-worker/engine/param-layout.ts';
import { modelConfig } from '../../src-worker/engine/config.ts';

const NO_CONTEXT: FormContext = { corpus: null, workers: null };
const ALL_NUMBERS: NumberField[] = Object.values(NUMBER_GROUPS).flat();

/** the form's values with this field shown (its schedule chosen) and a batch wide enough for every thread count */
function valuesFor(field: NumberField, over: Partial<ExperimentFormValues> = {}): ExperimentFormValues {
  const v = { ...defaultFormValues(1), batch: LIMITS.batch, ...over };
  if (field === 'params') v.budgetMode = 'params';
  if (field === 'stepSize' || field === 'gamma') v.schedule = 'step';
  if (field === 'minLr') v.schedule = 'cosine';
  return v;
}

/** values just inside and just outside a range */
function edges(r: Range): { ok: number[]; bad: number[] } {
  const ok: number[] = [];
  const bad: number[] = [r.min - (r.whole ? 1 : 1e-6)];
  (r.minOpen ? bad : ok).push(r.min);
  if (Number.isFinite(r.max)) {
    (r.maxOpen ? bad : ok).push(r.max);
    bad.push(r.max + (r.whole ? 1 : 1e-6));
  }
  if (r.whole) bad.push(r.min + 0.5);
  return { ok, bad };
}

describe('the form\'s limits', () => {
  it('are the shared limits the engine and the lab check', () => {
    const shared: Record<string, Range> = SETTING_RANGES;
    for (const f of ALL_NUMBERS) {
      const { range } = rangeOf(f, valuesFor(f, { lr: '' }), NO_CONTEXT);
      if (f in shared) expect(range, f).toEqual(shared[f]);
      else expect(range, f).toEqual({ whole: true, min: CADENCE_MIN[f as keyof typeof CADENCE_MIN], max: LIMITS.steps });
    }
  });

  it.each(ALL_NUMBERS)('%s: accepts its range\'s ends, refuses just beyond them, and its hint states the range its error states', (f) => {
    const v = valuesFor(f);
    const { range } = rangeOf(f, v, NO_CONTEXT);
    const text = rangeText(range);
    expect(hintOf(f, v, NO_CONTEXT).startsWith(text[0].toUpperCase() + text.slice(1) + ' (')).toBe(true);
    const { ok, bad } = edges(range);
    for (const x of ok) expect(validateForm({ ...v, [f]: x }, NO_CONTEXT), `${f} = ${x}`).toEqual({});
    const why = f === 'minLr' ? ' (at most the learning rate)' : '';
    for (const x of bad) expect(validateForm({ ...v, [f]: x }, NO_CONTEXT), `${f} = ${x}`).toEqual({ [f]: `${labelOf(f)} must be ${text}${why}.` });
    expect(validateForm({ ...v, [f]: '' }, NO_CONTEXT)).toEqual({ [f]: 'Enter a number.' });
  });

  it('says ranges in words', () => {
    expect(rangeText(SETTING_RANGES.hidden)).toBe('a whole number from 1 to 8,192');
    expect(rangeText(SETTING_RANGES.dropout)).toBe('at least 0 and less than 1');
    expect(rangeText(SETTING_RANGES.lr)).toBe('more than 0 and at most 10');
    expect(rangeText(SETTING_RANGES.weightDecay)).toBe('a number from 0 to 1');
    expect(rangeText(SETTING_RANGES.clip)).toBe('0 or more');
    expect(rangeText({ min: 0, max: Infinity, minOpen: true })).toBe('more than 0');
  });

  it('narrows threads to the batch and the lab\'s cores, and the final cosine rate to the learning rate', () => {
    const v = { ...defaultFormValues(1), batch: 8, threads: 9 };
    expect(validateForm(v, NO_CONTEXT).threads).toBe("Threads per run must be a whole number from 1 to 8 (each thread takes at least one of the batch's streams).");
    expect(validateForm({ ...v, threads: 3 }, { corpus: null, workers: 2 }).threads).toBe('Threads per run must be a whole number from 1 to 2 (this lab trains on 2 threads, one per core).');
    expect(validateForm({ ...v, threads: 2 }, { corpus: null, workers: 2 })).toEqual({});
    const cosine = { ...defaultFormValues(1), schedule: 'cosine' as const, lr: 0.01, minLr: 0.01 };
    expect(validateForm(cosine, NO_CONTEXT)).toEqual({});
    expect(validateForm({ ...cosine, minLr: 0.011 }, NO_CONTEXT).minLr).toBe('Final learning rate must be a number from 0 to 0.01 (at most the learning rate).');
  });

  it('refuses everything wrong at once, each under its own box', () => {
    const v = { ...defaultFormValues(null), cells: [], hidden: 0, dropout: 1.5, lr: -0.01, steps: '' };
    expect(validateForm(v, NO_CONTEXT)).toEqual({
      corpusId: 'Choose the text to train on (import one on the Corpora screen).',
      cells: 'Choose at least one cell to train.',
      hidden: 'Hidden size must be a whole number from 1 to 8,192.',
      dropout: 'Dropout must be at least 0 and less than 1.',
      lr: 'Learning rate must be more than 0 and at most 10.',
      steps: 'Enter a number.',
    });
  });

  it('checks only the boxes it shows: the budget mode\'s, the schedule\'s, and no sizes when an imported model decides them', () => {
    const v = { ...defaultFormValues(1), params: 0, stepSize: 0, minLr: -1 };
    expect(validateForm(v, NO_CONTEXT)).toEqual({});
    expect(Object.keys(validateForm({ ...v, budgetMode: 'params' }, NO_CONTEXT))).toEqual(['params']);
    expect(Object.keys(validateForm({ ...v, schedule: 'step' }, NO_CONTEXT))).toEqual(['stepSize']);
    expect(Object.keys(validateForm({ ...v, schedule: 'cosine' }, NO_CONTEXT))).toEqual(['minLr']);
    const fromModel = { ...defaultFormValues(1), initFromModelId: 3, cells: [], hidden: 0, layers: 0, embedding: -1 };
    expect(validateForm(fromModel, NO_CONTEXT)).toEqual({});
    expect(shownNumberFields(fromModel, 'model')).toEqual(['dropout']);
  });

  it('needs the batch\'s windows to fit the training text, as the lab does', () => {
    const corpus = { id: 1, name: 'tiny', sha256: 'x', chars: 1000, validFraction: 0.1 } as CorpusMeta;
    const v = { ...defaultFormValues(1), batch: 13, seqLen: 64 };
    // 900 training characters; 13 x 64 + 64 = 896 fit, 14 x 64 + 64 = 960 do not
    expect(validateForm(v, { corpus, workers: null })).toEqual({});
    expect(validateForm({ ...v, batch: 14 }, { corpus, workers: null })).toEqual({
      seqLen: '"tiny" has 900 characters for training; a batch of 14 windows of 64 characters needs at least 960. Shorten the sequence or the batch.',
    });
  });
});

describe('the lab\'s refusals', () => {
  it('map to the box they name, from the engine, the lab and the request schema', () => {
    const cases: [string, FormField][] = [
      ['hidden', 'hidden'], ['spec.budget.hidden', 'hidden'], ['model.hidden', 'hidden'], ['spec.budget.params', 'params'], ['params', 'params'],
      ['spec.model.layers', 'layers'], ['spec.model.embedding', 'embedding'], ['dropout', 'dropout'], ['spec.model.dropout', 'dropout'], ['init', 'init'],
      ['seqLen', 'seqLen'], ['spec.train.seqLen', 'seqLen'], ['train.threads', 'threads'], ['threads', 'threads'], ['batch', 'batch'], ['steps', 'steps'], ['clip', 'clip'],
      ['optimizer.lr', 'lr'], ['spec.train.optimizer.lr', 'lr'], ['optimizer.name', 'optimizer'], ['optimizer.weightDecay', 'weightDecay'],
      ['schedule.name', 'schedule'], ['schedule.stepSize', 'stepSize'], ['spec.train.schedule.gamma', 'gamma'], ['schedule.minLr', 'minLr'], ['schedule.warmup', 'warmup'],
      ['cadence.evalEvery', 'evalEvery'], ['spec.cadence.sampleEvery', 'sampleEvery'], ['cadence.checkpointEvery', 'checkpointEvery'],
      ['spec.seeds', 'seeds'], ['cells', 'cells'], ['spec.cells', 'cells'], ['initFrom', 'initFrom'], ['initFrom.modelId', 'initFrom'], ['corpusId', 'corpusId'],
    ];
    for (const [path, field] of cases) expect(formFieldOf(path), path).toBe(field);
    expect(formFieldOf('overrides.lstm')).toBeNull();
    expect(formFieldOf('spec.budget.mode')).toBeNull();
  });

  it('belong to no box when they name one the form does not show', () => {
    const v = defaultFormValues(1);
    expect(isShown('hidden', v)).toBe(true);
    expect(isShown('params', v)).toBe(false);
    expect(isShown('stepSize', v)).toBe(false);
    expect(isShown('stepSize', { ...v, schedule: 'step' })).toBe(true);
    expect(isShown('minLr', { ...v, schedule: 'cosine' })).toBe(true);
    expect(isShown('cells', v)).toBe(true);
    const fromModel = { ...v, initFromModelId: 2 };
    for (const f of ['cells', 'init', 'hidden', 'layers', 'embedding'] as const) expect(isShown(f, fromModel), f).toBe(false);
    for (const f of ['initFrom', 'dropout', 'lr', 'corpusId'] as const) expect(isShown(f, fromModel), f).toBe(true);
  });

  it('are said in the form\'s words, without paths or what was received', () => {
    expect(userMessage('hidden', 'must be a whole number from 1 to 8192, got 0')).toBe('Hidden size must be a whole number from 1 to 8,192.');
    expect(userMessage('lr', 'must be a finite number in (0, 10], got -1')).toBe('Learning rate must be more than 0 and at most 10.');
    expect(userMessage('dropout', 'must be a finite number in [0, 1), got 1.5')).toBe('Dropout must be at least 0 and less than 1.');
    expect(userMessage('clip', 'must be a finite number in [0, Infinity] (0 = no clipping), got -1')).toBe('Gradient clipping must be 0 or more.');
    expect(userMessage('threads', "must be a whole number from 1 to 4 (each thread takes at least one of the batch's streams), got 5")).toBe('Threads per run must be a whole number from 1 to 4.');
    expect(userMessage('evalEvery', 'must be a whole number >= 1, got 0')).toBe('Evaluation interval must be a whole number from 1 to 1,000,000,000.');
    expect(userMessage('weightDecay', 'must be a number from -1000000000 to 1000000000, got 2000000000')).toBe('Weight decay must be a number from -1,000,000,000 to 1,000,000,000.');
    expect(userMessage('threads', '3 threads per run, but this lab trains on 2 (one per core)')).toBe('3 threads per run, but this lab trains on 2 (one per core).');
    expect(userMessage(null, 'no corpus 4')).toBe('No corpus 4.');
    expect(userMessage(null, 'Already a sentence.')).toBe('Already a sentence.');
  });
});

describe('remembered settings', () => {
  function memory(): Storage {
    const m = new Map<string, string>();
    return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k), clear: () => m.clear(), key: (i) => [...m.keys()][i] ?? null, get length() { return m.size; } };
  }

  it('come back for the same corpus, without its corpus, name or starting model', () => {
    const storage = memory();
    const v = { ...defaultFormValues(3), name: 'mine', initFromModelId: 7, hidden: 64, cells: ['lstm'] as CellName[], schedule: 'cosine' as const, steps: '' };
    rememberSettings(storage, 'abc', v);
    const back = recallSettings(storage, 'abc')!;
    const { corpusId: _c, name: _n, initFromModelId: _m, ...settings } = v;
    expect(back).toEqual(settings);
    expect(recallSettings(storage, 'other')).toBeNull();
  });

  it('keep only what the form can use from an old or edited entry', () => {
    const storage = memory();
    storage.setItem('rnn-lab.new-experiment.abc', JSON.stringify({ hidden: 32, cells: ['lstm', 'transformer', 'lstm'], optimizer: 'lbfgs', schedule: 'step', corpusId: 9, name: 'x', unknown: 1, lr: 'fast', steps: '' }));
    expect(recallSettings(storage, 'abc')).toEqual({ hidden: 32, cells: ['lstm'], schedule: 'step', steps: '' });
    storage.setItem('rnn-lab.new-experiment.abc', '{not json');
    expect(recallSettings(storage, 'abc')).toBeNull();
    storage.setItem('rnn-lab.new-experiment.abc', '[1, 2]');
    expect(recallSettings(storage, 'abc')).toBeNull();
  });

  it('cost nothing but the memory when the storage refuses them', () => {
    const full = { ...memory(), setItem: () => { throw new Error('QuotaExceededError'); } };
    expect(() => rememberSettings(full, 'abc', defaultFormValues(1))).not.toThrow();
  });
});

describe('notes', () => {
  it('measure the one-hot vocabulary\'s share of every cell\'s parameters as the engine lays them out', () => {
    const V = 3000;
    const H = 96;
    const runs = CELL_NAMES.map((cell) => ({ cell, seed: 1, hidden: H, params: paramLayout(modelConfig({ cell, vocabSize: V, hidden: H })).size }));
    const shares = vocabularyShares(runs, V, 0);
    expect(shares.map((s) => s.cell)).toEqual(CELL_NAMES);
    for (const s of shares) {
      const { layout, size } = paramLayout(modelConfig({ cell: s.cell, vocabSize: V, hidden: H }));
      const vocabParams = layout.filter((e) => e.name === 'l0.Wx' || e.name.startsWith('decoder.')).reduce((a, e) => a + e.size, 0);
      expect(s.share, s.cell).toBeCloseTo(vocabParams / size, 12);
      const embedded = paramLayout(modelConfig({ cell: s.cell, vocabSize: V, hidden: H, embedding: SUGGESTED_EMBEDDING })).size;
      expect(s.saved, s.cell).toBe(size - embedded);
    }
  });

  it('say nothing with an embedding, or where the vocabulary is small and an embedding would save little', () => {
    const plan = (V: number, H: number) => CELL_NAMES.map((cell) => ({ cell, seed: 1, hidden: H, params: paramLayout(modelConfig({ cell, vocabSize: V, hidden: H })).size }));
    expect(vocabularyShares(plan(3000, 96), 3000, 32)).toEqual([]);
    // Shakespeare's 65 characters with hidden 32: the decoder is most of the plain RNN, and an embedding saves little
    expect(vocabularyShares(plan(65, 32), 65, 0)).toEqual([]);
    expect(vocabularyShares(plan(65, 128), 65, 0)).toEqual([]);
  });

  it('name the torch.nn module that cannot load a cell, with the catalogue\'s reason and the cell it does load', () => {
    expect(torchNotes(['rnn', 'lstm', 'gru-reset-after'])).toEqual([]);
    const gru = CELL_CATALOGUE.gru.torch;
    expect(torchNotes(['rnn', 'gru'])).toEqual([{ cell: 'gru', module: 'torch.nn.GRU', reason: gru.module === null ? gru.reason : '', instead: 'gru-reset-after' }]);
    expect(torchNotes(['lstm-peephole'])).toMatchObject([{ cell: 'lstm-peephole', module: 'torch.nn.LSTM', instead: 'lstm' }]);
  });
});
