// @vitest-environment happy-dom
/**
 * The sweep panel's parts and the Execution setting under the ko locale: their headings, table
 * heads, sentences (with their counts) and the importance's method come from the Korean catalogue,
 * and no English sentence of the English one is left.
 */
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, describe, expect, it } from 'vitest';
import type { Run } from '../../src-main/api/contract.ts';
import ExecutionSettings from '../../src-renderer/components/ExecutionSettings.vue';
import SweepBestTable from '../../src-renderer/components/SweepBestTable.vue';
import SweepConfirm from '../../src-renderer/components/SweepConfirm.vue';
import SweepImportance from '../../src-renderer/components/SweepImportance.vue';
import { haltNote } from '../../src-renderer/composables/sweep-run-text.ts';
import { i18n } from '../../src-renderer/i18n.ts';
import { useExecutionStore } from '../../src-renderer/stores/execution.ts';
import { provideLabClient } from '../../src-renderer/stores/lab-client.ts';
import { fixtureReport } from '../sweep-report-fixture.ts';
import { fakeClient, makeRun } from './fake-client.ts';

function setup() {
  const pinia = createPinia();
  setActivePinia(pinia);
  provideLabClient(fakeClient());
  i18n.global.locale.value = 'ko';
  return { global: { plugins: [pinia, i18n] } };
}

afterEach(() => {
  i18n.global.locale.value = 'en';
});

const runsOf = (statuses: Run['status'][]): Run[] => statuses.map((status, i) => makeRun({ id: 100 + i, experimentId: 7, status }));

describe('the sweep panel in Korean', () => {
  it('Confirm the best: heading, button, why it waits (with the count), no verdict of its own', () => {
    const w = mount(SweepConfirm, { props: { report: fixtureReport(), runs: runsOf(['completed', 'running', 'waiting']) }, ...setup() });
    expect(w.find('h3').text()).toBe('최고 설정에서 셀 간 판정');
    expect(w.find('[data-testid="confirm-sweep"]').text()).toBe('최고 설정 확인');
    expect(w.text()).toContain('탐색의 실행 2개가 아직 끝나지 않았습니다.');
    expect(w.text()).toContain('탐색 자체는 셀 사이의 판정을 내리지 않습니다.');
    expect(w.text()).not.toMatch(/not ended|verdict/);
  });

  it('the best configurations: heads, settings named in Korean, counts and the best run', () => {
    const report = fixtureReport();
    const w = mount(SweepBestTable, { props: { report }, ...setup() });
    const heads = w.findAll('th').map((th) => th.text());
    expect(heads).toEqual(['셀', '완료', '중단', '학습률', '드롭아웃', '옵티마이저', '최종 검증 손실', '최고 실행']);
    const best = report.cells[0].best!;
    expect(w.find('tr[data-cell="rnn"]').text()).toContain(`#${best.runId}, 시행 ${best.trial}, 시드 ${best.seed}`);
    const c = report.cells[2];
    expect(w.find('tr[data-cell="gru"]').text()).toContain(`${c.trials.total}개 중 ${c.trials.completed}개`);
  });

  it('the importance: its method (fANOVA) and basis in one Korean sentence, the rest bar named', () => {
    const report = fixtureReport();
    const settings = report.sweep.ranges.map((r) => r.name);
    const w = mount(SweepImportance, { props: { cell: report.cells[0], index: 0, settings }, ...setup() });
    expect(w.find('.method').text()).toBe('랜덤 포레스트의 함수형 분산 분석(fANOVA, Hutter 외 2014), 완료된 실행 5개의 최종 검증 손실에 적합.');
    expect(w.findAll('th').map((th) => th.text())).toEqual(['학습률', '드롭아웃', '옵티마이저', '상호작용 (설정 하나로는 설명 안 됨)']);
  });
});

describe('why the halving rule stopped a run', () => {
  const decision = { rung: 1200, valLoss: 2.1043, cutoff: 1.95, rank: 3, of: 4, eta: 2 };

  it('in English with its ordinal, in Korean with the Korean one', () => {
    expect(haltNote(decision)).toBe('at step 1,200: 2.104, behind the cutoff 1.950 (3rd of 4; the best 1/2 go on)');
    i18n.global.locale.value = 'ko';
    expect(haltNote(decision)).toBe('1,200단계에서 2.104, 기준 1.950에 못 미침 (4개 중 3번째, 상위 1/2만 계속)');
  });
});

describe('the Execution setting in Korean', () => {
  it('the dialog says where runs train, its choices and buttons in Korean', () => {
    const opts = setup();
    useExecutionStore().status = { mode: 'local', threads: 2 } as never;
    useExecutionStore().open = true;
    const w = mount(ExecutionSettings, { ...opts, attachTo: document.body });
    const text = document.body.textContent ?? '';
    expect(text).toContain('실행 위치');
    expect(text).toContain('이 컴퓨터 (로컬 워커 풀)');
    expect(text).toContain('새 실행을 학습할 곳');
    expect(text).toContain('스레드 2개');
    expect(text).toContain('Redis를 통한 원격 워커');
    expect(text).not.toMatch(/This machine|Where new runs train|Remote workers/);
    w.unmount();
  });
});
