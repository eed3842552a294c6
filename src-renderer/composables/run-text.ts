/**
 * How the interface names runs and their states, in the app's language: the translated
 * counterparts of src-shared/run-labels.ts (which the report and the CLI keep in English). Plain
 * functions over the global translator, so stores, composables and templates share them.
 */
import type { Run, RunStatus } from '../../src-main/api/contract.ts';
import { formatInt } from '../../src-shared/format.ts';
import { cellTitle, type Coverage } from '../../src-shared/seed-groups.ts';
import { currentLang, tr } from '../i18n.ts';

/** What naming needs of a run. */
type NamedRun = Pick<Run, 'seed' | 'copy'> & { trial?: Run['trial'] };

/** "s1", or "s1 (copy 2)" for the second duplicate of seed 1; a sweep's run "t3 s1" (every trial has the same seeds). */
export function seedName(run: NamedRun): string {
  const seed = run.trial ? tr('runs.trialSeed', { trial: run.trial.index, seed: run.seed }) : tr('runs.seed', { seed: run.seed });
  return run.copy > 0 ? tr('runs.seedCopy', { seed, copy: run.copy }) : seed;
}

/** What sentences and legends call a cell: its catalogue title, with the peephole LSTM's in the app's language. */
export function cellName(cell: string): string {
  return cell === 'lstm-peephole' ? tr('runs.peepholeLstm') : cellTitle(cell);
}

/** "run 3 (lstm s1)": a run where a sentence or a button's name needs it whole. */
export function runName(run: Pick<Run, 'id' | 'cell' | 'seed' | 'copy' | 'trial'>): string {
  return tr('runs.name', { id: run.id, cell: run.cell, seed: seedName(run) });
}

/** "3 seeds", "1 seed", or "2 seeds, 3 runs" when a duplicate repeats a seed. */
export function seedsName(runs: readonly { seed: number }[]): string {
  const seeds = new Set(runs.map((r) => r.seed)).size;
  const text = tr('runs.seeds', seeds);
  return runs.length === seeds ? text : tr('runs.seedsAndRuns', { seeds: text, runs: runs.length });
}

const STATUS: Record<RunStatus, () => string> = {
  'not-started': () => tr('runs.status.notStarted'),
  waiting: () => tr('runs.status.waiting'),
  running: () => tr('runs.status.running'),
  paused: () => tr('runs.status.paused'),
  completed: () => tr('runs.status.completed'),
  failed: () => tr('runs.status.failed'),
  cancelled: () => tr('runs.status.cancelled'),
  stopped: () => tr('runs.status.stopped'),
  interrupted: () => tr('runs.status.interrupted'),
};

/** A status as a user reads it: "not started", "waiting", "running"... (an unknown one as it came). */
export function statusName(status: string): string {
  return Object.hasOwn(STATUS, status) ? STATUS[status as RunStatus]() : status;
}

/** what each state means, on the status badge */
const MEANING: Record<RunStatus, () => string> = {
  'not-started': () => tr('runs.meaning.notStarted'),
  waiting: () => tr('runs.meaning.waiting'),
  running: () => tr('runs.meaning.running'),
  paused: () => tr('runs.meaning.paused'),
  completed: () => tr('runs.meaning.completed'),
  failed: () => tr('runs.meaning.failed'),
  cancelled: () => tr('runs.meaning.cancelled'),
  stopped: () => tr('runs.meaning.stopped'),
  interrupted: () => tr('runs.meaning.interrupted'),
};

/** What a status means (an unknown one, from a newer lab, as it came: the badge's title must not throw). */
export function statusMeaning(status: string): string {
  return Object.hasOwn(MEANING, status) ? MEANING[status as RunStatus]() : status;
}

const ORDINAL: Record<Intl.LDMLPluralRule, (n: number) => string> = {
  zero: (n) => tr('runs.ordinal.other', { n }),
  one: (n) => tr('runs.ordinal.one', { n }),
  two: (n) => tr('runs.ordinal.two', { n }),
  few: (n) => tr('runs.ordinal.few', { n }),
  many: (n) => tr('runs.ordinal.other', { n }),
  other: (n) => tr('runs.ordinal.other', { n }),
};

/** 1st, 2nd, 3rd, 11th, 21st in English; 1번째 in Korean: the language's own ordinal rule (Intl). */
export function ordinal(n: number): string {
  return ORDINAL[new Intl.PluralRules(currentLang(), { type: 'ordinal' }).select(n)](n);
}

/**
 * Where a waiting run stands and why it waits: the first in line for free threads ("1st in line,
 * needs 2 free threads"), the others for the runs ahead ("3rd in line").
 */
export function queueName(place: { position: number; threads: number }): string {
  const at = ordinal(place.position);
  return place.position > 1 ? tr('runs.inLine', { place: at }) : tr('runs.inLineNeeds', { place: at, n: place.threads }, place.threads);
}


/**
 * What a legend says of a cell whose mean does not average all its seeds everywhere ("LSTM: 2 seeds
 * to step 1,000, 1 to step 2,000"), or null when every seed is there all along.
 */
export function coverageName(label: string, seeds: number, coverage: readonly Coverage[]): string | null {
  if (coverage.length === 0) return tr('charts.coverage.none', { label });
  const missing = seeds - coverage[0].seeds;
  if (coverage.length === 1 && missing === 0) return null;
  const parts = coverage.map((c, i) => (i === 0 ? tr('charts.coverage.first', { n: c.seeds, step: formatInt(c.to) }, c.seeds) : tr('charts.coverage.next', { n: c.seeds, step: formatInt(c.to) }))).join(', ');
  return missing > 0 ? tr('charts.coverage.cellMissing', { label, parts, missing }) : tr('charts.coverage.cell', { label, parts });
}
