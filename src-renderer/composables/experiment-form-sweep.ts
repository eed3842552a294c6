/**
 * The new-experiment form's sweep: its values as the user typed them, a new row prefilled around
 * the form's current value on the catalogue's natural scale, and the spec.sweep they make. Each row
 * is written in the CLI's syntax ('lr=log:0.0002:0.02', 'dropout=0,0.1') and read by the lab's own
 * parser (src-shared/sweep/params.ts), so the form refuses exactly what the lab refuses, in its words.
 */
import type { SweepParamName, SweepRange, SweepSpec } from '../../src-main/api/contract.ts';
import { SWEEP_PARAMS } from '../../src-shared/sweep/params.ts';
import type { ExperimentFormValues, NumberInput, SweepFormValues, SweepRowValues } from './experiment-form-values.ts';

/** The settings a sweep may vary, in the order the picker offers them. */
export const SWEEP_CHOICES: readonly SweepParamName[] = ['lr', 'hidden', 'params', 'layers', 'dropout', 'clip', 'seqLen', 'batch', 'optimizer', 'weightDecay', 'forgetBias'];

/** A grid's points on a new range: low, middle, high. */
const GRID_POINTS = 3;

/** Where the form's value gives no span: no dropout, weight decay or clipping, and the forget-gate bias, which the form does not set. */
const SPANS: Partial<Record<SweepParamName, [number, number]>> = { dropout: [0, 0.5], weightDecay: [1e-5, 1e-2], clip: [0.5, 10], forgetBias: [0, 2] };

const tidy = (x: number, whole: boolean): number => (whole ? Math.round(x) : Number(x.toPrecision(2)));

/**
 * A new row for a setting: the form's optimizer and another, or a range on the catalogue's natural
 * scale around the form's value (sizes from half to twice it, a rate or a decay from a tenth to ten
 * times it, a fraction from 0 to twice it), or a usual span where the value gives none, inside the
 * setting's limits.
 */
export function newSweepRow(name: SweepParamName, v: ExperimentFormValues): SweepRowValues {
  const p = SWEEP_PARAMS[name];
  const row: SweepRowValues = { name, kind: 'range', scale: p.scale, min: '', max: '', points: GRID_POINTS, list: '' };
  if (p.choices || !p.range) {
    const other = p.choices?.find((c) => c !== v.optimizer) ?? v.optimizer;
    return { ...row, kind: 'values', list: [v.optimizer, other].join(',') };
  }
  const whole = p.range.whole === true;
  const cur = name === 'forgetBias' ? NaN : Number(v[name]);
  let [lo, hi] = SPANS[name] ?? [p.range.min, p.range.max];
  if (cur > 0 && Number.isFinite(cur)) {
    [lo, hi] = whole ? [cur / 2, cur * 2] : p.scale === 'log' ? [cur / 10, cur * 10] : [0, cur * 2];
  }
  lo = Math.max(tidy(lo, whole), p.range.min);
  hi = Math.min(tidy(hi, whole), p.range.max);
  if (whole && hi <= lo) hi = Math.min(lo + 1, p.range.max);
  // a grid cannot take more whole numbers than the range holds
  return { ...row, min: lo, max: hi, points: whole ? Math.min(GRID_POINTS, hi - lo + 1) : GRID_POINTS };
}

/** The row in the CLI's syntax: 'lr=log:0.0002:0.02', with ':K' points on a grid, or 'optimizer=adam,sgd'. */
export function sweepRowText(row: SweepRowValues, search: SweepFormValues['search']): string {
  if (row.kind === 'values') return `${row.name}=${row.list.split(',').map((s) => s.trim()).join(',')}`;
  return `${row.name}=${row.scale}:${row.min}:${row.max}${search === 'grid' ? `:${row.points}` : ''}`;
}

/** The sweep the form sends, from its parsed ranges and the number of trials (a grid's size, or the random draws). */
export function sweepSpecOf(s: SweepFormValues, ranges: SweepRange[], trials: number): SweepSpec {
  return {
    search: s.search,
    trials,
    drawSeed: Number(s.drawSeed),
    ranges,
    halving: s.halving ? { eta: Number(s.eta), minSteps: Number(s.minSteps) } : null,
  };
}

/** A saved sweep read back: anything that is not a sweep's shape falls back to the default, row by row. */
export function recallSweep(saved: unknown, fallback: SweepFormValues): SweepFormValues {
  if (saved === null || typeof saved !== 'object' || Array.isArray(saved)) return fallback;
  const s = saved as Record<string, unknown>;
  const num = (x: unknown, d: NumberInput): NumberInput => (typeof x === 'number' || x === '' ? x : d);
  const rows = Array.isArray(s.rows) ? s.rows.filter(isRow) : [];
  return {
    on: typeof s.on === 'boolean' ? s.on : fallback.on,
    search: s.search === 'grid' || s.search === 'random' ? s.search : fallback.search,
    trials: num(s.trials, fallback.trials),
    drawSeed: num(s.drawSeed, fallback.drawSeed),
    halving: typeof s.halving === 'boolean' ? s.halving : fallback.halving,
    eta: num(s.eta, fallback.eta),
    minSteps: num(s.minSteps, fallback.minSteps),
    rows,
  };
}

function isRow(x: unknown): x is SweepRowValues {
  if (x === null || typeof x !== 'object') return false;
  const r = x as Record<string, unknown>;
  const num = (y: unknown) => typeof y === 'number' || y === '';
  return SWEEP_CHOICES.includes(r.name as SweepParamName) && (r.kind === 'range' || r.kind === 'values') && (r.scale === 'log' || r.scale === 'linear') &&
    num(r.min) && num(r.max) && num(r.points) && typeof r.list === 'string';
}

/** What the swept setting's own box says instead of its hint: "Swept: log 0.0002 to 0.02 (see Sweep).", "Swept: adam, sgd (see Sweep)." */
export function sweptHint(row: SweepRowValues, search: SweepFormValues['search']): string {
  const what = row.kind === 'values'
    ? row.list.split(',').map((s) => s.trim()).filter(Boolean).join(', ')
    : `${search === 'grid' ? `${row.points} points, ` : ''}${row.scale} ${row.min} to ${row.max}`;
  return `Swept: ${what} (see Sweep).`;
}

/** The halving's rungs: minSteps x eta^k, each before the run's last step. */
export function rungsOf(steps: number, minSteps: number, eta: number): number[] {
  const rungs: number[] = [];
  if (!(minSteps > 0 && eta > 1)) return rungs;
  for (let r = minSteps; r < steps; r *= eta) rungs.push(r);
  return rungs;
}

/**
 * The share of the full runs' steps a halved sweep trains if each rung keeps exactly 1/eta of the
 * runs that reach it (synchronous successive halving): every run to the first rung, 1/eta of them
 * to the next, and so on. ASHA lets the first runs to reach a rung go on, so it keeps more than
 * that while a rung fills: this is a low estimate, and 1 the upper bound.
 */
export function halvedShare(steps: number, rungs: readonly number[], eta: number): number {
  if (rungs.length === 0 || !(steps > 0)) return 1;
  let trained = rungs[0];
  for (let k = 0; k < rungs.length; k++) trained += ((k + 1 < rungs.length ? rungs[k + 1] : steps) - rungs[k]) / eta ** (k + 1);
  return trained / steps;
}

/** The row that sweeps a setting of the form while the sweep is on, if one does. */
export function sweptRowOf(v: ExperimentFormValues, name: string): SweepRowValues | undefined {
  return v.sweep.on ? v.sweep.rows.find((r) => r.name === name) : undefined;
}
