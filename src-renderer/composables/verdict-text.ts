/**
 * The summary's verdicts in the app's language: seed-stats.ts judges (verdictOutcome), this says
 * it, one whole sentence per case so that each language keeps its own word order.
 */
import { formatInt } from '../../src-shared/format.ts';
import type { SeedOutcome } from '../../src-shared/seed-groups.ts';
import { capitalize, formatNats, LONG_RANGE_ACCURACY, VAL_LOSS, verdictOutcome, type PairVerdict, type VerdictItem } from '../../src-shared/seed-stats.ts';
import { tr } from '../i18n.ts';
import { statusName } from './run-text.ts';

/** What the verdict judges: the final validation loss, or the final long-range accuracy. */
export type VerdictOn = 'valLoss' | 'longRange';

interface CellValues {
  name: string;
  values: readonly number[];
}

function seedsPhrase(a: number, b: number): string {
  return a === b ? tr('summary.sentence.seeds', { n: a }) : tr('summary.sentence.seedsEach', { a, b });
}

function pairSentence(v: PairVerdict, on: VerdictOn): string {
  const names = { better: capitalize(v.better), worse: v.worse };
  switch (v.kind) {
    case 'beats': {
      const beats = { ...names, seeds: seedsPhrase(v.nBetter, v.nWorse) };
      return on === 'valLoss'
        ? tr('summary.sentence.beatsLoss', { ...beats, diff: VAL_LOSS.formatDiff(v.diff) })
        : tr('summary.sentence.beatsLongRange', { ...beats, diff: LONG_RANGE_ACCURACY.formatDiff(v.diff) });
    }
    case 'within-spread':
      return tr('summary.sentence.withinSpread', names);
    case 'no-spread': {
      const single = [v.nBetter < 2 ? v.better : null, v.nWorse < 2 ? v.worse : null].filter((x) => x !== null);
      return single.length === 2 ? tr('summary.sentence.noSpreadBoth', names) : tr('summary.sentence.noSpreadOne', { ...names, single: single[0] });
    }
  }
}

/** The numbers behind a pair's sentence: the difference and its interval, or null without spread. */
function pairDetail(v: PairVerdict, on: VerdictOn): string | null {
  if (v.kind === 'no-spread') return null;
  const metric = on === 'valLoss' ? VAL_LOSS : LONG_RANGE_ACCURACY;
  const f = (x: number): string => metric.formatDiff(x).replace('-', '−');
  const df = Number.isFinite(v.df) ? tr('summary.detailDf', { df: v.df.toFixed(1) }) : '';
  const unit = on === 'valLoss' ? '' : tr('summary.detailUnitLongRange');
  return tr('summary.detail', { diff: f(v.diff), lo: f(v.lo), hi: f(v.hi), unit, df });
}

/** The verdict between cells on one metric, one item per pair, or one item saying why there is none. */
export function verdictText(cells: readonly CellValues[], on: VerdictOn): VerdictItem[] {
  const outcome = verdictOutcome(cells, on === 'valLoss' ? VAL_LOSS : LONG_RANGE_ACCURACY);
  const one = (sentence: string): VerdictItem[] => [{ sentence, detail: null }];
  switch (outcome.kind) {
    case 'empty': return one(tr('summary.sentence.empty', { metric: on === 'valLoss' ? tr('summary.metric.valLoss') : tr('summary.metric.longRange') }));
    case 'only': return one(tr('summary.sentence.only', { name: outcome.name }));
    case 'one-cell': return one(tr('summary.sentence.oneCell'));
    case 'one-seed-each': return one(tr('summary.sentence.oneSeedEach'));
    case 'pairs': return outcome.pairs.map((v) => ({ sentence: pairSentence(v, on), detail: pairDetail(v, on) }));
  }
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
