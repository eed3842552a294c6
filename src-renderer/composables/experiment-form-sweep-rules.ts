/**
 * What the form checks of a sweep before it asks the lab: each row read by the lab's own parser
 * and checked by its own rules (src-shared/sweep/params.ts), the rows together (one range per
 * setting, not both hidden and params), the trials and the runs they make within the lab's limits
 * (src-shared/limits.ts). What only the lab decides (the halving's rungs against the evaluation
 * interval, the draw seed's range) comes back from its plan, beside the same boxes.
 */
import type { ExperimentSpecInput, ModelInfo, SweepRange, SweepSpec } from '../../src-main/api/contract.ts';
import { formatInt } from '../../src-shared/format.ts';
import { inRange, LIMITS } from '../../src-shared/limits.ts';
import { drawTrials } from '../../src-shared/sweep/draw.ts';
import { parseSweepArg, sweepRangesProblem, SweepSyntaxError, type SweepParamName } from '../../src-shared/sweep/params.ts';
import { sweepRowText, sweepSpecOf } from './experiment-form-sweep.ts';
import { specOf, type ExperimentFormValues, type SweepFormValues, type SweepRowValues } from './experiment-form-values.ts';

/** The sweep's inputs that can be refused: its counts, the halving's, the rows together and each row. */
export type SweepField = 'sweep.trials' | 'sweep.drawSeed' | 'sweep.eta' | 'sweep.minSteps' | 'sweep.ranges' | `sweep.ranges.${number}`;

export const SWEEP_LABELS: Record<Exclude<SweepField, `sweep.ranges.${number}`>, string> = {
  'sweep.trials': 'Trials',
  'sweep.drawSeed': 'Draw seed',
  'sweep.eta': 'Halving eta',
  'sweep.minSteps': 'First rung',
  'sweep.ranges': 'Swept settings',
};

export function sweepLabelOf(field: SweepField): string {
  const row = /^sweep\.ranges\.(\d+)$/.exec(field);
  return row ? `Swept setting ${Number(row[1]) + 1}` : SWEEP_LABELS[field as keyof typeof SWEEP_LABELS];
}

export interface SweepCheck {
  /** each row's range, null where it is refused */
  ranges: (SweepRange | null)[];
  /** the sweep to send, when it is on and every part of it is valid */
  spec: SweepSpec | null;
  /** the trials per cell it draws (a grid's size), when known */
  trials: number | null;
  errors: Partial<Record<SweepField, string>>;
}

const sentence = (s: string): string => `${s[0].toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? '' : '.'}`;

/** A row's range, or what is wrong with it in the lab's words (without the "sweep lr:" the row's place says). */
function rowRange(row: SweepRowValues, search: SweepFormValues['search']): SweepRange | string {
  if (row.kind === 'range') {
    if (row.min === '' || row.max === '') return 'Enter both ends of the range.';
    if (search === 'grid' && row.points === '') return "Enter the grid's number of points.";
  } else if (row.list.trim() === '') {
    return 'Enter the values, separated by commas.';
  }
  try {
    return parseSweepArg(sweepRowText(row, search));
  } catch (e) {
    if (!(e instanceof SweepSyntaxError)) throw e;
    return sentence(e.message.replace(/^sweep [^:]+: /, ''));
  }
}

const countError = (x: unknown, label: string, max: number): string | null => {
  if (x === '' || typeof x !== 'number') return 'Enter a number.';
  return inRange(x, { whole: true, min: 1, max }) ? null : `${label} must be a whole number from 1 to ${formatInt(max)}.`;
};

/** Every refusal of the sweep the form can tell by itself, with its ranges and, when it has none, the spec it makes. */
export function checkSweep(v: ExperimentFormValues): SweepCheck {
  const s = v.sweep;
  const errors: SweepCheck['errors'] = {};
  const ranges = s.rows.map((row, i) => {
    const r = rowRange(row, s.search);
    if (typeof r === 'string') errors[`sweep.ranges.${i}`] = r;
    return typeof r === 'string' ? null : r;
  });
  const valid = ranges.filter((r): r is SweepRange => r !== null);
  const together = s.rows.length === 0 ? 'Add a setting to sweep.' : sweepRangesProblem(valid);
  if (together) errors['sweep.ranges'] = sentence(together);

  let trials: number | null = null;
  if (s.search === 'random') {
    const e = countError(s.trials, SWEEP_LABELS['sweep.trials'], LIMITS.trials);
    if (e) errors['sweep.trials'] = e;
    else trials = s.trials as number;
  } else if (valid.length === ranges.length && !together) {
    trials = drawTrials({ search: 'grid', trials: 0, drawSeed: 0, ranges: valid }).length;
    if (trials > LIMITS.trials) errors['sweep.trials'] = `The grid has ${formatInt(trials)} trials; a sweep may have at most ${formatInt(LIMITS.trials)} per cell. Take fewer points or values.`;
  }
  const cells = v.initFromModelId !== null ? 1 : v.cells.length;
  const seeds = Number(v.seeds);
  if (trials !== null && !errors['sweep.trials'] && Number.isInteger(seeds) && trials * cells * seeds > LIMITS.runs) {
    errors['sweep.trials'] = `${formatInt(trials)} trials x ${cells} cells x ${formatInt(seeds)} seeds make ${formatInt(trials * cells * seeds)} runs; an experiment may have at most ${formatInt(LIMITS.runs)}.`;
  }
  if (s.drawSeed === '' || typeof s.drawSeed !== 'number') errors['sweep.drawSeed'] = 'Enter a number.';
  if (s.halving) {
    if (s.eta === '' || typeof s.eta !== 'number') errors['sweep.eta'] = 'Enter a number.';
    if (s.minSteps === '' || typeof s.minSteps !== 'number') errors['sweep.minSteps'] = 'Enter a number.';
  }
  const spec = s.on && Object.keys(errors).length === 0 && trials !== null ? sweepSpecOf(s, valid, trials) : null;
  return { ranges, spec, trials, errors };
}

/** The settings the sweep varies (every row, valid or not: their own boxes give way to the rows). */
export function sweptNames(v: ExperimentFormValues): Set<SweepParamName> {
  return new Set(v.sweep.on ? v.sweep.rows.map((r) => r.name) : []);
}

/**
 * The values the spec is made of: a swept setting takes its range's low end (its lowest value, or a
 * list's first name), which
 * every trial replaces, so the spec's base is one the lab accepts and the settings bound by it (the
 * cosine's final rate by the learning rate, threads by the batch) are checked against the lowest.
 */
export function withSweepBase(v: ExperimentFormValues, ranges: readonly (SweepRange | null)[]): ExperimentFormValues {
  const base: ExperimentFormValues = { ...v };
  for (const r of ranges) {
    if (!r || r.name === 'forgetBias') continue;
    const numbers = 'values' in r ? r.values.filter((x): x is number => typeof x === 'number') : [r.min];
    (base as unknown as Record<string, unknown>)[r.name] = numbers.length ? Math.min(...numbers) : ('values' in r ? r.values[0] : r.min);
  }
  return base;
}

/** The spec the form sends: with its sweep, when on and valid, over the swept settings' low ends. */
export function formSpecOf(v: ExperimentFormValues, sweep: SweepCheck | null, from?: ModelInfo): ExperimentSpecInput {
  return sweep ? specOf(withSweepBase(v, sweep.ranges), from, sweep.spec) : specOf(v, from);
}
