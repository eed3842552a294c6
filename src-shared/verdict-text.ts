/**
 * The summary's verdicts in a language: seed-stats.ts judges (verdictOutcome), this says it, one
 * whole sentence per case from the catalogues (summary.sentence.*), so that each language keeps its
 * own word order. The app and the HTML report both say it through here, each with its translator;
 * in English the sentences are the ones seed-stats.ts's verdictItems writes for the CLI.
 */
import { capitalize, LONG_RANGE_ACCURACY, VAL_LOSS, verdictOutcome, type PairVerdict, type VerdictItem } from './seed-stats.ts';
import type { Translate } from './sweep-views.ts';

/** What the verdict judges: the final validation loss, or the final long-range accuracy. */
export type VerdictOn = 'valLoss' | 'longRange';

interface CellValues {
  name: string;
  values: readonly number[];
}

function seedsPhrase(a: number, b: number, t: Translate): string {
  return a === b ? t('summary.sentence.seeds', { n: a }) : t('summary.sentence.seedsEach', { a, b });
}

function pairSentence(v: PairVerdict, on: VerdictOn, t: Translate): string {
  const names = { better: capitalize(v.better), worse: v.worse };
  switch (v.kind) {
    case 'beats': {
      const beats = { ...names, seeds: seedsPhrase(v.nBetter, v.nWorse, t) };
      return on === 'valLoss'
        ? t('summary.sentence.beatsLoss', { ...beats, diff: VAL_LOSS.formatDiff(v.diff) })
        : t('summary.sentence.beatsLongRange', { ...beats, diff: LONG_RANGE_ACCURACY.formatDiff(v.diff) });
    }
    case 'within-spread':
      return t('summary.sentence.withinSpread', names);
    case 'no-spread': {
      const single = [v.nBetter < 2 ? v.better : null, v.nWorse < 2 ? v.worse : null].filter((x) => x !== null);
      return single.length === 2 ? t('summary.sentence.noSpreadBoth', names) : t('summary.sentence.noSpreadOne', { ...names, single: single[0] });
    }
  }
}

/** The numbers behind a pair's sentence: the difference and its interval, or null without spread. */
function pairDetail(v: PairVerdict, on: VerdictOn, t: Translate): string | null {
  if (v.kind === 'no-spread') return null;
  const metric = on === 'valLoss' ? VAL_LOSS : LONG_RANGE_ACCURACY;
  const f = (x: number): string => metric.formatDiff(x).replace('-', '−');
  const df = Number.isFinite(v.df) ? t('summary.detailDf', { df: v.df.toFixed(1) }) : '';
  const unit = on === 'valLoss' ? '' : t('summary.detailUnitLongRange');
  return t('summary.detail', { diff: f(v.diff), lo: f(v.lo), hi: f(v.hi), unit, df });
}

/** The verdict between cells on one metric, one item per pair, or one item saying why there is none. */
export function verdictText(cells: readonly CellValues[], on: VerdictOn, t: Translate): VerdictItem[] {
  const outcome = verdictOutcome(cells, on === 'valLoss' ? VAL_LOSS : LONG_RANGE_ACCURACY);
  const one = (sentence: string): VerdictItem[] => [{ sentence, detail: null }];
  switch (outcome.kind) {
    case 'empty': return one(t('summary.sentence.empty', { metric: on === 'valLoss' ? t('summary.metric.valLoss') : t('summary.metric.longRange') }));
    case 'only': return one(t('summary.sentence.only', { name: outcome.name }));
    case 'one-cell': return one(t('summary.sentence.oneCell'));
    case 'one-seed-each': return one(t('summary.sentence.oneSeedEach'));
    case 'pairs': return outcome.pairs.map((v) => ({ sentence: pairSentence(v, on, t), detail: pairDetail(v, on, t) }));
  }
}
