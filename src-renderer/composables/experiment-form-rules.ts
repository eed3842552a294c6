/**
 * What the new-experiment form checks before it asks the lab, and how it says so. Every number's
 * range is the engine's and the lab's own (src-shared/limits.ts), so a value the form accepts is
 * one they accept, and the hint beside a box states exactly the range its error states.
 */
import type { CorpusMeta } from '../../src-main/api/contract.ts';
import { formatInt } from '../../src-shared/format.ts';
import { tr } from '../i18n.ts';
import { CADENCE_MIN, inRange, LIMITS, SETTING_RANGES as R, type Range } from '../../src-shared/limits.ts';
import { checkSweep, sweepLabelOf, sweptNames, withSweepBase, type SweepField } from './experiment-form-sweep-rules.ts';
import type { ExperimentFormValues, NumberField } from './experiment-form-values.ts';

/** Every input of the form that can be refused. */
export type FormField = NumberField | 'corpusId' | 'initFrom' | 'cells' | 'optimizer' | 'schedule' | 'init' | SweepField;

export type FormErrors = Partial<Record<FormField, string>>;

interface NumberRule {
  /** what the box is called, beside it and in its errors, in the interface's language */
  label: () => string;
  range: Range;
  /** what the number means, after its range in the hint */
  meaning: () => string;
}

const interval = (min: number): Range => ({ whole: true, min, max: LIMITS.steps });

const NUMBER_RULES: Record<NumberField, NumberRule> = {
  hidden: { label: () => tr('form.label.hidden'), range: R.hidden, meaning: () => tr('form.meaning.hidden') },
  params: { label: () => tr('form.label.params'), range: R.params, meaning: () => tr('form.meaning.params') },
  layers: { label: () => tr('form.label.layers'), range: R.layers, meaning: () => tr('form.meaning.layers') },
  embedding: { label: () => tr('form.label.embedding'), range: R.embedding, meaning: () => tr('form.meaning.embedding') },
  seqLen: { label: () => tr('form.label.seqLen'), range: R.seqLen, meaning: () => tr('form.meaning.seqLen') },
  batch: { label: () => tr('form.label.batch'), range: R.batch, meaning: () => tr('form.meaning.batch') },
  threads: { label: () => tr('form.label.threads'), range: R.threads, meaning: () => tr('form.meaning.threads') },
  lr: { label: () => tr('form.label.lr'), range: R.lr, meaning: () => tr('form.meaning.lr') },
  clip: { label: () => tr('form.label.clip'), range: R.clip, meaning: () => tr('form.meaning.clip') },
  dropout: { label: () => tr('form.label.dropout'), range: R.dropout, meaning: () => tr('form.meaning.dropout') },
  steps: { label: () => tr('form.label.steps'), range: R.steps, meaning: () => tr('form.meaning.steps') },
  evalEvery: { label: () => tr('form.label.evalEvery'), range: interval(CADENCE_MIN.evalEvery), meaning: () => tr('form.meaning.evalEvery') },
  seeds: { label: () => tr('form.label.seeds'), range: R.seeds, meaning: () => tr('form.meaning.seeds') },
  stepSize: { label: () => tr('form.label.stepSize'), range: R.stepSize, meaning: () => tr('form.meaning.stepSize') },
  gamma: { label: () => tr('form.label.gamma'), range: R.gamma, meaning: () => tr('form.meaning.gamma') },
  minLr: { label: () => tr('form.label.minLr'), range: R.minLr, meaning: () => tr('form.meaning.minLr') },
  warmup: { label: () => tr('form.label.warmup'), range: R.warmup, meaning: () => tr('form.meaning.warmup') },
  weightDecay: { label: () => tr('form.label.weightDecay'), range: R.weightDecay, meaning: () => tr('form.meaning.weightDecay') },
  sampleEvery: { label: () => tr('form.label.sampleEvery'), range: interval(CADENCE_MIN.sampleEvery), meaning: () => tr('form.meaning.sampleEvery') },
  checkpointEvery: { label: () => tr('form.label.checkpointEvery'), range: interval(CADENCE_MIN.checkpointEvery), meaning: () => tr('form.meaning.checkpointEvery') },
};

