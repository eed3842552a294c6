// The new-experiment form's sweep: its values -> spec.sweep, its refusals in the lab's words, new rows' ranges, the halving's rungs and cost, and its memory.
import { describe, expect, it } from 'vitest';
import { recallSettings, rememberSettings } from '../../src-renderer/composables/experiment-form-memory.ts';
import { isShown, labelOf, validateForm, type FormContext } from '../../src-renderer/composables/experiment-form-rules.ts';
import { checkSweep, formSpecOf } from '../../src-renderer/composables/experiment-form-sweep-rules.ts';
import { halvedShare, newSweepRow, rungsOf, sweepRowText } from '../../src-renderer/composables/experiment-form-sweep.ts';
import { defaultFormValues, defaultMinSteps, type ExperimentFormValues, type SweepRowValues } from '../../src-renderer/composables/experiment-form-values.ts';
import { parseSweepArg } from '../../src-shared/sweep/params.ts';

const NO_CONTEXT: FormContext = { corpus: null, workers: null };

/** the default form with the sweep on and these rows (and sweep settings) */
function swept(rows: SweepRowValues[], over: Partial<ExperimentFormValues['sweep']> = {}, form: Partial<ExperimentFormValues> = {}): ExperimentFormValues {
  const v = { ...defaultFormValues(1), ...form };
  v.sweep = { ...v.sweep, on: true, rows, ...over };
  return v;
}

const lrRow = (min: number | string, max: number | string): SweepRowValues => ({ name: 'lr', kind: 'range', scale: 'log', min, max, points: 3, list: '' });
const listRow = (name: SweepRowValues['name'], list: string): SweepRowValues => ({ name, kind: 'values', scale: 'linear', min: '', max: '', points: 3, list });

describe('the sweep -> spec.sweep', () => {
  it('is absent while the sweep is off, whatever its rows', () => {
    const v = swept([lrRow(1e-4, 1e-2)], { on: false });
    expect(formSpecOf(v, checkSweep(v))).not.toHaveProperty('sweep');
    expect(validateForm(v, NO_CONTEXT)).toEqual({});
  });

  it('sends a random search with its trials, draw seed and ranges as the lab parses them', () => {
    const v = swept([lrRow(1e-4, 3e-2), listRow('dropout', '0, 0.1,0.25')], { trials: 12, drawSeed: 7 });
    const check = checkSweep(v);
    expect(check.errors).toEqual({});
    expect(check.spec).toEqual({
      search: 'random', trials: 12, drawSeed: 7, halving: null,
      ranges: [{ name: 'lr', scale: 'log', min: 1e-4, max: 3e-2 }, { name: 'dropout', values: [0, 0.1, 0.25] }],
    });
    // each row is the command line's own argument
    expect(v.sweep.rows.map((r) => sweepRowText(r, 'random'))).toEqual(['lr=log:0.0001:0.03', 'dropout=0,0.1,0.25']);
    expect(check.spec!.ranges).toEqual(['lr=log:1e-4:3e-2', 'dropout=0,0.1,0.25'].map(parseSweepArg));
  });

  it('sends a grid with each range\'s points, its trials the grid\'s size', () => {
    const v = swept([lrRow(1e-4, 1e-2), listRow('optimizer', 'adam,sgd'), { name: 'hidden', kind: 'range', scale: 'log', min: 32, max: 128, points: 3, list: '' }], { search: 'grid', trials: 999 });
    const check = checkSweep(v);
    expect(check.errors).toEqual({});
    expect(check.trials).toBe(3 * 2 * 3);
    expect(check.spec).toMatchObject({ search: 'grid', trials: 18, ranges: [{ name: 'lr', points: 3 }, { name: 'optimizer', values: ['adam', 'sgd'] }, { name: 'hidden', min: 32, max: 128, points: 3 }] });
  });

  it('sends the halving rule when it is on', () => {
    const v = swept([lrRow(1e-4, 1e-2)], { halving: true, eta: 4, minSteps: 300 });
    expect(checkSweep(v).spec!.halving).toEqual({ eta: 4, minSteps: 300 });
  });

  it('makes the spec\'s base of a swept setting its lowest value, which every trial replaces, and checks the settings bound by it against it', () => {
    const v = swept([lrRow(1e-4, 1e-2), listRow('batch', '16,4,8'), listRow('optimizer', 'sgd,adam')], {}, { lr: -1, batch: '', optimizer: 'adam' });
    const check = checkSweep(v);
    const spec = formSpecOf(v, check);
    expect(spec.train).toMatchObject({ batch: 4, optimizer: { name: 'sgd', lr: 1e-4 } });
    expect(spec.sweep).toBe(check.spec);
    // the swept boxes' own values (a negative rate, an empty batch) are not refused: their rows stand for them
    expect(validateForm(v, NO_CONTEXT)).toEqual({});
    // the cosine's final rate is at most every trial's rate: the lowest of the range
    const cosine = swept([lrRow(1e-4, 1e-2)], {}, { schedule: 'cosine', minLr: 5e-4 });
    expect(validateForm(cosine, NO_CONTEXT).minLr).toBe('Final learning rate must be a number from 0 to 0.0001 (at most the learning rate).');
  });
});

