/**
 * The embedded Reber grammar (Hochreiter and Schmidhuber 1997): a Reber string wrapped as
 * B T <reber> T E or B P <reber> P E. The symbol before the final E repeats the second symbol,
 * across the whole inner string: a long-range dependency that plain RNNs struggle to hold.
 *
 * Predictable: the B that opens every string but the first (it follows an E), the inner B, the
 * inner E, the repeated outer symbol (also longRange) and the final E. Every other symbol is one of
 * two equally likely choices.
 */
import { Rng } from '../../../src-worker/engine/rng.ts';
import { TaskTextBuilder, type TaskText } from './task-text.ts';

export type { TaskText } from './task-text.ts';

/** Reber grammar: from each state, two equally likely (symbol, next state) choices; 5 ends the string. */
const REBER: ReadonlyArray<ReadonlyArray<readonly [string, number]>> = [
  [['T', 1], ['P', 2]],
  [['S', 1], ['X', 3]],
  [['T', 2], ['V', 4]],
  [['X', 2], ['S', 5]],
  [['P', 3], ['V', 5]],
];

/** `count` embedded Reber strings, concatenated, from a seeded generator. */
export function embeddedReber(count: number, seed: number): TaskText {
  const out = new TaskTextBuilder();
  const rng = new Rng(seed);
  for (let s = 0; s < count; s++) pushEmbeddedReber(out, rng, s > 0);
  return out.build();
}

/**
 * `length` characters of embedded Reber strings (the last one cut off there). The same seed gives
 * the same strings as embeddedReber, so one text is a prefix of the other.
 */
export function embeddedReberText(length: number, seed: number): TaskText {
  const out = new TaskTextBuilder();
  const rng = new Rng(seed);
  while (out.length < length) pushEmbeddedReber(out, rng, out.length > 0);
  return out.build(length);
}

function pushEmbeddedReber(out: TaskTextBuilder, rng: Rng, afterAnother: boolean): void {
  const outer = rng.below(2) === 0 ? 'T' : 'P';
  out.push('B', afterAnother); // follows the previous string's E
  out.push(outer, false);
  out.push('B', true);
  let state = 0;
  while (state !== 5) {
    const [symbol, next] = REBER[state][rng.below(2)];
    out.push(symbol, false);
    state = next;
  }
  out.push('E', true);
  out.push(outer, true, true);
  out.push('E', true);
}