/** What the lab can tell the form beyond the values: the chosen corpus and how many threads it trains on. */
export interface FormContext {
  corpus: CorpusMeta | null;
  /** the lab's threads (one per core), when known */
  workers: number | null;
}

export function labelOf(field: FormField): string {
  if (field in NUMBER_RULES) return NUMBER_RULES[field as NumberField].label();
  if (field.startsWith('sweep.')) return sweepLabelOf(field as SweepField);
  const labels: Record<Exclude<FormField, NumberField | SweepField>, string> = {
    corpusId: tr('form.label.corpusId'), initFrom: tr('form.label.initFrom'), cells: tr('form.label.cells'),
    optimizer: tr('form.label.optimizer'), schedule: tr('form.label.schedule'), init: tr('form.label.init'),
  };
  return labels[field as Exclude<FormField, NumberField | SweepField>];
}

const show = (n: number): string => (Number.isInteger(n) ? formatInt(n) : String(n));

/** A range in words: "a whole number from 1 to 8,192", "at least 0 and less than 1", "0 or more". */
export function rangeText(r: Range): string {
  const ends = { min: show(r.min), max: show(r.max) };
  if (r.whole) return tr('form.range.whole', ends);
  if (r.max === Infinity) return r.minOpen ? tr('form.range.moreThan', ends) : tr('form.range.orMore', ends);
  if (!r.minOpen && !r.maxOpen) return tr('form.range.fromTo', ends);
  if (r.minOpen) return r.maxOpen ? tr('form.range.openOpen', ends) : tr('form.range.openClosed', ends);
  return tr('form.range.closedOpen', ends);
}

/**
 * A box's range as the values stand: threads are also at most the batch and the lab's threads,
 * the final cosine rate at most the learning rate. With why, when another setting narrowed it.
 */
export function rangeOf(field: NumberField, v: ExperimentFormValues, ctx: FormContext): { range: Range; why?: string } {
  const rule = NUMBER_RULES[field];
  if (field === 'threads') {
    const batch = inRange(v.batch, R.batch) ? v.batch : Infinity;
    const workers = ctx.workers ?? Infinity;
    const max = Math.min(rule.range.max, batch, workers);
    if (max === rule.range.max) return { range: rule.range };
    const why = max === workers ? tr('form.why.labThreads', { n: show(workers) }) : tr('form.why.batchThreads');
    return { range: { ...rule.range, max }, why };
  }
  if (field === 'minLr' && inRange(v.lr, R.lr)) return { range: { ...rule.range, max: v.lr }, why: tr('form.why.minLr') };
  return { range: rule.range };
}

/** The hint under a box: its range, then what it means (the error, when there is one, states the same range). */
export function hintOf(field: NumberField, v: ExperimentFormValues, ctx: FormContext): string {
  const { range, why } = rangeOf(field, v, ctx);
  const text = rangeText(range);
  // AdamW decays the weights themselves (decoupled), the others add the penalty to the gradient
  const meaning = field === 'weightDecay' && v.optimizer === 'adamw' ? tr('form.meaning.weightDecayAdamw') : NUMBER_RULES[field].meaning();
  const named = { range: `${text[0].toUpperCase()}${text.slice(1)}`, meaning };
  return why ? tr('form.hintWhy', { ...named, why }) : tr('form.hint', named);
}

function numberError(field: NumberField, v: ExperimentFormValues, ctx: FormContext): string | null {
  const raw = v[field];
  if (raw === '' || typeof raw !== 'number' || Number.isNaN(raw)) return tr('form.enterNumber');
  const { range, why } = rangeOf(field, v, ctx);
  if (inRange(raw, range)) return null;
  const named = { label: NUMBER_RULES[field].label(), range: rangeText(range) };
  return why ? tr('form.mustBeWhy', { ...named, why }) : tr('form.mustBe', named);
}

