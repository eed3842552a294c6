/**
 * The new-experiment form against the real lab (its request schema, the lab and the engine, through
 * dispatch as every transport calls them, on a temporary database): at both ends of every box's
 * range the form and the lab agree on what is refused, the lab's refusal names that box, and the
 * form says it in the same words the form uses itself. A sweep the form sends is planned as its
 * trials x cells x seeds, and what only the lab checks of it comes back beside its box.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/api/methods.ts';
import { Lab } from '../../src-main/lab/lab.ts';
import { LabApiError } from '../../src-renderer/api/client.ts';
import {
  formFieldOf, labelOf, NUMBER_GROUPS, rangeOf, userMessage, validateForm, type FormContext, type FormField,
} from '../../src-renderer/composables/experiment-form-rules.ts';
import { checkSweep, formSpecOf } from '../../src-renderer/composables/experiment-form-sweep-rules.ts';
import { defaultFormValues, specOf, type ExperimentFormValues, type NumberField, type SweepRowValues } from '../../src-renderer/composables/experiment-form-values.ts';
import { refusedField } from '../../src-renderer/stores/errors.ts';
import type { Range } from '../../src-shared/limits.ts';
import { englishText } from '../e2e/support.ts';

const WORKERS = 4;
let dir: string;
let lab: Lab;
let corpusId: number;
let context: FormContext;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rnn-lab-form-'));
  lab = Lab.open({ db: join(dir, 'lab.db'), workers: WORKERS });
  // long enough for a batch of 2 windows of the longest sequence the engine takes
  const text = englishText(340_000);
  const r = await dispatch(lab, 'importCorpus', { name: 'sentences', bytes: new TextEncoder().encode(text) }, { emit: () => {} });
  if (!r.ok) throw new Error(r.message);
  const corpus = (r.value as { corpus: FormContext['corpus'] & object }).corpus;
  corpusId = corpus.id;
  context = { corpus, workers: WORKERS };
});

afterAll(async () => {
  await lab?.close({ running: 'cancel' });
  rmSync(dir, { recursive: true, force: true });
});

/** small runs, so the longest sequence and the largest batch each fit the text */
function base(field: NumberField): ExperimentFormValues {
  const v = { ...defaultFormValues(corpusId), cells: ['rnn', 'gru'] as ExperimentFormValues['cells'], hidden: 8, batch: 2, seqLen: 8, threads: 1 };
  if (field === 'params') v.budgetMode = 'params';
  if (field === 'stepSize' || field === 'gamma') v.schedule = 'step';
  if (field === 'minLr') v.schedule = 'cosine';
  return v;
}

function edges(r: Range): number[] {
  const xs = [r.min - (r.whole ? 1 : 1e-6), r.min];
  if (Number.isFinite(r.max)) xs.push(r.max, r.max + (r.whole ? 1 : 1e-6));
  if (r.whole) xs.push(r.min + 0.5);
  return xs;
}

/** what the lab answers for the form's spec: null when it plans it, else the box it names and the form's words for it */
async function labVerdict(v: ExperimentFormValues, spec = specOf(v)): Promise<{ field: FormField | null; message: string } | null> {
  const r = await dispatch(lab, 'planExperiment', { corpusId, spec }, { emit: () => {} });
  if (r.ok) return null;
  const refused = refusedField(new LabApiError(r.code, r.message));
  const field = refused ? formFieldOf(refused.field) : null;
  return { field, message: userMessage(field, refused?.message ?? r.message) };
}

// the budget's largest hidden sizes are planned for real (parameter counts only; nothing is allocated)
const FIELDS = Object.values(NUMBER_GROUPS).flat();

describe('the form and the lab', () => {
  it.each(FIELDS)('agree on %s at both ends of its range, and say a refusal the same way', async (f) => {
    const v = base(f);
    const { range, why } = rangeOf(f, v, context);
    for (const x of edges(range)) {
      const values = { ...v, [f]: x };
      const form = validateForm(values, context);
      const answer = await labVerdict(values);
      const label = `${f} = ${x}`;
      if (f === 'params' && x === range.max) {
        // a billion parameters are allowed, but no hidden size up to 8,192 reaches them: only the lab can tell
        expect(form, label).toEqual({});
        expect(answer?.field, label).toBe('params');
        continue;
      }
      if (f === 'params' && x === range.min) continue; // a budget of 1 parameter fits no cell: the lab's own refusal, tested below
      if (answer?.field === null && /^The [\w-]+ run of seed \d+ needs [\d.]+ [KMGT]B .* may use /.test(answer.message)) {
        // more memory than this machine gives a run (hidden 8,192 here): only the lab can tell
        expect(form, label).toEqual({});
        continue;
      }
      expect(Object.keys(form), label).toEqual(answer ? [f] : []);
      if (!answer) continue;
      expect(answer.field, label).toBe(f);
      // the lab's refusal, in the form's words, is the form's own message; where another box narrowed the
      // range (threads to the batch, the final rate to the learning rate) the lab's first check may be
      // the wider one (the schema's 1 to 64 threads), so only its form is the same
      if (why) expect(answer.message.startsWith(`${labelOf(f)} must be `), label).toBe(true);
      else expect(form[f], label).toBe(answer.message);
    }
  });

  it('refuse a budget no hidden size meets, which only the lab can tell, beside the budget', async () => {
    const v = { ...base('params'), params: 50 };
    expect(validateForm(v, context)).toEqual({});
    const answer = await labVerdict(v);
    expect(answer?.field).toBe('params');
    expect(answer?.message).toMatch(/^No hidden size gives rnn within 2% of 50 parameters \(nearest: hidden 1 with \d+\); choose a larger budget\.$/);
  });

  it('refuse windows that do not fit the training text, both beside the sequence length', async () => {
    const v = { ...base('seqLen'), seqLen: 100_000, batch: 4 };
    const form = validateForm(v, context);
    expect(Object.keys(form)).toEqual(['seqLen']);
    expect(form.seqLen).toMatch(/^"sentences" has [\d,]+ characters for training; a batch of 4 windows of 100,000 characters needs at least 500,000\. Shorten the sequence or the batch\.$/);
    expect((await labVerdict(v))?.field).toBe('seqLen');
  });

  it('refuse more threads than the lab has, beside the threads', async () => {
    const v = { ...base('threads'), batch: 8, threads: WORKERS + 1 };
    expect(Object.keys(validateForm(v, context))).toEqual(['threads']);
    expect(await labVerdict(v)).toEqual({ field: 'threads', message: `${WORKERS + 1} threads per run, but this lab trains on ${WORKERS} (one per core).` });
  });
});

