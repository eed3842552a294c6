/** What the run table says about a sweep's run: why the halving rule stopped it. */
import type { HaltDecision } from '../../src-main/api/contract.ts';
import { formatInt } from '../../src-shared/format.ts';
import { formatNats } from '../../src-shared/seed-stats.ts';
import { tr } from '../i18n.ts';
import { ordinal } from './run-text.ts';

/** "at step 50: 2.104, behind the cutoff 1.950 (3rd of 4; the best 1/2 go on)" */
export function haltNote(h: HaltDecision): string {
  return tr('sweep.halted', { step: formatInt(h.rung), loss: formatNats(h.valLoss), cutoff: formatNats(h.cutoff), rank: ordinal(h.rank), of: h.of, eta: h.eta });
}
