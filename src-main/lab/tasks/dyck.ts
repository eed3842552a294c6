/**
 * Dyck-2: balanced brackets of two kinds, '(' ')' and '[' ']', nested at most `depth` deep. Telling
 * which bracket closes next needs a stack of the open ones: memory that grows with nesting.
 *
 * One line per string: an outer pair holding a random sequence of balanced pairs, then '\n'. From
 * depth 0 the line opens '(' or '[' (a coin flip); then, while the depth d is above 0: at d = depth
 * the innermost open bracket is closed; below it, close it with probability 1/2, otherwise open
 * '(' or '[' with probability 1/4 each. When d returns to 0, '\n' ends the line.
 *
 * Predictable positions:
 *   - every closing bracket. Its type is fixed by its matching open bracket. At the maximum depth
 *     the close itself is forced, so the character is fully determined; below it, whether a close
 *     comes is a coin flip, but the right close (probability 1/2) is then the single most likely
 *     next character (each open has 1/4), so a model that tracks the stack predicts it, and accuracy
 *     on these positions measures exactly that;
 *   - every '\n': it always follows the close that returns to depth 0.
 * Opening brackets are coin flips: never predictable.
 * longRange: the closing brackets whose matching open is LONG_RANGE_MIN_LAG or more steps back.
 */
import { Rng } from '../../../src-worker/engine/rng.ts';
import { LONG_RANGE_MIN_LAG, TaskTextBuilder, type TaskText } from './task-text.ts';

export interface DyckParams {
  /** characters: lines are generated until there are this many, and the last one is cut off there */
  length: number;
  seed: number;
  /** D: the deepest nesting, the outer pair counting as depth 1 (>= 1) */
  depth: number;
}

export const DYCK_PAIRS: Readonly<Record<string, string>> = { '(': ')', '[': ']' };

export function dyck(p: DyckParams): TaskText {
  const rng = new Rng(p.seed);
  const out = new TaskTextBuilder();
  const opens: number[] = []; // positions of the open brackets not yet closed: the stack
  const open = (): void => {
    opens.push(out.length);
    out.push(rng.below(2) === 0 ? '(' : '[', false);
  };
  while (out.length < p.length) {
    open();
    while (opens.length > 0) {
      if (opens.length < p.depth && rng.below(2) === 0) {
        open();
        continue;
      }
      const from = opens.pop()!;
      out.push(DYCK_PAIRS[out.at(from)], true, out.length - from >= LONG_RANGE_MIN_LAG);
    }
    out.push('\n', true);
  }
  return out.build(p.length);
}
