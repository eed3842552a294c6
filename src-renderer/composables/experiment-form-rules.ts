/**
 * What the new-experiment form checks before it asks the lab, and how it says so. Every number's
 * range is the engine's and the lab's own (src-shared/limits.ts), so a value the form accepts is
 * one they accept, and the hint beside a box states exactly the range its error states.
 */
import type { CorpusMeta } from '../../src-main/api/contract.ts';
import { formatInt } from '../../src-shared/format.ts';
import { CADENCE_MIN, inRange, LIMITS, SETTING_RANGES as R, type Range } from '../../src-shared/limits.ts';
import { checkSweep, sweepLabelOf, sweptNames, withSweepBase, type SweepField } from './experiment-form-sweep-rules.ts';
import type { ExperimentFormValues, NumberField } from './experiment-form-values.ts';

/** Every input of the form that can be refused. */
export type FormField = NumberField | 'corpusId' | 'initFrom' | 'cells' | 'optimizer' | 'schedule' | 'init' | SweepField;

export type FormErrors = Partial<Record<FormField, string>>;

interface NumberRule {
  /** what the box is called, beside it and in its errors */
  label: string;
  range: Range;
  /** what the number means, after its range in the hint */
  meaning: string;
}

const interval = (min: number): Range => ({ whole: true, min, max: LIMITS.steps });

const NUMBER_RULES: Record<NumberField, NumberRule> = {
  hidden: { label: 'Hidden size', range: R.hidden, meaning: 'units per layer' },
  params: { label: 'Parameters per model', range: R.params, meaning: 'each cell within 2% of it' },
  layers: { label: 'Layers', range: R.layers, meaning: 'stacked layers' },
  embedding: { label: 'Embedding size', range: R.embedding, meaning: '0 = one-hot input' },
  seqLen: { label: 'Sequence length', range: R.seqLen, meaning: 'characters per BPTT window' },
  batch: { label: 'Batch', range: R.batch, meaning: 'parallel streams' },
  threads: { label: 'Threads per run', range: R.threads, meaning: "cores one run's batch is split over" },
  lr: { label: 'Learning rate', range: R.lr, meaning: 'Adam: 0.001 to 0.003 is usual' },
  clip: { label: 'Gradient clipping', range: R.clip, meaning: 'global norm; 0 = no clipping' },
  dropout: { label: 'Dropout', range: R.dropout, meaning: 'between stacked layers' },
  steps: { label: 'Steps', range: R.steps, meaning: 'optimizer steps per run' },
  evalEvery: { label: 'Evaluation interval', range: interval(CADENCE_MIN.evalEvery), meaning: 'steps between validation runs' },
  seeds: { label: 'Seeds', range: R.seeds, meaning: 'runs per cell, seeds 1 to N' },
  stepSize: { label: 'Decay interval', range: R.stepSize, meaning: 'steps between decays' },
  gamma: { label: 'Decay factor', range: R.gamma, meaning: 'the rate is multiplied by it at each decay' },
  minLr: { label: 'Final learning rate', range: R.minLr, meaning: 'where the cosine ends' },
  warmup: { label: 'Warm-up steps', range: R.warmup, meaning: 'the rate rises linearly over them; 0 = none' },
  weightDecay: { label: 'Weight decay', range: R.weightDecay, meaning: 'an L2 penalty added to the gradient' },
  sampleEvery: { label: 'Sample interval', range: interval(CADENCE_MIN.sampleEvery), meaning: 'a sample comes with every evaluation; this adds one every so many steps; 0 = no more' },
  checkpointEvery: { label: 'Checkpoint interval', range: interval(CADENCE_MIN.checkpointEvery), meaning: 'steps between saved checkpoints' },
};

/** What the lab can tell the form beyond the values: the chosen corpus and how many threads it trains on. */
export interface FormContext {
  corpus: CorpusMeta | null;
  /** the lab's threads (one per core), when known */
  workers: number | null;
}

export function labelOf(field: FormField): string {
  if (field in NUMBER_RULES) return NUMBER_RULES[field as NumberField].label;
  if (field.startsWith('sweep.')) return sweepLabelOf(field as SweepField);
  return { corpusId: 'Text to train on', initFrom: 'Imported model', cells: 'Cells', optimizer: 'Optimizer', schedule: 'Schedule', init: 'Initialisation' }[field as Exclude<FormField, NumberField | SweepField>];
}

const show = (n: number): string => (Number.isInteger(n) ? formatInt(n) : String(n));

/** A range in words: "a whole number from 1 to 8,192", "at least 0 and less than 1", "0 or more". */
export function rangeText(r: Range): string {
  if (r.whole) return `a whole number from ${show(r.min)} to ${show(r.max)}`;
  if (r.max === Infinity) return r.minOpen ? `more than ${show(r.min)}` : `${show(r.min)} or more`;
  if (!r.minOpen && !r.maxOpen) return `a number from ${show(r.min)} to ${show(r.max)}`;
  return `${r.minOpen ? 'more than' : 'at least'} ${show(r.min)} and ${r.maxOpen ? 'less than' : 'at most'} ${show(r.max)}`;
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
    const why = max === workers ? `this lab trains on ${show(workers)} threads, one per core` : "each thread takes at least one of the batch's streams";
    return { range: { ...rule.range, max }, why };
  }
  if (field === 'minLr' && inRange(v.lr, R.lr)) return { range: { ...rule.range, max: v.lr }, why: 'at most the learning rate' };
  return { range: rule.range };
}

/** The hint under a box: its range, then what it means (the error, when there is one, states the same range). */
export function hintOf(field: NumberField, v: ExperimentFormValues, ctx: FormContext): string {
  const { range, why } = rangeOf(field, v, ctx);
  const text = rangeText(range);
  // AdamW decays the weights themselves (decoupled), the others add the penalty to the gradient
  const meaning = field === 'weightDecay' && v.optimizer === 'adamw' ? 'decoupled: each step shrinks the weights by the rate times it' : NUMBER_RULES[field].meaning;
  return `${text[0].toUpperCase()}${text.slice(1)} (${meaning}${why ? `; ${why}` : ''}).`;
}

function numberError(field: NumberField, v: ExperimentFormValues, ctx: FormContext): string | null {
  const raw = v[field];
  if (raw === '' || typeof raw !== 'number' || Number.isNaN(raw)) return 'Enter a number.';
  const { range, why } = rangeOf(field, v, ctx);
  if (inRange(raw, range)) return null;
  return `${NUMBER_RULES[field].label} must be ${rangeText(range)}${why ? ` (${why})` : ''}.`;
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
  if (v.corpusId === null) errors.corpusId = 'Choose the text to train on (import one on the Corpora screen).';
  if (v.initFromModelId === null && v.cells.length === 0) errors.cells = 'Choose at least one cell to train.';
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
      errors.seqLen = `"${corpus.name}" has ${formatInt(trainChars)} characters for training; a batch of ${formatInt(v.batch as number)} windows of ${formatInt(v.seqLen as number)} characters needs at least ${formatInt(need)}. Shorten the sequence or the batch.`;
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
  if (range && subject) return `${subject} must be ${rangeText(range)}.`;
  // another rule of the box ("must be a multiple of cadence.evalEvery (100): ..., got 150"), under its label
  const words = message.replace(/cadence\.evalEvery/g, 'the evaluation interval');
  const rule = words.replace(/, got [^,]*$/, '');
  if (subject && /^must /.test(rule)) return `${subject} ${rule}${/[.!?]$/.test(rule) ? '' : '.'}`;
  const sentence = words[0].toUpperCase() + words.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
