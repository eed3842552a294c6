import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src-worker/engine/config.ts';
import { dyck } from '../../src-main/lab/tasks/dyck.ts';
import { COMMON_PARAMS, TASKS, TASK_NAMES, generateTask, maskedAccuracy, resolveTaskParams, type TaskText } from '../../src-main/lab/tasks/index.ts';
import { recall } from '../../src-main/lab/tasks/recall.ts';
import { embeddedReber } from '../../src-main/lab/tasks/reber.ts';
import { timing } from '../../src-main/lab/tasks/timing.ts';

function positions(mask: Uint8Array): number[] {
  const out: number[] = [];
  mask.forEach((m, i) => m && out.push(i));
  return out;
}

function expectWellShaped(t: TaskText): void {
  expect(t.predictable.length).toBe(t.text.length);
  expect(t.longRange.length).toBe(t.text.length);
  // longRange positions are a subset of the predictable ones
  for (const i of positions(t.longRange)) expect(t.predictable[i]).toBe(1);
}

describe('every task', () => {
  it('gives the same text, masks included, for the same parameters and seed, and another for another seed', () => {
    for (const name of TASK_NAMES) {
      const a = generateTask(name, { length: 3000, seed: 5 });
      const b = generateTask(name, { length: 3000, seed: 5 });
      expect(b.text).toBe(a.text);
      expect(b.predictable).toEqual(a.predictable);
      expect(b.longRange).toEqual(a.longRange);
      expect(generateTask(name, { length: 3000, seed: 6 }).text).not.toBe(a.text);
      expectWellShaped(a);
      expect(a.text.length).toBe(3000); // the last sequence is cut off
      expect(positions(a.predictable).length).toBeGreaterThan(0);
      expect(positions(a.longRange).length).toBeGreaterThan(0); // with the defaults, every task has long-range positions
    }
  });

  it('describes itself and its parameters', () => {
    for (const name of TASK_NAMES) {
      const spec = TASKS[name];
      expect(spec.description.length).toBeGreaterThan(20);
      for (const p of [...spec.params, ...COMMON_PARAMS]) {
        expect(p.default).toBeGreaterThanOrEqual(p.min);
        expect(p.default).toBeLessThanOrEqual(p.max);
        expect(p.meaning).not.toBe('');
      }
    }
  });
});

describe('reber', () => {
  it('is embeddedReber cut to whole strings, the same strings for the same seed', () => {
    const t = generateTask('reber', { length: 2000, seed: 3 });
    const full = embeddedReber(400, 3);
    expect(full.text.startsWith(t.text)).toBe(true);
    expect(t.predictable).toEqual(full.predictable.subarray(0, t.text.length));
    expect(t.longRange).toEqual(full.longRange.subarray(0, t.text.length));
  });

  it('marks the repeated outer symbol, which equals the second symbol of its string', () => {
    const t = embeddedReber(200, 9);
    const strings = t.text.split(/(?<=E)(?=B)/); // each string ends ...T E or ...P E; the next starts with B
    expect(strings.length).toBe(200);
    let start = 0;
    for (const s of strings) {
      expect(s).toMatch(/^B[TP]B[TPSXV]+E[TP]E$/);
      const repeat = start + s.length - 2;
      expect(positions(t.longRange.subarray(start, start + s.length))).toEqual([s.length - 2]);
      expect(t.text[repeat]).toBe(s[1]);
      // predictable: the B after the previous E, the inner B, the inner E, the repeat and the final E
      const expected = [2, s.length - 3, s.length - 2, s.length - 1];
      expect(positions(t.predictable.subarray(start, start + s.length))).toEqual(start === 0 ? expected : [0, ...expected]);
      start += s.length;
    }
  });
});