describe('the form\'s sweep and the lab', () => {
  const lr: SweepRowValues = { name: 'lr', kind: 'range', scale: 'log', min: 1e-4, max: 1e-2, points: 3, list: '' };
  const dropout: SweepRowValues = { name: 'dropout', kind: 'values', scale: 'linear', min: '', max: '', points: 3, list: '0,0.1' };
  function sweepForm(over: Partial<ExperimentFormValues['sweep']>, form: Partial<ExperimentFormValues> = {}): ExperimentFormValues {
    const v = { ...base('hidden'), seeds: 2, steps: 40, evalEvery: 10, ...form };
    v.sweep = { ...v.sweep, on: true, rows: [lr, dropout], trials: 3, ...over };
    return v;
  }
  const sent = (v: ExperimentFormValues) => formSpecOf(v, checkSweep(v));

  it('plan the form\'s sweep as its trials x cells x seeds, the same trials in every cell', async () => {
    for (const search of ['random', 'grid'] as const) {
      const v = sweepForm({ search });
      expect(validateForm(v, context), search).toEqual({});
      const plan = await dispatch(lab, 'planExperiment', { corpusId, spec: sent(v) }, { emit: () => {} });
      if (!plan.ok) throw new Error(plan.message);
      const runs = (plan.value as { runs: { cell: string; trial: { index: number; values: Record<string, unknown> } | null }[] }).runs;
      const trials = search === 'random' ? 3 : 3 * 2;
      expect(runs, search).toHaveLength(trials * 2 * 2);
      for (const cell of ['rnn', 'gru']) {
        expect(runs.filter((r) => r.cell === cell).map((r) => r.trial), `${search} ${cell}`).toEqual(runs.filter((r) => r.cell === 'rnn').map((r) => r.trial));
      }
      expect(new Set(runs.map((r) => r.trial!.index)).size, search).toBe(trials);
    }
  });

  it('refuse a halving the form cannot judge by itself, beside its box in the form\'s words', async () => {
    expect(await labVerdict(sweepForm({ halving: true, eta: 3, minSteps: 15 }), sent(sweepForm({ halving: true, eta: 3, minSteps: 15 })))).toEqual({
      field: 'sweep.minSteps', message: 'First rung must be a multiple of the evaluation interval (10): a rung is an evaluation.',
    });
    const late = sweepForm({ halving: true, eta: 3, minSteps: 40 });
    expect(await labVerdict(late, sent(late))).toEqual({ field: 'sweep.minSteps', message: "First rung must be below the rnn runs' 40 steps." });
    const eta = sweepForm({ halving: true, eta: 1, minSteps: 10 });
    expect(await labVerdict(eta, sent(eta))).toEqual({ field: 'sweep.eta', message: 'Halving eta must be a whole number from 2 to 100.' });
    const seed = sweepForm({ drawSeed: -1 });
    expect(await labVerdict(seed, sent(seed))).toEqual({ field: 'sweep.drawSeed', message: 'Draw seed must be a whole number from 0 to 1,000,000,000.' });
    // a halving the lab accepts is planned
    const fine = sweepForm({ halving: true, eta: 3, minSteps: 10 });
    expect(await labVerdict(fine, sent(fine))).toBeNull();
  });

  it('refuse the rows the form refuses, for the same reason', async () => {
    const bad: [SweepRowValues, string][] = [
      [{ ...lr, min: 0 }, 'min 0 must be > 0 on a log scale'],
      [{ ...dropout, list: '0,1' }, '1 must be in [0, 1)'],
      [{ ...lr, name: 'layers', scale: 'linear', min: 1, max: 9 }, 'max 9 must be a whole number from 1 to 4'],
    ];
    for (const [row, reason] of bad) {
      const v = sweepForm({ rows: [row] });
      expect(validateForm(v, context)['sweep.ranges.0'], reason).toBe(`${reason[0].toUpperCase()}${reason.slice(1)}.`);
      // the form would not send it; the lab, sent the same range, refuses it in the same words
      const range = row.kind === 'values' ? { name: row.name, values: row.list.split(',').map(Number) } : { name: row.name, scale: row.scale, min: row.min, max: row.max };
      const spec = { ...specOf(v), sweep: { search: 'random' as const, trials: 3, drawSeed: 1, ranges: [range] as never, halving: null } };
      const r = await dispatch(lab, 'planExperiment', { corpusId, spec }, { emit: () => {} });
      expect(r.ok, reason).toBe(false);
      if (!r.ok) expect(r.message, reason).toContain(reason);
    }
  });
});
