/**
 * The Experiment, Compare and Inside screens in Korean, end to end in Chromium with the ko-KR
 * locale (browser mode; the lab and its server in this process, two worker threads): an
 * experiment of RNN, LSTM and GRU, two seeds each, trained to the end on the recall task, so the
 * run table, the charts, the summary over seeds with its verdicts, the equations and the views
 * inside the cells all have something to say. Each screen shows its Korean labels, <html lang> is
 * ko, nothing is wider than the window at 1,024 px (nor any button or heading wider than its box),
 * and no console error or missing-message warning appears. Screenshots at 1024x700 and 1920x1080,
 * light and dark.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src-main/lab/lab.ts';
import { CHROMIUM, ensureAppBuilt, labInChromium, overflows, screenshotsAtBothSizes, temporaryLab, type LabInChromium } from './support.ts';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`test/e2e/korean-experiment.test.ts skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package to run it)`);

const NAME = 'E2E 한국어 실험';
const STEPS = 200;

/** Resolves when test() holds, polling every 20 ms. */
async function until(what: string, test: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!hasChromium)('the Experiment, Compare and Inside screens in Korean', () => {
  let lab: Lab;
  let disposeLab: (() => Promise<void>) | undefined;
  let app: LabInChromium | undefined;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    ensureAppBuilt();
    ({ lab, dispose: disposeLab } = temporaryLab('korean-e2e', 2));
    const { corpus } = lab.createTaskCorpus('recall', { lag: 8, length: 4000 });
    const created = lab.createExperiment({
      corpusId: corpus.id,
      name: NAME,
      spec: {
        cells: ['rnn', 'lstm', 'gru'], seeds: 2, budget: { mode: 'hidden', hidden: 8 }, train: { steps: STEPS, seqLen: 16, batch: 8 },
        cadence: { evalEvery: 100, evalChars: 300, checkpointEvery: 100 },
      },
    });
    lab.runExperiment(created.experiment.id);
    await until('every run completed', () => lab.experiment(created.experiment.id).runs.every((r) => r.status === 'completed'));

    app = await labInChromium(lab, { width: 1024, height: 700, colorScheme: 'light', locale: 'ko-KR' });
    ({ page, problems } = app);
  }, 240_000);

  afterAll(async () => {
    await app?.close();
    await disposeLab?.();
  });

  const shots = (name: string): Promise<void> => screenshotsAtBothSizes(page, `korean-${name}`);

  const tab = (name: string) => page.getByRole('tab', { name, exact: true });

  it('shows the Experiment screen in Korean: runs, charts, the summary over seeds with its verdicts, the equations and the samples', async () => {
    expect(await page.locator('html').getAttribute('lang')).toBe('ko');
    await tab('실험').click();
    const select = page.getByRole('combobox', { name: '실험' });
    await select.selectOption({ label: `${NAME} (실행 6개)` });
    await expect.poll(() => page.locator('main h1').first().textContent()).toBe(NAME);
    expect(await page.locator('main .panel p.muted').first().textContent()).toContain('시드 2개 · 은닉 크기 8');
    expect(await page.locator('.run-table thead th').allTextContents()).toEqual(['셀', '시드', '상태', '진행', '단계', '문자/초', '남은 시간', '학습 손실', '최저 검증 손실', '장거리 정확도', '매개변수', '작업']);
    expect(await page.locator('.run-table .status').allTextContents()).toEqual(Array(6).fill('완료'));
    expect(await page.locator('.run-table button[data-action="duplicate"]').first().textContent()).toBe('복제');
    for (const name of ['지표 내보내기 (CSV)', '보고서 (HTML)', '비교…', '셀 내부 보기', '삭제']) await expect.poll(() => page.getByRole('button', { name, exact: true }).count()).toBe(1);
    expect(await page.locator('.chart-head h3').allTextContents()).toEqual(['손실', '기울기 노름', '장거리 정확도']);
    expect(await page.locator('.chart-controls').textContent()).toContain('평활화');
    await expect.poll(() => page.getByTestId('reference-controls').textContent()).toContain('유니그램');
    expect(await page.locator('#seed-summary-title').textContent()).toBe('시드별 요약');
    expect(await page.getByTestId('verdict-long-range').locator('h3').textContent()).toBe('장거리 정확도 판정');
    expect(await page.getByTestId('verdict').locator('h3').textContent()).toBe('검증 손실 판정');
    // every pair of the three cells is judged in a Korean sentence naming both cells
    const sentences = await page.getByTestId('verdict').locator('.sentence').allTextContents();
    expect(sentences).toHaveLength(3);
    for (const s of sentences) expect(s).toMatch(/^(시드 2개 기준으로 \S+ 셀의 검증 손실이 \S+ 셀보다 문자당 [\d.]+ 나트 낮습니다\.|\S+ 셀과 \S+ 셀의 차이는 시드 간 편차보다 작아, 어느 쪽이 낫다고 할 수 없습니다\.)$/);
    expect(await page.locator('.seed-cell .head .muted').first().textContent()).toBe('시드 2개 중 2개 완료');
    await page.locator('.equations-panel summary').first().click();
    expect(await page.locator('.cell-equations .note').nth(1).textContent()).toContain('σ는 로지스틱 함수, ⊙는 원소별 곱입니다.');
    expect(await page.locator('.param-table').first().locator('thead th').allTextContents()).toEqual(['텐서', '설명', '모양', '매개변수']);
    expect(await page.locator('#samples-title').textContent()).toBe('샘플');
    expect(await page.getByRole('button', { name: '모든 실행에서 생성' }).count()).toBe(1);
    expect(await overflows(page)).toEqual([]);
    await shots('experiment');
    expect(problems).toEqual([]);
  });

  it('shows the Compare screen in Korean', async () => {
    await page.getByRole('button', { name: '비교…', exact: true }).click();
    await expect.poll(() => tab('비교').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('main h1').first().textContent()).toBe('실행 비교');
    expect(await page.locator('#picker-title').textContent()).toBe('실행');
    await expect.poll(() => page.locator('.compare-table thead th').allTextContents(), { timeout: 30_000 })
      .toEqual(['실행', '최저 검증 손실', '비트/문자', '퍼플렉서티', '매개변수', '시간', '문자/초']);
    expect(await page.getByRole('button', { name: 'PDF 저장' }).count()).toBe(1);
    expect(await page.locator('#seed-summary-title').textContent()).toBe('시드별 요약');
    expect(await overflows(page)).toEqual([]);
    await shots('compare');
    expect(problems).toEqual([]);
  });

  it('shows the views inside the cells in Korean: gradient flow, gates and memory, loss where it happens', async () => {
    await tab('실험').click();
    await page.getByRole('button', { name: '셀 내부 보기', exact: true }).click();
    await expect.poll(() => tab('셀 내부').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('main h1').first().textContent()).toBe('셀 내부');
    expect(await page.getByRole('tab', { name: '기울기 흐름', exact: true }).count()).toBe(1);
    await expect.poll(() => page.locator('.flow-table thead th').allTextContents(), { timeout: 30_000 })
      .toEqual(['실행', '체크포인트 단계', '평균한 창 수', 'k = 0에서 ‖·‖', 'k = 10에서 남은 비율']);
    expect(await page.locator('#flow-title').textContent()).toBe('시간에 따른 기울기 흐름');
    expect(await page.locator('.caption').textContent()).toContain('로그 눈금에서 곧게 내려가는 직선은 지수적 감소를 뜻합니다.');
    await expect.poll(() => page.locator('.grad-history').count(), { timeout: 30_000 }).toBe(3);
    expect(await page.locator('.grad-history figcaption').first().textContent()).toMatch(/^기록된 [\d,]+단계 중 [\d,]+단계\([\d.]+%\)에서 클리핑되었습니다\. 임계값 [\d.]+\.$/);
    expect(await overflows(page)).toEqual([]);
    await shots('inside-flow');

    await page.getByRole('tab', { name: '게이트와 기억', exact: true }).click();
    await expect.poll(() => page.getByTestId('gates-passage').locator('.heatmap > span').count(), { timeout: 30_000 }).toBeGreaterThan(10);
    const lstm = (await page.getByTestId('gates-run').locator('option').allTextContents()).find((o) => o.startsWith('LSTM s'));
    await page.getByTestId('gates-run').selectOption({ label: lstm! });
    await expect.poll(() => page.getByTestId('gates-what').locator('option').allTextContents(), { timeout: 30_000 })
      .toEqual(['은닉 상태 h', '셀 상태 c', '입력 게이트 (i, sigmoid)', '망각 게이트 (f, sigmoid)', '후보 상태 (g, tanh)', '출력 게이트 (o, sigmoid)']);
    expect(await page.locator('main h3').allTextContents()).toEqual(expect.arrayContaining(['텍스트를 따라가는 유닛']));
    await expect.poll(() => page.locator('.saturation .chart-head h3').allTextContents()).toEqual(['입력 게이트 (i)', '망각 게이트 (f)', '후보 상태 (g)', '출력 게이트 (o)', 'h']);
    expect(await overflows(page)).toEqual([]);
    await shots('inside-gates');

    await page.getByRole('tab', { name: '손실이 생기는 곳', exact: true }).click();
    await expect.poll(() => page.locator('.run-row').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: '구절 채점' }).count()).toBe(1);
    expect(await page.getByTestId('passage-mean-loss').first().textContent()).toMatch(/^평균 문자당 [\d.]+ 나트 \([\d.]+비트\)$/);
    expect(await overflows(page)).toEqual([]);
    await shots('inside-losses');
    expect(problems).toEqual([]);
  });
});
