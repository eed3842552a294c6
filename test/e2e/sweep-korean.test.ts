/**
 * The Sweep panel and the Execution setting in Korean, end to end in Chromium with the ko-KR
 * locale: a small random sweep (two cells, three trials, successive halving) trained to its end,
 * its panel's headings, table heads, charts' names, importance and Confirm the best in Korean and
 * nothing wider than its box at 1,024 px; then the Execution dialog with its choices in Korean.
 * No console error or vue-i18n warning. Screenshots of both at 1024x700 and 1920x1080, light and dark.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentDetails } from '../../src-main/api/contract.ts';
import { dispatch } from '../../src-main/api/methods.ts';
import type { Lab } from '../../src-main/lab/lab.ts';
import { buildReport } from '../../src-main/report/report.ts';
import { chartPoints } from './flow.ts';
import { CHROMIUM, englishText, ensureAppBuilt, labInChromium, overflows, screenshotPath, temporaryLab, type LabInChromium } from './support.ts';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`test/e2e/sweep-korean.test.ts skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package to run it)`);

const NAME = '작은 탐색';

/** Each of 1024x700 and 1920x1080, light and dark, then back at 1024x700 light. */
async function atBothSizes(page: Page, shoot: (view: string) => Promise<void>): Promise<void> {
  for (const [width, height] of [[1024, 700], [1920, 1080]]) {
    await page.setViewportSize({ width, height });
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      // the charts redraw with the theme and the new width
      await page.waitForTimeout(300);
      await shoot(`${width}-${colorScheme}`);
    }
  }
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.emulateMedia({ colorScheme: 'light' });
}

