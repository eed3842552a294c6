/** Chance on each built-in task's long-range positions, checked against the texts the tasks generate. */
import { describe, expect, it } from 'vitest';
import { generateTask, resolveTaskParams, TASK_NAMES } from '../../src-main/lab/tasks/index.ts';
import { chanceLabel, longRangeChance } from '../../src-shared/task-chance.ts';

/** the characters that stand at a task text's long-range positions */
function atLongRange(name: string, params: Record<string, number>): Set<string> {
  const t = generateTask(name, params);
  const out = new Set<string>();
  for (let i = 0; i < t.text.length; i++) if (t.longRange[i]) out.add(t.text[i]);
  return out;
}

describe('longRangeChance', () => {
  it('is 1 over the characters a long-range position can hold, for every task (recall 25% with 4 letters)', () => {
    const task = (name: string, params: Record<string, number> = {}) => ({ name, params: resolveTaskParams(name, { length: 20_000, ...params }) });
    expect(longRangeChance(task('recall', { lag: 16 }))).toEqual({ value: 0.25, among: { count: 4, of: 'letters' } });
    expect(chanceLabel(longRangeChance(task('recall', { lag: 16 }))!)).toBe('chance 25% (1 of 4 letters)');
    for (const symbols of [2, 4, 7]) {
      const t = task('recall', { lag: 12, symbols });
      expect(atLongRange(t.name, t.params).size).toBe(symbols);
      expect(longRangeChance(t)!.value).toBeCloseTo(1 / symbols, 12);
    }
    const reber = task('reber');
    expect([...atLongRange(reber.name, reber.params)].sort()).toEqual(['P', 'T']);
    expect(longRangeChance(reber)!.value).toBe(0.5);
    const dyck = task('dyck', { depth: 12 });
    expect([...atLongRange(dyck.name, dyck.params)].sort()).toEqual([')', ']']);
    expect(longRangeChance(dyck)!.value).toBe(0.5);
    // the spike is always X, but without counting any of the text's characters could come next
    const timing = task('timing', { period: 12, symbols: 5 });
    expect([...atLongRange(timing.name, timing.params)]).toEqual(['X']);
    expect(new Set(generateTask(timing.name, timing.params).text).size).toBe(6);
    expect(longRangeChance(timing)).toEqual({ value: 1 / 6, among: { count: 6, of: 'characters' } });
    expect(chanceLabel(longRangeChance(timing)!)).toBe('chance 16.7% (1 of 6 characters)');
    // every task has its chance
    for (const name of TASK_NAMES) expect(longRangeChance(task(name, name === 'timing' ? { period: 12 } : {}))).not.toBeNull();
  });

  it('is none for a text file or something that is not a task', () => {
    expect(longRangeChance(null)).toBeNull();
    expect(longRangeChance({ name: 'poems' })).toBeNull();
    expect(longRangeChance({ name: 'novel', params: {} })).toBeNull();
    expect(longRangeChance({ name: 'recall', params: { symbols: 'four' } })).toBeNull();
  });
});
