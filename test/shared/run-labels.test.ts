import { describe, expect, it } from 'vitest';
import { queueText, seedLabel, seedsText, statusText } from '../../src-shared/run-labels.ts';

describe('run labels', () => {
  it('names a run by its seed, and a duplicate by its copy number too', () => {
    expect(seedLabel({ seed: 1, copy: 0 })).toBe('s1');
    expect(seedLabel({ seed: 1, copy: 1 })).toBe('s1 (copy 1)');
    expect(seedLabel({ seed: 3, copy: 2 })).toBe('s3 (copy 2)');
    // a sweep's trials of a cell share their seeds: the trial names the run
    expect(seedLabel({ seed: 1, copy: 0, trial: { index: 3 } })).toBe('t3 s1');
    expect(seedLabel({ seed: 1, copy: 1, trial: { index: 0 } })).toBe('t0 s1 (copy 1)');
  });

  it('counts distinct seeds, not runs: a duplicate repeats its seed', () => {
    expect(seedsText([{ seed: 1 }])).toBe('1 seed');
    expect(seedsText([{ seed: 1 }, { seed: 2 }, { seed: 3 }])).toBe('3 seeds');
    expect(seedsText([{ seed: 1 }, { seed: 1 }, { seed: 2 }])).toBe('2 seeds, 3 runs');
    expect(seedsText([{ seed: 1 }, { seed: 1 }])).toBe('1 seed, 2 runs');
  });

  it('says a status in words', () => {
    expect(['not-started', 'waiting', 'running', 'interrupted'].map(statusText)).toEqual(['not started', 'waiting', 'running', 'interrupted']);
  });

  it('says where a waiting run stands and what the first in line waits for', () => {
    expect(queueText({ position: 1, threads: 1 })).toBe('1st in line, needs a free thread');
    expect(queueText({ position: 1, threads: 2 })).toBe('1st in line, needs 2 free threads');
    expect([2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map((position) => queueText({ position, threads: 1 }))).toEqual([
      '2nd in line', '3rd in line', '4th in line', '11th in line', '12th in line', '13th in line', '21st in line', '22nd in line', '23rd in line', '101st in line', '111th in line',
    ]);
  });
});
