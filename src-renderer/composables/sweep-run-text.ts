/** What the run table says about a sweep's run: why the halving rule stopped it. */
import type { HaltDecision } from '../../src-main/api/contract.ts';
import { formatInt } from '../../src-shared/format.ts';
import { formatNats } from '../../src-shared/seed-stats.ts';

/** "at step 50: 2.104, behind the cutoff 1.950 (3rd of 4; the best 1/2 go on)" */
export function haltNote(h: HaltDecision): string {
  return `at step ${formatInt(h.rung)}: ${formatNats(h.valLoss)}, behind the cutoff ${formatNats(h.cutoff)} (${ordinal(h.rank)} of ${h.of}; the best 1/${h.eta} go on)`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}