/** The number boxes of each part of the form, in order. */
export const NUMBER_GROUPS = {
  model: ['hidden', 'params', 'layers', 'embedding', 'dropout'],
  training: ['lr', 'clip', 'seqLen', 'batch', 'steps', 'evalEvery', 'seeds', 'threads'],
  advanced: ['warmup', 'stepSize', 'gamma', 'minLr', 'weightDecay', 'sampleEvery', 'checkpointEvery'],
} as const satisfies Record<string, readonly NumberField[]>;

/** The number boxes the form shows for these values: an imported model decides the sizes, a schedule reads its own settings. */
export function shownNumberFields(v: ExperimentFormValues, group?: keyof typeof NUMBER_GROUPS): NumberField[] {
  const hidden = new Set<NumberField>([v.budgetMode === 'hidden' ? 'params' : 'hidden']);
  if (v.initFromModelId !== null) for (const f of ['hidden', 'params', 'layers', 'embedding'] as const) hidden.add(f);
  if (v.schedule !== 'step') hidden.add('stepSize').add('gamma');
  if (v.schedule !== 'cosine') hidden.add('minLr');
  const fields: readonly NumberField[] = group ? NUMBER_GROUPS[group] : Object.values(NUMBER_GROUPS).flat();
  return fields.filter((f) => !hidden.has(f));
}

/** Whether the form shows the input (a refusal of one it hides belongs to no box). */
export function isShown(field: FormField, v: ExperimentFormValues): boolean {
  if (field in NUMBER_RULES) return shownNumberFields(v).includes(field as NumberField);
  const s = v.sweep;
  if (field === 'sweep.trials') return s.on;
  if (field === 'sweep.eta' || field === 'sweep.minSteps') return s.on && s.halving;
  const row = /^sweep\.ranges\.(\d+)$/.exec(field);
  if (row) return s.on && Number(row[1]) < s.rows.length;
  if (field.startsWith('sweep.')) return s.on;
  return !(v.initFromModelId !== null && (field === 'cells' || field === 'init'));
}

/**
 * Every refusal the form can tell by itself, at once, each under the box it is about. The lab checks
 * again; what only it can tell (a budget no hidden size meets, a model's vocabulary) comes back from
 * its plan. A swept setting's own box gives way to its row (which states its refusal), and the
 * settings bound by it are checked against the row's low end.
 */
export function validateForm(values: ExperimentFormValues, ctx: FormContext): FormErrors {
  const sweep = values.sweep.on ? checkSweep(values) : null;
  const v = sweep ? withSweepBase(values, sweep.ranges) : values;
  const swept: ReadonlySet<string> = sweptNames(values);
  const errors: FormErrors = { ...sweep?.errors };
  if (v.corpusId === null) errors.corpusId = tr('form.chooseText');
  if (v.initFromModelId === null && v.cells.length === 0) errors.cells = tr('form.chooseCell');
  for (const f of shownNumberFields(v)) {
    const e = swept.has(f) ? null : numberError(f, v, ctx);
    if (e) errors[f] = e;
  }
  const corpus = ctx.corpus;
  if (corpus && !errors.seqLen && !errors.batch && !swept.has('seqLen') && !swept.has('batch')) {
    // the lab's check (ExperimentService.plan): B streams of T characters and one more window
    const trainChars = corpus.chars - Math.round(corpus.chars * corpus.validFraction);
    const need = (v.batch as number) * (v.seqLen as number) + (v.seqLen as number);
    if (trainChars < need) {
      errors.seqLen = tr('form.tooShort', { name: corpus.name, train: formatInt(trainChars), batch: formatInt(v.batch as number), seqLen: formatInt(v.seqLen as number), need: formatInt(need) });
    }
  }
  return errors;
}

