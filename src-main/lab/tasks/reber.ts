/**
 * The embedded Reber grammar (Hochreiter and Schmidhuber 1997): a Reber string wrapped as
 * B T <reber> T E or B P <reber> P E. The symbol before the final E repeats the second symbol,
 * across the whole inner string: a long-range dependency that plain RNNs struggle to hold.
 */
import { Rng } from '../../../src-worker/engine/rng.ts';

/** Reber grammar: from each state, two equally likely (symbol, next state) choices; 6 ends the string. */
const REBER: ReadonlyArray<ReadonlyArray<readonly [string, number]>> = [
  [['T', 1], ['P', 2]],
  [['S', 1], ['X', 3]],
  [['T', 2], ['V', 4]],
  [['X', 2], ['S', 5]],
  [['P', 3], ['V', 5]],
];

export interface TaskText {
  text: string;
  /** per position i of text: 1 where text[i] is determined by what came before (it can be predicted) */
  predictable: Uint8Array;
  /** per position: 1 where predicting text[i] needs the long-range memory the task is about */
  longRange: Uint8Array;
}

/** `count` embedded Reber strings, concatenated, from a seeded generator. */
export function embeddedReber(count: number, seed: number): TaskText {
  const rng = new Rng(seed);
  const chars: string[] = [];
  const predictable: number[] = [];
  const longRange: number[] = [];
  const push = (c: string, canPredict: boolean, far = false): void => {
    chars.push(c);
    predictable.push(canPredict ? 1 : 0);
    longRange.push(far ? 1 : 0);
  };
  for (let s = 0; s < count; s++) {
    const outer = rng.below(2) === 0 ? 'T' : 'P';
    push('B', s > 0); // follows the previous string's E
    push(outer, false);
    push('B', true);
    let state = 0;
    while (state !== 5) {
      const [symbol, next] = REBER[state][rng.below(2)];
      push(symbol, false);
      state = next;
    }
    push('E', true);
    push(outer, true, true);
    push('E', true);
  }
  return { text: chars.join(''), predictable: Uint8Array.from(predictable), longRange: Uint8Array.from(longRange) };
}
