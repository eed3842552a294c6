/**
 * The summary's verdicts and each seed's outcome in the app's language.
 */
import { formatInt } from '../../src-shared/format.ts';
import type { SeedOutcome } from '../../src-shared/seed-groups.ts';
import { formatNats, type VerdictItem } from '../../src-shared/seed-stats.ts';
import { verdictText as sharedVerdictText, type VerdictOn } from '../../src-shared/verdict-text.ts';
import { tr } from '../i18n.ts';
import { statusName } from './run-text.ts';

/** The verdict between cells on one metric in the app's language (src-shared/verdict-text.ts says it). */
export function verdictText(cells: readonly { name: string; values: readonly number[] }[], on: VerdictOn): VerdictItem[] {
  return sharedVerdictText(cells, on, tr);
}

/** What one seed contributes to the summary: its final value, or why it counts for nothing. */
export function outcomeText(o: SeedOutcome, format: (x: number) => string = formatNats): string {
  switch (o.kind) {
    case 'final': return format(o.value);
    case 'diverged': return tr('summary.outcome.diverged');
    case 'not-finished': return o.step === 0 ? statusName(o.status) : tr('summary.outcome.notFinished', { state: statusName(o.status), step: formatInt(o.step) });
    case 'no-evaluation': return tr('summary.outcome.noEvaluation');
  }
}