/** the lab's field paths (its refusals start with them) -> the form's inputs */
const API_FIELDS: Record<string, FormField> = {
  corpusId: 'corpusId', initFrom: 'initFrom', 'initFrom.modelId': 'initFrom', cells: 'cells', cell: 'cells', seeds: 'seeds',
  hidden: 'hidden', params: 'params', layers: 'layers', embedding: 'embedding', dropout: 'dropout', init: 'init',
  seqLen: 'seqLen', batch: 'batch', threads: 'threads', steps: 'steps', clip: 'clip',
  'optimizer.name': 'optimizer', 'optimizer.lr': 'lr', 'optimizer.weightDecay': 'weightDecay',
  'schedule.name': 'schedule', 'schedule.stepSize': 'stepSize', 'schedule.gamma': 'gamma', 'schedule.minLr': 'minLr', 'schedule.warmup': 'warmup',
  'cadence.evalEvery': 'evalEvery', 'cadence.sampleEvery': 'sampleEvery', 'cadence.checkpointEvery': 'checkpointEvery',
  sweep: 'sweep.ranges', 'sweep.search': 'sweep.ranges', 'sweep.ranges': 'sweep.ranges', 'sweep.trials': 'sweep.trials', 'sweep.drawSeed': 'sweep.drawSeed',
  'sweep.halving': 'sweep.minSteps', 'sweep.halving.eta': 'sweep.eta', 'sweep.halving.minSteps': 'sweep.minSteps',
};

/**
 * The input a lab path names: the engine's ("optimizer.lr"), the lab's ("cadence.evalEvery") or
 * the request schema's, which nests them ("spec.budget.hidden", "spec.train.optimizer.lr").
 */
export function formFieldOf(apiField: string): FormField | null {
  const path = apiField.replace(/^spec\./, '').replace(/^(budget|model|train)\./, '');
  // a range is named by its place, 'sweep.ranges.2' or 'sweep.ranges[2]', and maybe its part ('.min')
  const row = /^sweep\.ranges(?:\.|\[)(\d+)/.exec(path);
  if (row) return `sweep.ranges.${Number(row[1])}`;
  return API_FIELDS[path] ?? null;
}

/**
 * A refusal of the lab in the form's words: the range checks the engine, the lab and the request
 * schema phrase for a program ("must be a finite number in (0, 10], got 50") said as the form says
 * them, under the input's label (without the engine's notes, which the hint gives); any other
 * reason as a sentence.
 */
export function userMessage(field: FormField | null, message: string): string {
  const subject = field ? labelOf(field) : null;
  const whole = /^must be a whole number from (-?\d+) to (-?\d+)(?: \(.*\))?, got /.exec(message);
  const atLeast = /^must be a whole number >= (-?\d+), got /.exec(message);
  const real = /^must be a (?:finite )?number in ([[(])(\S+), (\S+)([\])])(?: \(.*\))?, got /.exec(message);
  const closed = /^must be a number from (\S+) to (\S+), got /.exec(message);
  let range: Range | null = null;
  if (whole) range = { whole: true, min: Number(whole[1]), max: Number(whole[2]) };
  else if (atLeast) range = { whole: true, min: Number(atLeast[1]), max: LIMITS.steps };
  else if (real) range = { min: Number(real[2]), max: Number(real[3]), minOpen: real[1] === '(', maxOpen: real[4] === ')' };
  else if (closed) range = { min: Number(closed[1]), max: Number(closed[2]) };
  if (range && subject) return tr('form.mustBe', { label: subject, range: rangeText(range) });
  // another rule of the box ("must be a multiple of cadence.evalEvery (100): ..., got 150"), under its label
  const words = message.replace(/cadence\.evalEvery/g, 'the evaluation interval');
  const rule = words.replace(/, got [^,]*$/, '');
  if (subject && /^must /.test(rule)) return `${subject} ${rule}${/[.!?]$/.test(rule) ? '' : '.'}`;
  const sentence = words[0].toUpperCase() + words.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