describe('recall', () => {
  it('repeats the first letter of each line after the marker, exactly lag steps later', () => {
    for (const lag of [2, 3, 20, 57]) {
      const t = recall({ length: 5000, seed: lag, lag, symbols: 3 });
      expectWellShaped(t);
      expect(t.text.length).toBe(5000);
      const lines = t.text.split('\n');
      const last = lines.pop()!; // the line the length cut off
      expect(last.length).toBeLessThanOrEqual(lag + 1);
      expect(positions(t.predictable.subarray(5000 - last.length))).toEqual([lag - 1, lag].filter((k) => k < last.length));
      let start = 0;
      for (const line of lines) {
        expect(line).toMatch(new RegExp(`^[abc]{${lag - 1}}\\?[abc]$`));
        const answer = start + lag;
        expect(t.text[answer]).toBe(t.text[answer - lag]); // the rule: the character lag steps back
        expect(t.text[answer - 1]).toBe('?');
        // predictable: marker, answer, newline; longRange: the answer only
        expect(positions(t.predictable.subarray(start, start + lag + 2)).map((i) => i + start)).toEqual([answer - 1, answer, answer + 1]);
        expect(positions(t.longRange.subarray(start, start + lag + 2)).map((i) => i + start)).toEqual([answer]);
        start += line.length + 1;
      }
    }
  });

  it('draws keys and distractors from the whole alphabet', () => {
    const t = recall({ length: 20000, seed: 1, lag: 10, symbols: 5 });
    const keys = new Set(t.text.split('\n').slice(0, -1).map((l) => l[0]));
    expect([...keys].sort().join('')).toBe('abcde');
    expect(new Set(t.text.replace(/[?\n]/g, '')).size).toBe(5);
  });
});

describe('timing', () => {
  it('puts an X exactly every period steps and marks all but the first', () => {
    for (const period of [2, 7, 10, 33]) {
      const t = timing({ length: 4000, seed: period, period, symbols: 4 });
      expectWellShaped(t);
      expect(t.text.length).toBe(4000);
      const xs = positions(Uint8Array.from(t.text, (c) => (c === 'X' ? 1 : 0)));
      expect(xs[0]).toBeLessThan(period);
      for (let k = 1; k < xs.length; k++) expect(xs[k] - xs[k - 1]).toBe(period);
      expect(xs[xs.length - 1] + period).toBeGreaterThanOrEqual(4000);
      // predictable exactly where the character period steps back was also an X
      const rule = xs.filter((i) => i >= period && t.text[i - period] === 'X');
      expect(positions(t.predictable)).toEqual(rule);
      expect(positions(t.longRange)).toEqual(period >= 10 ? rule : []);
      expect(new Set(t.text.replace(/X/g, ''))).toEqual(new Set('abcd'));
    }
  });
});

describe('dyck', () => {
  /** Checks every line is balanced within the depth (the last may be cut off), and that the masks follow the rule in dyck.ts. */
  function checkDyck(t: TaskText, depth: number): { deepest: number; forcedCloses: number } {
    expectWellShaped(t);
    const stack: number[] = [];
    let deepest = 0;
    let forcedCloses = 0;
    for (let i = 0; i < t.text.length; i++) {
      const c = t.text[i];
      if (c === '(' || c === '[') {
        expect(t.predictable[i]).toBe(0);
        stack.push(i);
        expect(stack.length).toBeLessThanOrEqual(depth);
        deepest = Math.max(deepest, stack.length);
      } else if (c === ')' || c === ']') {
        if (stack.length === depth) forcedCloses++;
        const open = stack.pop()!;
        expect(open).toBeDefined();
        expect(c).toBe(t.text[open] === '(' ? ')' : ']'); // the type is the matching open's
        expect(t.predictable[i]).toBe(1);
        expect(t.longRange[i]).toBe(i - open >= 10 ? 1 : 0);
      } else {
        expect(c).toBe('\n');
        expect(stack.length).toBe(0); // a newline only at depth 0, right after the outer close
        expect(t.text[i - 1]).toMatch(/[)\]]/);
        expect(t.predictable[i]).toBe(1);
        expect(t.longRange[i]).toBe(0);
      }
      // after the outer close, the line ends: depth 0 is never followed by anything but '\n'
      if (stack.length === 0 && c !== '\n') expect(t.text[i + 1] ?? '\n').toBe('\n');
      // at the deepest level the next character is forced: a close
      if (stack.length === depth && i + 1 < t.text.length) expect(t.text[i + 1]).toMatch(/[)\]]/);
    }
    return { deepest, forcedCloses };
  }

  it('writes balanced lines within the depth, and marks closes and newlines', () => {
    for (const depth of [1, 2, 3, 8]) {
      const t = dyck({ length: 20000, seed: depth, depth });
      const { deepest, forcedCloses } = checkDyck(t, depth);
      expect(deepest).toBe(depth);
      expect(forcedCloses).toBeGreaterThan(0);
    }
    expect(new Set(dyck({ length: 500, seed: 1, depth: 1 }).text.split('\n').slice(0, -1))).toEqual(new Set(['()', '[]']));
  });

  it('closes and opens with the documented odds below the maximum depth', () => {
    const t = dyck({ length: 200000, seed: 4, depth: 50 });
    let closes = 0, opens = 0, depth = 0;
    for (const c of t.text) {
      if (depth > 0 && depth < 50) {
        if (c === ')' || c === ']') closes++;
        else opens++;
      }
      if (c === '(' || c === '[') depth++;
      else if (c !== '\n') depth--;
    }
    expect(closes / (closes + opens)).toBeCloseTo(0.5, 1); // tolerance 0.05
  });
});