describe('the sweep\'s refusals', () => {
  const rowError = (v: ExperimentFormValues, i = 0) => validateForm(v, NO_CONTEXT)[`sweep.ranges.${i}`];

  it('says what is wrong with a row in the lab\'s words, beside it', () => {
    expect(rowError(swept([lrRow(0, 1e-2)]))).toBe('Min 0 must be > 0 on a log scale.');
    expect(rowError(swept([lrRow(1e-2, 1e-4)]))).toBe('Min 0.01 must be below max 0.0001.');
    expect(rowError(swept([lrRow(1e-4, 20)]))).toBe('Max 20 must be in (0, 10].');
    expect(rowError(swept([lrRow('', 1e-2)]))).toBe('Enter both ends of the range.');
    expect(rowError(swept([listRow('dropout', '0,x')]))).toBe('Value "x" is not a number.');
    expect(rowError(swept([listRow('dropout', '0,0')]))).toBe('Each value may appear once.');
    expect(rowError(swept([listRow('optimizer', 'adam,lbfgs')]))).toBe('"lbfgs" is not one of sgd, adam, adamw, rmsprop, adagrad.');
    expect(rowError(swept([listRow('dropout', ' ')]))).toBe('Enter the values, separated by commas.');
    expect(rowError(swept([{ ...lrRow(1e-4, 1e-2), points: 1 }], { search: 'grid' }))).toBe('Points must be a whole number from 2 to 100, got 1.');
    expect(rowError(swept([{ name: 'layers', kind: 'range', scale: 'linear', min: 1, max: 2, points: 3, list: '' }], { search: 'grid' }))).toBe('3 points of whole numbers do not fit between 1 and 2.');
    // the same row on a random search needs no points
    expect(rowError(swept([{ ...lrRow(1e-4, 1e-2), points: '' }]))).toBeUndefined();
  });

  it('refuses the rows together as the lab does: one row per setting, not both hidden and params, at least one', () => {
    const size = (name: 'hidden' | 'params'): SweepRowValues => ({ name, kind: 'values', scale: 'log', min: '', max: '', points: 3, list: name === 'hidden' ? '32,64' : '5000,10000' });
    expect(validateForm(swept([size('hidden'), size('params')]), NO_CONTEXT)['sweep.ranges']).toBe('Sweep hidden or params, not both: both set the hidden size.');
    expect(validateForm(swept([lrRow(1e-4, 1e-2), lrRow(1e-3, 1e-2)]), NO_CONTEXT)['sweep.ranges']).toBe('Lr is swept twice; give one range for it.');
    expect(validateForm(swept([]), NO_CONTEXT)['sweep.ranges']).toBe('Add a setting to sweep.');
  });

  it('keeps the trials and the runs they make within the lab\'s limits', () => {
    const errors = (over: Partial<ExperimentFormValues['sweep']>, form: Partial<ExperimentFormValues> = {}) => validateForm(swept([lrRow(1e-4, 1e-2)], over, form), NO_CONTEXT);
    expect(errors({ trials: 0 })['sweep.trials']).toBe('Trials must be a whole number from 1 to 1,000.');
    expect(errors({ trials: 2.5 })['sweep.trials']).toBe('Trials must be a whole number from 1 to 1,000.');
    expect(errors({ trials: '' })['sweep.trials']).toBe('Enter a number.');
    expect(errors({ trials: 100 }, { seeds: 4 })['sweep.trials']).toBe('100 trials x 3 cells x 4 seeds make 1,200 runs; an experiment may have at most 1,000.');
    expect(errors({ trials: 100 }, { seeds: 3 })).toEqual({});
    expect(errors({ drawSeed: '' })['sweep.drawSeed']).toBe('Enter a number.');
    expect(errors({ halving: true, eta: '', minSteps: '' })).toEqual({ 'sweep.eta': 'Enter a number.', 'sweep.minSteps': 'Enter a number.' });
    const grid = swept([{ ...lrRow(1e-4, 1e-2), points: 40 }, { name: 'dropout', kind: 'range', scale: 'linear', min: 0, max: 0.5, points: 30, list: '' }], { search: 'grid' });
    expect(validateForm(grid, NO_CONTEXT)['sweep.trials']).toBe('The grid has 1,200 trials; a sweep may have at most 1,000 per cell. Take fewer points or values.');
  });

  it('names its inputs and shows them only while they apply', () => {
    expect(labelOf('sweep.minSteps')).toBe('First rung');
    expect(labelOf('sweep.ranges.1')).toBe('Swept setting 2');
    const v = swept([lrRow(1e-4, 1e-2)]);
    expect(isShown('sweep.ranges.0', v)).toBe(true);
    expect(isShown('sweep.ranges.1', v)).toBe(false);
    expect(isShown('sweep.eta', v)).toBe(false);
    expect(isShown('sweep.eta', { ...v, sweep: { ...v.sweep, halving: true } })).toBe(true);
    expect(isShown('sweep.trials', { ...v, sweep: { ...v.sweep, on: false } })).toBe(false);
  });
});

