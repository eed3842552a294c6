// @vitest-environment happy-dom
/**
 * The Experiment screen's parts in Korean: the run table (states, queue places, buttons' names), the
 * summary over seeds with a verdict that reads as a whole Korean sentence, and the equations'
 * captions with the gate names; and they follow a change of language without a remount.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { ExperimentSummary, Run } from '../../src-main/api/contract.ts';
import CellEquations from '../../src-renderer/components/CellEquations.vue';
import RunTable from '../../src-renderer/components/RunTable.vue';
import SeedSummary from '../../src-renderer/components/SeedSummary.vue';
import TheGenerateScreen from '../../src-renderer/components/TheGenerateScreen.vue';
import { verdictText } from '../../src-renderer/composables/verdict-text.ts';
import { i18n } from '../../src-renderer/i18n.ts';
import { provideLabClient } from '../../src-renderer/stores/lab-client.ts';
import { useExperimentsStore } from '../../src-renderer/stores/experiments.ts';
import { useRunsStore } from '../../src-renderer/stores/runs.ts';
import { useUiStore } from '../../src-renderer/stores/ui.ts';
import { fakeClient, makeRun, metricRow } from './fake-client.ts';

const model = (cell: string) => ({ model: { cell, vocabSize: 30, hidden: 8, layers: 1, embedding: 0, dropout: 0, init: 'pytorch', forgetBias: 1 }, train: {} });

function store(runs: Run[]) {
  const pinia = createPinia();
  setActivePinia(pinia);
  provideLabClient(fakeClient());
  const s = useRunsStore();
  for (const r of runs) s.upsertRun(r);
  return { pinia, s };
}

/** RNN and GRU, three seeds each, finished with these final validation losses */
function finished(losses: { rnn: number[]; gru: number[] }) {
  const runs = (['rnn', 'gru'] as const).flatMap((cell, c) => losses[cell].map((_, i) => makeRun({ id: 3 * c + i + 1, cell, seed: i + 1, status: 'completed', step: 100, steps: 100, config: model(cell), params: 500 })));
  const { pinia, s } = store(runs);
  for (const r of runs) {
    s.handleEvent({ type: 'metrics', runId: r.id, rows: [metricRow(100, 2)] });
    s.handleEvent({ type: 'eval', runId: r.id, step: 100, valLoss: losses[r.cell as 'rnn' | 'gru'][r.seed - 1], bitsPerChar: 0, accuracy: 0, predictableAccuracy: null, longRangeAccuracy: null });
    s.upsertRun({ ...s.runs[r.id], status: 'completed', step: 100 });
  }
  return { pinia, runs: runs.map((r) => s.runs[r.id]) };
}

