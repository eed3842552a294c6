/**
 * Runs grouped as the seeds of one cell of one experiment, and what each seed contributes to the
 * summary: its final validation loss.
 */
import { CELL_CATALOGUE, isCellName } from './cells.ts';
import { formatInt } from './format.ts';
import { statusText } from './run-labels.ts';
import { formatNats } from './seed-stats.ts';

/** What grouping needs of a run (the API's Run has it). */
interface GroupedRun {
  experimentId: number;
  cell: string;
}

/** What sentences and legends call a cell: its catalogue title, or its name when it is none of ours. */
export function cellTitle(cell: string): string {
  return isCellName(cell) ? CELL_CATALOGUE[cell].title : cell;
}

export interface RunGroup<R extends GroupedRun> {
  /** experiment id and cell, e.g. "3:lstm" */
  key: string;
  experimentId: number;
  cell: string;
  /** the cell's title, after its experiment's name when the runs come from several experiments */
  label: string;
  /** in the order given */
  runs: R[];
}

/** The runs grouped by experiment and cell, in order of first appearance; `title` names a cell (the app's in its language). */
export function groupRuns<R extends GroupedRun>(runs: readonly R[], experimentName: (id: number) => string | undefined = () => undefined, title: (cell: string) => string = cellTitle): RunGroup<R>[] {
  const several = new Set(runs.map((r) => r.experimentId)).size > 1;
  const groups = new Map<string, RunGroup<R>>();
  for (const run of runs) {
    const key = `${run.experimentId}:${run.cell}`;
    let g = groups.get(key);
    if (!g) {
      const name = title(run.cell);
      g = { key, experimentId: run.experimentId, cell: run.cell, label: several ? `${experimentName(run.experimentId) ?? `experiment ${run.experimentId}`} · ${name}` : name, runs: [] };
      groups.set(key, g);
    }
    g.runs.push(run);
  }
  return [...groups.values()];
}

/**
 * Each run's colour index: the index of its group, so a cell's seeds share a colour on the charts,
 * the run table and the samples (with one seed per cell, that is each run's own position).
 */
export function colorIndexes(runs: readonly GroupedRun[]): number[] {
  const index = new Map<string, number>();
  return runs.map((r) => {
    const key = `${r.experimentId}:${r.cell}`;
    if (!index.has(key)) index.set(key, index.size);
    return index.get(key)!;
  });
}

/** Whether any group has two or more runs: then the charts default to mean and band. */
export function hasSeeds(groups: readonly { runs: readonly unknown[] }[]): boolean {
  return groups.some((g) => g.runs.length >= 2);
}

/**
 * What one seed contributes: a finished run's last validation loss (or, on a task corpus, the
 * long-range accuracy of that same evaluation). Runs still training (or stopped early) are not
 * counted, so every counted seed had the same training budget; a finished run whose loss is not a
 * number (diverged) is reported, not silently averaged.
 */
export type SeedOutcome =
  | { kind: 'final'; value: number; step: number }
  | { kind: 'diverged'; step: number }
  | { kind: 'not-finished'; status: string; step: number }
  | { kind: 'no-evaluation' };

/** A seed's outcome as the summaries write it: its final value (a loss unless told), or why it is not counted. */
export function seedOutcomeText(o: SeedOutcome, format: (x: number) => string = formatNats): string {
  switch (o.kind) {
    case 'final': return format(o.value);
    case 'diverged': return 'diverged (not counted)';
    case 'not-finished': return o.step === 0 ? statusText(o.status) : `${statusText(o.status)} at step ${formatInt(o.step)} (not counted)`;
    case 'no-evaluation': return 'no evaluation';
  }
}

/**
 * The values the statistics average: one per distinct seed that counts. A duplicated run repeats
 * its seed bit for bit, so counting it again would shrink the spread it has not added; the first
 * final value of each seed, in run order, stands for it. A sweep's runs of one seed in different
 * trials train different configs, so they are not duplicates: a seed is told apart by its trial.
 */
export function finalValues(seeds: readonly { seed: number; trial?: number | null; outcome: SeedOutcome }[]): number[] {
  const counted = new Set<string>();
  const values: number[] = [];
  for (const { seed, trial, outcome } of seeds) {
    const key = `${trial ?? '-'}:${seed}`;
    if (outcome.kind !== 'final' || counted.has(key)) continue;
    counted.add(key);
    values.push(outcome.value);
  }
  return values;
}

export function seedOutcome(
  run: { status: string; step: number },
  evals: { evalStep: readonly number[]; valLoss: readonly number[]; longRangeAccuracy?: readonly number[] },
  metric: 'valLoss' | 'longRangeAccuracy' = 'valLoss',
): SeedOutcome {
  if (run.status !== 'completed') return { kind: 'not-finished', status: run.status, step: run.step };
  const last = evals.valLoss.length - 1;
  if (last < 0) return { kind: 'no-evaluation' };
  const step = evals.evalStep[last];
  if (!Number.isFinite(evals.valLoss[last])) return { kind: 'diverged', step };
  const value = metric === 'valLoss' ? evals.valLoss[last] : evals.longRangeAccuracy?.[last] ?? NaN;
  return Number.isFinite(value) ? { kind: 'final', value, step } : { kind: 'no-evaluation' };
}

/** How many seeds a cell's mean averages up to which step. */
export interface Coverage {
  seeds: number;
  to: number;
}

/**
 * From the steps a cell's seeds have reached: up to the first end every seed with a step, then
 * one fewer up to the next, and so on ([1000, 2000] -> 2 seeds to step 1,000, 1 to 2,000). A seed
 * at step 0 counts nowhere.
 */
export function seedCoverage(steps: readonly number[]): Coverage[] {
  const reached = steps.filter((s) => s > 0).sort((a, b) => a - b);
  const out: Coverage[] = [];
  reached.forEach((to, i) => {
    if (out.length > 0 && out[out.length - 1].to === to) return;
    out.push({ seeds: reached.length - i, to });
  });
  return out;
}
