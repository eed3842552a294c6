/**
 * Chance on a built-in task's long-range positions: the accuracy of a model that has not got the
 * long-range memory the task is about, guessing uniformly among the characters the task allows at
 * those positions. The accuracy chart draws it as a line, so "25%" reads as "no better than a
 * guess" rather than as a modest success. What each task allows there (src-main/lab/tasks/):
 *
 *   recall  the recalled key: any of the `symbols` letters (the demo's 4: 25%)
 *   reber   the repeated outer symbol: T or P (50%)
 *   dyck    a far closing bracket: ')' or ']' (50%)
 *   timing  the spike: without counting the steps since the last one, any of the `symbols` noise
 *           letters or X could come next (1 / (symbols + 1))
 */

export interface Chance {
  /** 0..1 */
  value: number;
  /** what the guess is among: one of `count` letters or characters, or either of two symbols */
  among: { count: number; of: 'letters' | 'characters' } | { either: [string, string] };
}

/** What a corpus says of its task (CorpusMeta.task): its name and parameters. */
interface TaskRef {
  name: string;
  params: Record<string, number>;
}

function isTaskRef(task: unknown): task is TaskRef {
  if (task === null || typeof task !== 'object') return false;
  const t = task as Partial<TaskRef>;
  return typeof t.name === 'string' && t.params !== null && typeof t.params === 'object';
}

/** Chance at the long-range positions of a corpus's task, or null for a text file or a task without such positions. */
export function longRangeChance(task: unknown): Chance | null {
  if (!isTaskRef(task)) return null;
  const symbols = task.params.symbols;
  switch (task.name) {
    case 'recall':
      return Number.isInteger(symbols) && symbols >= 2 ? { value: 1 / symbols, among: { count: symbols, of: 'letters' } } : null;
    case 'timing':
      return Number.isInteger(symbols) && symbols >= 2 ? { value: 1 / (symbols + 1), among: { count: symbols + 1, of: 'characters' } } : null;
    case 'reber':
      return { value: 1 / 2, among: { either: ['T', 'P'] } };
    case 'dyck':
      return { value: 1 / 2, among: { either: [')', ']'] } };
    default:
      return null;
  }
}

/** Chance as a percentage with at most one decimal: "25%", "16.7%". */
export function chancePercent(c: Chance): string {
  return `${+(c.value * 100).toFixed(1)}%`;
}

/** What a chart writes at its chance line, in English (the app's own language is its catalogue's): "chance 25% (1 of 4 letters)". */
export function chanceLabel(c: Chance): string {
  const among = 'either' in c.among ? `${c.among.either[0]} or ${c.among.either[1]}` : `1 of ${c.among.count} ${c.among.of}`;
  return `chance ${chancePercent(c)} (${among})`;
}