describe('the Experiment screen in Korean', () => {
  it('names the run table\'s columns, states, queue places and buttons in Korean', async () => {
    i18n.global.locale.value = 'ko';
    const runs = [
      makeRun({ id: 1, status: 'running', step: 250, steps: 1000, elapsed: 25 }),
      makeRun({ id: 2, status: 'waiting', cell: 'gru', queue: { position: 1, threads: 2 } }),
      makeRun({ id: 3, status: 'waiting', cell: 'gru', seed: 2, queue: { position: 3, threads: 1 } }),
      makeRun({ id: 4, status: 'completed', cell: 'rnn', seed: 1, copy: 1, step: 1000 }),
    ];
    const { pinia } = store(runs);
    const w = mount(RunTable, { props: { runs }, global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.findAll('thead th').map((th) => th.text())).toEqual(['셀', '시드', '상태', '진행', '단계', '문자/초', '남은 시간', '학습 손실', '최저 검증 손실', '장거리 정확도', '매개변수', '작업']);
    const status = (id: number) => w.find(`tr[data-run="${id}"] .status-cell`).text();
    expect(status(1)).toBe('학습 중');
    expect(status(2)).toBe('대기 중 · 대기열 1번째, 빈 스레드 2개 필요');
    expect(status(3)).toBe('대기 중 · 대기열 3번째');
    expect(status(4)).toBe('완료');
    expect(w.find('tr[data-run="4"] td:nth-child(2)').text()).toBe('1 (사본 1)');
    expect(w.find('tr[data-run="1"] .status').attributes('title')).toBe('지금 학습 중입니다.');
    const pause = w.find('tr[data-run="1"] button[data-action="pause"]');
    expect(pause.text()).toBe('일시 정지');
    expect(pause.attributes('aria-label')).toBe('실행 1 (lstm s1) 일시 정지');
    expect(w.find('tr[data-run="4"] button[data-action="duplicate"]').attributes('aria-label')).toBe('실행 4 (rnn s1 (사본 1)) 복제');
  });

  it('says where a duplicate stands in a Korean toast, without English fragments', async () => {
    i18n.global.locale.value = 'ko';
    const pinia = createPinia();
    setActivePinia(pinia);
    const copies = [
      makeRun({ id: 9, cell: 'gru', seed: 2, copy: 1, status: 'waiting', queue: { position: 1, threads: 2 } }),
      makeRun({ id: 10, cell: 'gru', seed: 2, copy: 2, status: 'completed', trial: { index: 3, values: {} } }),
    ];
    provideLabClient(fakeClient({ duplicateRun: async () => copies.shift()! }));
    const runs = useRunsStore();
    await runs.runAction(4, 'duplicate');
    await runs.runAction(4, 'duplicate');
    expect(useUiStore().toasts.map((t) => t.text)).toEqual([
      '실행 4의 복사본인 실행 9(gru s2 (사본 1))은(는) 대기열에서 기다립니다: 대기열 1번째, 빈 스레드 2개 필요.',
      '실행 4의 복사본인 실행 10(gru t3 s2 (사본 2))의 상태: 완료.',
    ]);
  });

  it("names a duplicate in Generate's run picker in Korean", async () => {
    i18n.global.locale.value = 'ko';
    const pinia = createPinia();
    setActivePinia(pinia);
    const run = makeRun({ id: 5, experimentId: 1, cell: 'gru', seed: 2, copy: 1, status: 'completed', step: 40, steps: 40 });
    provideLabClient(fakeClient({ getExperiment: async () => ({ experiment: { id: 1, name: 'x', corpusId: 1, spec: {}, createdAt: 0 }, spec: {} as never, runs: [run] }), listModels: async () => [] }));
    useExperimentsStore().experiments = [{ id: 1, name: 'x', corpusId: 1, spec: {}, createdAt: 0, corpusName: 'c', runs: 1, runCounts: {} } as ExperimentSummary];
    useUiStore().generateRunId = run.id;
    const w = mount(TheGenerateScreen, { global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.find('[data-testid="generate-run"] option[value="run:5"]').text()).toBe('gru s2 (사본 1) (#5, 완료, 40 스텝)');
    w.unmount();
  });

  it('follows a change of language on screen, and keeps the English it had', async () => {
    const runs = [makeRun({ id: 1, status: 'waiting', queue: { position: 2, threads: 1 } })];
    const { pinia } = store(runs);
    const w = mount(RunTable, { props: { runs }, global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.find('.status-cell').text()).toBe('waiting · 2nd in line');
    i18n.global.locale.value = 'ko';
    await flushPromises();
    expect(w.find('.status-cell').text()).toBe('대기 중 · 대기열 2번째');
    i18n.global.locale.value = 'en';
    await flushPromises();
    expect(w.find('thead th').text()).toBe('Cell');
  });

  it('says the verdict over seeds in whole Korean sentences, with the numbers behind them', async () => {
    i18n.global.locale.value = 'ko';
    // sd 0.01 in each cell, n = 3: Welch df 4, t = 2.776, half-width 2.776 x 0.00816 = 0.0227
    const { pinia, runs } = finished({ rnn: [1.5, 1.51, 1.52], gru: [1.44, 1.45, 1.46] });
    const w = mount(SeedSummary, { props: { runs }, global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.find('#seed-summary-title').text()).toBe('시드별 요약');
    expect(w.find('[data-testid="verdict"] h3').text()).toBe('판정');
    expect(w.find('[data-testid="verdict"] .sentence').text()).toBe('시드 3개 기준으로 GRU 셀의 검증 손실이 RNN 셀보다 문자당 0.060 나트 낮습니다.');
    expect(w.find('[data-testid="verdict"] .detail').text()).toBe('(차이 0.060, 95% 신뢰구간 0.037 ~ 0.083, 웰치 자유도 4.0)');
    expect(w.find('[data-cell="GRU"]').text()).toContain('시드 3개 중 3개 완료');
    expect(w.find('[data-cell="GRU"] [data-testid="seed-ci"]').text()).toBe('평균의 95% 신뢰구간: 1.425 ~ 1.475');
  });

  it('judges the same pairs in each language: the English sentence is the one the report writes', () => {
    const cells = [{ name: 'RNN', values: [0.25, 0.26, 0.24] }, { name: 'LSTM', values: [0.9, 0.92, 0.91] }, { name: 'GRU', values: [0.25] }];
    expect(verdictText(cells, 'longRange').map((v) => v.sentence)).toEqual([
      'LSTM beats RNN on long-range accuracy by 66.0 percentage points over 3 seeds.',
      'LSTM and GRU: GRU has one seed, no spread to compare against.',
      'RNN and GRU: GRU has one seed, no spread to compare against.',
    ]);
    i18n.global.locale.value = 'ko';
    expect(verdictText(cells, 'longRange').map((v) => v.sentence)).toEqual([
      '시드 3개 기준으로 LSTM 셀의 장거리 정확도가 RNN 셀보다 66.0%p 높습니다.',
      'LSTM 셀과 GRU 셀: GRU 셀은 시드가 하나뿐이라 비교할 편차가 없습니다.',
      'RNN 셀과 GRU 셀: GRU 셀은 시드가 하나뿐이라 비교할 편차가 없습니다.',
    ]);
    expect(verdictText([{ name: 'RNN', values: [1.2] }, { name: 'GRU', values: [1.1] }], 'valLoss')[0].sentence)
      .toBe('셀마다 시드가 하나뿐이라 비교할 편차가 없으므로 판정하지 않습니다. 차이를 판단하려면 시드를 두 개 이상 실행하세요.');
  });

  it('writes the equations\' captions and the parameter table in Korean, the equations themselves as maths', async () => {
    i18n.global.locale.value = 'ko';
    const w = mount(CellEquations, { props: { model: { cell: 'lstm', vocabSize: 30, hidden: 8, layers: 2, embedding: 0 }, params: 4 * 8 * 38 + 64 + 4 * 8 * 16 + 64 + 8 * 30 + 30 } });
    await flushPromises();
    expect(w.findAll('.equations li').map((li) => li.text())[0]).toBe('ft = σ(Wxf xt + Whf ht−1 + bf)');
    const notes = w.findAll('.note').map((p) => p.text());
    expect(notes[0]).toBe('각 게이트의 b는 bx와 bh에서 그 게이트에 해당하는 블록의 합입니다(PyTorch는 둘 다 둡니다). 망각 게이트의 bx 블록은 망각 편향 값에서 시작합니다.');
    expect(notes[1]).toBe('σ는 로지스틱 함수, ⊙는 원소별 곱입니다. xt는 문자 t의 원-핫 벡터(크기 V = 30)이고, 층 k > 1은 층 k − 1의 ht를 입력으로 받습니다. 맨 위 층의 ht가 다음 문자를 예측합니다.');
    expect(w.find('[data-tensor="1.W_x"] .what').text()).toBe('입력 가중치, 게이트 i, f, g, o를 쌓음 (원-핫 입력에서)');
    expect(w.find('[data-tensor="2.W_x"] .what').text()).toBe('입력 가중치, 게이트 i, f, g, o를 쌓음 (층 1의 ht에서)');
    expect(w.find('tfoot th').text()).toBe('합계');
    expect(w.find('.error-text').exists()).toBe(false);
  });
});