describe('generateTask', () => {
  it('fills in the defaults', () => {
    expect(resolveTaskParams('recall')).toEqual({ lag: 20, symbols: 4, length: 100000, seed: 1 });
    expect(resolveTaskParams('dyck', { depth: 3, seed: 0 })).toEqual({ depth: 3, length: 100000, seed: 0 });
    expect(generateTask('timing', { length: 50, seed: 2 }).text).toBe(timing({ length: 50, seed: 2, period: 10, symbols: 4 }).text);
  });

  it('refuses parameters out of range, naming the parameter and its range', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['recall', { lag: 1 }, 'recall.lag: must be a whole number from 2 to 1000 (steps from the letter to its recall), got 1'],
      ['recall', { lag: 2.5 }, 'recall.lag: must be a whole number from 2 to 1000'],
      ['recall', { symbols: 27 }, 'recall.symbols: must be a whole number from 2 to 26'],
      ['timing', { period: 1001 }, 'timing.period: must be a whole number from 2 to 1000'],
      ['timing', { period: '12' }, 'timing.period: must be a whole number from 2 to 1000 (steps from one X to the next), got "12"'],
      ['dyck', { depth: 0 }, 'dyck.depth: must be a whole number from 1 to 200'],
      ['dyck', { length: 0 }, 'dyck.length: must be a whole number from 1 to 50000000'],
      ['reber', { seed: -1 }, `reber.seed: must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`],
      ['dyck', { lag: 3 }, 'dyck.lag: unknown parameter; task dyck takes: depth, length, seed'],
      ['copy', {}, 'task: unknown task "copy"; the tasks are: reber, recall, timing, dyck'],
      ['toString', {}, 'unknown task "toString"'],
    ];
    for (const [name, params, message] of cases) {
      expect(() => generateTask(name, params), `${name} ${JSON.stringify(params)}`).toThrow(ConfigError);
      expect(() => generateTask(name, params)).toThrow(message);
    }
  });
});

describe('maskedAccuracy', () => {
  it('scores evaluation position i against the mask at text position offset + i + 1', () => {
    //                     text position: 0  1  2  3  4  5  6
    const mask = Uint8Array.from([1, 0, 1, 1, 0, 1, 1]);
    // evaluating text[2..6] (offset 2): 4 predictions, of text positions 3, 4, 5, 6
    const correct = Uint8Array.from([1, 1, 0, 1]);
    expect(maskedAccuracy(correct, mask, 2)).toEqual({ hits: 2, total: 3, accuracy: 2 / 3 });
    expect(maskedAccuracy(new Uint8Array(1), mask, 0)).toEqual({ hits: 0, total: 0, accuracy: NaN });
    expect(() => maskedAccuracy(correct, mask, 3)).toThrow('beyond the mask of 7');
    expect(() => maskedAccuracy(correct, mask, -1)).toThrow('offset');
  });

  it('gives 100% for a predictor that follows the task rule', () => {
    const t = recall({ length: 2000, seed: 8, lag: 12, symbols: 4 });
    // a predictor that counts from the line start and remembers its first letter; it guesses 'a' otherwise
    const correct = new Uint8Array(t.text.length - 1);
    let lineStart = 0;
    for (let i = 0; i + 1 < t.text.length; i++) {
      if (t.text[i] === '\n') lineStart = i + 1;
      const at = i + 1 - lineStart; // position of the predicted character in its line
      const guess = at === 11 ? '?' : at === 12 ? t.text[lineStart] : at === 13 ? '\n' : 'a';
      correct[i] = guess === t.text[i + 1] ? 1 : 0;
    }
    expect(maskedAccuracy(correct, t.longRange, 0).accuracy).toBe(1);
    expect(maskedAccuracy(correct, t.predictable, 0).accuracy).toBe(1);
  });
});
