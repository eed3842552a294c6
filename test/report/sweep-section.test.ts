/**
 * The report's sweep section on a synthetic SweepReport: every view is an SVG, stopped runs are
 * drawn as rings (and dashed lines) and say so in the legend, the importance names its method and
 * what it rests on, the best configurations are listed, and the verdict is left to the
 * confirmation experiment, whose summary is shown once it exists.
 */
import { describe, expect, it } from 'vitest';
import { reportTranslator } from '../../src-main/report/report-i18n.ts';
import { sweepSection } from '../../src-main/report/sweep-section.ts';
import { CELLS, fixtureReport } from '../sweep-report-fixture.ts';

const en = reportTranslator('en');
const noConfirm = { confirmSummary: (): string => { throw new Error('no confirmation experiment here'); }, t: en };
const count = (html: string, pattern: RegExp): number => html.match(pattern)?.length ?? 0;

describe('the sweep section of the report', () => {
  const html = sweepSection(fixtureReport(), noConfirm);

  it('draws the strip, the expected best, one scatter per setting and the parallel coordinates as SVG', () => {
    expect(count(html, /<svg /g)).toBe(1 + 1 + 3 + 1);
    for (const label of ['Final validation loss of every trial, per cell', 'Expected best validation loss against the number of trials', 'Final validation loss against learning rate', 'Final validation loss against dropout', 'Final validation loss against optimizer', 'Parallel coordinates']) {
      expect(html).toContain(label);
    }
    expect(html).toContain('learning rate (log scale)');
    expect(html).toContain('Dodge et al. 2019');
    // one box per cell, with its median
    expect(count(html, /<g class="box"/g)).toBe(3);
    expect(count(html, /class="band"/g)).toBe(3);
  });

  it('marks the stopped runs: rings in the strip and scatters, dashed lines in the parallel coordinates, each in the legend', () => {
    const strip = html.slice(html.indexOf('per cell"'), html.indexOf('Expected best validation loss against'));
    // 2 stopped per cell, and one ring in the legend
    expect(count(strip, /class="hollow"/g)).toBe(2 * CELLS.length + 1);
    expect(strip).toContain('stopped by halving (ring)');
    const parallel = html.slice(html.indexOf('aria-label="Parallel coordinates'));
    expect(count(parallel, /<polyline class="stopped"/g)).toBe(2 * CELLS.length);
    expect(parallel).toContain('stopped by halving (dashed)');
  });

  it('names the importance method and what it rests on, and says when there is none', () => {
    expect(count(html, /functional ANOVA of a random forest \(Hutter et al\. 2014\)/g)).toBe(2);
    expect(html).toContain('fitted to the final validation losses of 5 runs that completed');
    expect(html).toContain('interactions (no setting alone)');
    expect(html).toContain('10.0%');
    expect(html).toContain('60.0%');
    expect(html).toMatch(/data-cell="gru"><h4>GRU[^<]*<\/h4><p class="muted">Not enough finished trials yet/);
  });

  it('lists each cell\'s best configuration and its loss', () => {
    const report = fixtureReport();
    const best = html.slice(html.indexOf('sweep-best'), html.indexOf('</table>', html.indexOf('sweep-best')));
    for (const c of report.cells) {
      expect(best).toContain(`#${c.best!.runId}, trial ${c.best!.trial}`);
      expect(best).toContain(c.best!.valLoss.toFixed(3));
    }
    expect(best).toContain('5 completed, 2 stopped, 1 other (training, failed or cancelled) of 8');
  });

  it('gives no verdict of its own, and shows the confirmation\'s summary once there is one', () => {
    expect(html).toContain('The sweep itself gives no verdict between the cells');
    expect(html).toContain('Not confirmed yet');
    const confirmed = sweepSection(fixtureReport({ confirm: { experimentId: 9 } }), { confirmSummary: (id) => `<section class="seeds">summary of #${id}</section>`, t: en });
    expect(confirmed).toContain('The confirmation experiment #9');
    expect(confirmed).toContain('<section class="seeds">summary of #9</section>');
    expect(confirmed).not.toContain('Not confirmed yet');
  });

  it('says what will appear before any trial has ended, and escapes what it writes', () => {
    const report = fixtureReport();
    const empty = sweepSection({ ...report, trials: report.trials.map((t) => ({ ...t, status: 'running', valLoss: null })), cells: report.cells.map((c) => ({ ...c, best: null, expectedBest: [], expectedBestSd: [], importance: {}, importanceMethod: null, importanceOver: null })) }, noConfirm);
    expect(count(empty, /no trial has finished yet/g)).toBe(6);
    expect(count(empty, /no completed trial yet/g)).toBe(3);
    const hostile = sweepSection({ ...report, trials: report.trials.map((t) => ({ ...t, values: { ...t.values, optimizer: '<b>x</b>' } })), sweep: { ...report.sweep, ranges: report.sweep.ranges.map((r) => (r.name === 'optimizer' ? { name: 'optimizer', values: ['<b>x</b>'] } : r)) } }, noConfirm);
    expect(hostile).not.toContain('<b>x</b>');
    expect(hostile).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});

describe('the sweep section in Korean (the report of rnn-lab report --lang ko)', () => {
  const ko = sweepSection(fixtureReport(), { ...noConfirm, t: reportTranslator('ko') });
  const text = ko.replace(/<[^>]*>/g, ' ');

  it('says its headings, search, captions, charts and importance in Korean', () => {
    for (const words of [
      '<h2>하이퍼파라미터 탐색</h2>', '셀별 최고 설정', '셀별 모든 시행의 최종 검증 손실', '시행 수에 따른 기대 최고 검증 손실',
      '학습률에 따른 최종 검증 손실', '학습률 (로그 척도)', '평행 좌표', '반감으로 중단 (고리)', '반감으로 중단 (점선)',
      '하이퍼파라미터 중요도', '랜덤 포레스트의 함수형 분산 분석(fANOVA, Hutter 외 2014), 완료된 실행 5개의 최종 검증 손실에 적합.',
      '8개 중 완료 5, 중단 2, 기타 1 (학습 중, 실패 또는 취소)', '최고 설정에서 셀 간 판정', '아직 확인하지 않았습니다.',
      'Dodge 외(2019)의 기대 검증 성능',
    ]) expect(ko).toContain(words);
  });

  it('leaves no English sentence of the English section', () => {
    expect(text).not.toMatch(/Final validation loss|Each cell was tuned|stopped by halving|Importance of each|Not confirmed|Verdict between|completed, \d+ stopped|trial \d+, seed/);
  });
});
