/**
 * How a run is named wherever runs are named (the run table, legends, samples, Compare, Generate,
 * Inside the cells, the report), and its state in words. A name is unique within an experiment: a
 * duplicate trains the same cell and seed again, so it carries its copy number ("s1 (copy 1)").
 */

/** What naming needs of a run (the API's Run has it). */
interface NamedRun {
  seed: number;
  /** 0 for the first run of its cell and seed, 1, 2, ... for its duplicates */
  copy: number;
  /** a sweep's run: every trial of a cell has the same seeds, so the trial tells them apart */
  trial?: { index: number } | null;
}

/** "s1", or "s1 (copy 2)" for the second duplicate of seed 1; a sweep's run "t3 s1". */
export function seedLabel(run: NamedRun): string {
  const seed = run.trial ? `t${run.trial.index} s${run.seed}` : `s${run.seed}`;
  return run.copy > 0 ? `${seed} (copy ${run.copy})` : seed;
}

/**
 * How many seeds some runs of a cell are: "3 seeds", "1 seed", or "2 seeds, 3 runs" when a
 * duplicate repeats a seed (it is the same training again, not one more seed).
 */
export function seedsText(runs: readonly { seed: number }[]): string {
  const seeds = new Set(runs.map((r) => r.seed)).size;
  const text = `${seeds} ${seeds === 1 ? 'seed' : 'seeds'}`;
  return runs.length === seeds ? text : `${text}, ${runs.length} runs`;
}

/** A status as a user reads it: "not started", "waiting", "running"... */
export function statusText(status: string): string {
  return status.replace(/-/g, ' ');
}

/** 1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, 21st */
function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/**
 * Where a waiting run stands and why it waits: the first in line for free threads ("1st in line,
 * needs 2 free threads"), the others for the runs ahead ("3rd in line").
 */
export function queueText(place: { position: number; threads: number }): string {
  const at = `${ordinal(place.position)} in line`;
  if (place.position > 1) return at;
  return `${at}, needs ${place.threads === 1 ? 'a free thread' : `${place.threads} free threads`}`;
}
