/**
 * Timing: a spike 'X' recurs exactly every `period` steps amid random letters, and the model must
 * learn to emit it on time (after the timed-spike tasks of Gers, Schraudolph and Schmidhuber 2002,
 * which motivated the peephole LSTM: the cell must count the steps since the last spike).
 *
 * One unbroken stream of exactly `length` characters. The first spike comes at a random phase in
 * 0..period-1; position i holds 'X' when i = phase (mod period), otherwise a uniform random letter
 * from the noise alphabet (which has no 'X').
 *
 * Predictable: every spike after the first (the previous spike came exactly `period` steps before);
 * also longRange when period >= LONG_RANGE_MIN_LAG. The first spike (its phase is random) and the
 * noise letters are not predictable.
 */
import { Rng } from '../../../src-worker/engine/rng.ts';
import { LONG_RANGE_MIN_LAG, TaskTextBuilder, letters, type TaskText } from './task-text.ts';

export interface TimingParams {
  /** characters */
  length: number;
  seed: number;
  /** k: steps from one spike to the next (>= 2) */
  period: number;
  /** letters in the noise alphabet (>= 2) */
  symbols: number;
}

export const TIMING_SPIKE = 'X';

export function timing(p: TimingParams): TaskText {
  const rng = new Rng(p.seed);
  const noise = letters(p.symbols);
  const phase = rng.below(p.period);
  const far = p.period >= LONG_RANGE_MIN_LAG;
  const out = new TaskTextBuilder();
  for (let i = 0; i < p.length; i++) {
    if (i % p.period === phase) {
      const again = i >= p.period;
      out.push(TIMING_SPIKE, again, again && far);
    } else {
      out.push(noise[rng.below(noise.length)], false);
    }
  }
  return out.build();
}
