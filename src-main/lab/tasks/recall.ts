/**
 * Delayed recall: remember one symbol for `lag` steps while distractors stream past, then repeat it
 * after a marker (after the two-sequence tasks of Hochreiter and Schmidhuber 1997, experiment 2).
 * One line per trial, for lag L and letters a, b, ... as the symbols:
 *
 *   position 0          the key: a random letter
 *   positions 1..L-2    distractors: random letters from the same alphabet, so the model must hold
 *                       the first letter of the line and ignore the rest (an input gate's job)
 *   position L-1        the marker '?'
 *   position L          the key again, exactly L steps after it was seen
 *   position L+1        '\n'
 *
 * Predictable: the recalled key (also longRange: it is the character L steps back, nothing nearer
 * tells it), the marker (it always comes L-1 steps after the line starts, so it takes counting, not
 * recall: predictable but not longRange) and the newline (it always follows the recalled key).
 * Keys and distractors are uniform random letters: never predictable.
 */
import { Rng } from '../../../src-worker/engine/rng.ts';
import { TaskTextBuilder, letters, type TaskText } from './task-text.ts';

export interface RecallParams {
  /** characters: lines are generated until there are this many, and the last one is cut off there */
  length: number;
  seed: number;
  /** L: steps from the key to its recall (>= 2) */
  lag: number;
  /** letters in the alphabet of keys and distractors (>= 2) */
  symbols: number;
}

export const RECALL_MARKER = '?';

export function recall(p: RecallParams): TaskText {
  const rng = new Rng(p.seed);
  const alphabet = letters(p.symbols);
  const out = new TaskTextBuilder();
  while (out.length < p.length) {
    const key = alphabet[rng.below(alphabet.length)];
    out.push(key, false);
    for (let i = 1; i <= p.lag - 2; i++) out.push(alphabet[rng.below(alphabet.length)], false);
    out.push(RECALL_MARKER, true);
    out.push(key, true, true);
    out.push('\n', true);
  }
  return out.build(p.length);
}