describe('a new row', () => {
  const v = defaultFormValues(1);
  const range = (r: SweepRowValues) => ({ kind: r.kind, scale: r.scale, min: r.min, max: r.max });

  it('starts on the catalogue\'s natural scale around the form\'s value, inside the setting\'s limits', () => {
    expect(range(newSweepRow('lr', v))).toEqual({ kind: 'range', scale: 'log', min: 0.0002, max: 0.02 });
    expect(range(newSweepRow('hidden', v))).toEqual({ kind: 'range', scale: 'log', min: 64, max: 256 });
    expect(range(newSweepRow('layers', v))).toEqual({ kind: 'range', scale: 'linear', min: 1, max: 2 });
    expect(range(newSweepRow('layers', { ...v, layers: 4 }))).toEqual({ kind: 'range', scale: 'linear', min: 2, max: 4 });
    expect(range(newSweepRow('dropout', { ...v, dropout: 0.1 }))).toEqual({ kind: 'range', scale: 'linear', min: 0, max: 0.2 });
    // where the value gives no span (none, or not set by the form), a usual one
    expect(range(newSweepRow('dropout', v))).toEqual({ kind: 'range', scale: 'linear', min: 0, max: 0.5 });
    expect(range(newSweepRow('weightDecay', v))).toEqual({ kind: 'range', scale: 'log', min: 1e-5, max: 1e-2 });
    expect(range(newSweepRow('forgetBias', v))).toEqual({ kind: 'range', scale: 'linear', min: 0, max: 2 });
    expect(newSweepRow('optimizer', v)).toMatchObject({ kind: 'values', list: 'adam,sgd' });
    expect(newSweepRow('optimizer', { ...v, optimizer: 'sgd' })).toMatchObject({ kind: 'values', list: 'sgd,adam' });
  });

  it('is a range the lab accepts for every setting, on a random search and on a grid', () => {
    for (const name of ['lr', 'hidden', 'params', 'layers', 'dropout', 'clip', 'seqLen', 'batch', 'optimizer', 'weightDecay', 'forgetBias'] as const) {
      for (const search of ['random', 'grid'] as const) {
        const form = swept([newSweepRow(name, v)], { search }, { budgetMode: name === 'params' ? 'params' : 'hidden' });
        expect(checkSweep(form).errors, `${name} ${search}`).toEqual({});
      }
    }
  });
});

describe('the halving', () => {
  it('starts its first rung at a multiple of the evaluation interval, about three rungs before the end', () => {
    expect(defaultMinSteps(2000, 100, 3)).toBe(200);
    expect(rungsOf(2000, 200, 3)).toEqual([200, 600, 1800]);
    expect(defaultMinSteps(20, 10, 3)).toBe(10);
    expect(defaultMinSteps(400, 25, 2)).toBe(100);
    expect(defaultFormValues().sweep.minSteps).toBe(200);
  });

  it('trains, if each rung keeps 1/eta, every run to the first rung and 1/eta^k of them past the k-th', () => {
    // 200 + 400/3 + 1200/9 + 200/27 of 2,000 steps
    expect(halvedShare(2000, [200, 600, 1800], 3)).toBeCloseTo((200 + 400 / 3 + 1200 / 9 + 200 / 27) / 2000, 12);
    expect(halvedShare(100, [], 3)).toBe(1);
    expect(rungsOf(100, 0, 3)).toEqual([]);
  });
});

describe('the sweep remembered per corpus', () => {
  function storage(): Storage {
    const m = new Map<string, string>();
    return { getItem: (k) => m.get(k) ?? null, setItem: (k, x) => void m.set(k, x), removeItem: (k) => void m.delete(k), clear: () => m.clear(), key: () => null, get length() { return m.size; } };
  }

  it('comes back as it was left', () => {
    const s = storage();
    const v = swept([lrRow(1e-4, 1e-2), listRow('optimizer', 'adam,sgd')], { search: 'grid', drawSeed: 42, halving: true, eta: 4, minSteps: 300 });
    rememberSettings(s, 'sha', v);
    expect(recallSettings(s, 'sha')!.sweep).toEqual(v.sweep);
  });

  it('keeps what it can of an entry edited by hand: a row of the wrong shape is dropped, a field of the wrong kind falls back', () => {
    const s = storage();
    s.setItem('rnn-lab.new-experiment.sha', JSON.stringify({ sweep: { on: true, search: 'spiral', trials: 'many', drawSeed: 5, rows: [lrRow(1e-4, 1e-2), { name: 'momentum' }, null] } }));
    const back = recallSettings(s, 'sha')!.sweep!;
    const d = defaultFormValues().sweep;
    expect(back).toEqual({ ...d, on: true, drawSeed: 5, rows: [lrRow(1e-4, 1e-2)] });
    s.setItem('rnn-lab.new-experiment.sha', JSON.stringify({ sweep: [1, 2] }));
    expect(recallSettings(s, 'sha')!.sweep).toEqual(d);
  });
});