describe.skipIf(!hasChromium)('the Sweep panel and the Execution setting in Korean', () => {
  let lab: Lab;
  let disposeLab: (() => Promise<void>) | undefined;
  let app: LabInChromium | undefined;
  let page: Page;
  let id: number;

  beforeAll(async () => {
    ensureAppBuilt();
    ({ lab, dispose: disposeLab } = temporaryLab('sweep-korean', 2));
    const { corpus } = lab.importCorpus(new TextEncoder().encode(englishText(3000)), { name: 'poems' });
    const created = await dispatch(lab, 'createExperiment', {
      corpusId: corpus.id,
      name: NAME,
      spec: {
        cells: ['rnn', 'gru'], budget: { mode: 'hidden', hidden: 8 }, train: { steps: 40, seqLen: 8, batch: 4 },
        cadence: { evalEvery: 10, evalChars: 200, checkpointEvery: 40, sampleEvery: 0 },
        sweep: {
          search: 'random', trials: 3, drawSeed: 5, halving: { eta: 3, minSteps: 10 },
          ranges: [{ name: 'lr', scale: 'log', min: 1e-3, max: 3e-2 }, { name: 'optimizer', values: ['adam', 'sgd'] }],
        },
      },
    }, { emit: () => undefined });
    if (!created.ok) throw new Error(`createExperiment: ${created.message}`);
    id = (created.value as ExperimentDetails).experiment.id;
    lab.runExperiment(id);
    await lab.whenIdle();
    app = await labInChromium(lab, { width: 1024, height: 700, colorScheme: 'light', locale: 'ko-KR' });
    page = app.page;
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await disposeLab?.();
  });

  const panel = () => page.locator('[data-testid="sweep-panel"]');

  it('shows the sweep in Korean: search, best configurations, charts, importance and Confirm the best', async () => {
    await page.getByRole('tab', { name: '실험', exact: true }).click();
    const select = page.getByRole('combobox', { name: '실험' });
    const value = await select.locator('option', { hasText: NAME }).first().getAttribute('value');
    await select.selectOption(value!);
    await expect.poll(() => page.locator('main h1').first().textContent()).toBe(NAME);
    await expect.poll(() => panel().locator('h2').textContent()).toBe('하이퍼파라미터 탐색');
    await expect.poll(() => panel().locator('.caption').first().textContent(), { timeout: 15_000 }).toContain('무작위 시행 3개(추출 시드 5)');
    expect(await panel().locator('.caption').first().textContent()).toContain('연속 반감(successive halving)');
    expect(await panel().locator('.sweep-best thead th').allTextContents()).toEqual(['셀', '완료', '중단', '학습률', '옵티마이저', '최종 검증 손실', '최고 실행']);
    await expect.poll(async () => Object.values(await chartPoints(page, '모든 시행의 최종 검증 손실, 셀마다 한 열, 완료된 시행에 대한 상자 그림')).reduce((a, b) => a + b, 0)).toBe(6);
    expect(await panel().locator('figure h3').allTextContents()).toEqual(expect.arrayContaining(['셀별 최종 검증 손실', '시행 수에 따른 기대 최고 성능', '학습률에 따른 손실', '옵티마이저에 따른 손실', '평행 좌표']));
    for (const heading of ['설정별 손실', '하이퍼파라미터 중요도', '최고 설정에서 셀 간 판정']) expect(await panel().getByRole('heading', { name: heading, exact: true }).count()).toBe(1);
    const importance = await panel().locator('.importance').allTextContents();
    expect(importance).toHaveLength(2);
    for (const text of importance) expect(text).toMatch(/함수형 분산 분석\(fANOVA|정확한 분산 분해|추정할 수 없습니다/);
    expect(await page.getByTestId('confirm-sweep').textContent()).toBe('최고 설정 확인');
    expect(await panel().textContent()).not.toMatch(/Final validation|Importance of|Confirm the best|stopped by halving|Every cell tuned/);
    expect(await overflows(page)).toEqual([]);
    // the panel cut from the whole page (an element's screenshot would show the sticky navigation bar across it)
    await atBothSizes(page, async (view) => {
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: screenshotPath(`sweep-korean-panel-${view}`), fullPage: true, clip: (await panel().boundingBox())! });
    });
  });

  it('shows the Execution dialog in Korean', async () => {
    const button = page.getByTestId('execution-button');
    await expect.poll(() => button.textContent()).toContain('로컬');
    await button.click();
    const dialog = page.getByTestId('execution-dialog');
    await dialog.getByTestId('execution-redis').check();
    await expect.poll(() => dialog.textContent()).toContain('새 실행을 학습할 곳');
    const text = (await dialog.textContent()) ?? '';
    for (const words of ['실행 위치', '이 컴퓨터 (로컬 워커 풀)', 'Redis를 통한 원격 워커', '연결 시험', '적용', '닫기']) expect(text).toContain(words);
    expect(text).not.toMatch(/This machine|Test connection|Where new runs train|Apply/);
    expect(await overflows(page)).toEqual([]);
    // the dialog where it shows, over the screen
    await atBothSizes(page, (view) => page.screenshot({ path: screenshotPath(`sweep-korean-execution-${view}`) }).then(() => undefined));
  });

  it('writes the report\'s sweep section in Korean with lang ko, as rnn-lab report --lang ko does', () => {
    const html = buildReport(lab, id, { lang: 'ko' });
    const sweep = html.slice(html.indexOf('<section class="sweep">'), html.indexOf('</section>', html.indexOf('<section class="sweep">')));
    for (const words of ['<h2>하이퍼파라미터 탐색</h2>', '무작위로 뽑은 시행 3개(추출 시드 5)', '연속 반감(successive halving, ASHA)', '셀별 최고 설정', '학습률에 따른 최종 검증 손실', '하이퍼파라미터 중요도', '아직 확인하지 않았습니다.']) expect(sweep).toContain(words);
    expect(sweep.replace(/<[^>]*>/g, ' ')).not.toMatch(/Final validation loss|Each cell was tuned|Importance of each|stopped by halving/);
  });

  it('logged no console error or vue-i18n warning', () => {
    expect(app!.problems).toEqual([]);
  });
});
