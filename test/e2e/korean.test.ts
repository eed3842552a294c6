/**
 * The interface in Korean, end to end in Chromium with the ko-KR locale (browser mode; the lab and
 * its server in this process): the language follows the browser's, every screen (Corpora, New
 * experiment, Experiment, Compare, Generate, Inside the cells) shows Korean labels, nothing is
 * wider than its box at 1,024 px, the switch in the nav bar changes to English and is remembered
 * over a reload, and no console error or vue-i18n warning appears. Then a Chromium whose fontconfig
 * knows no Hangul font (only DejaVu) gets the notice naming the package to install. Screenshots at
 * 1024x700 and 1920x1080, light and dark (the Experiment, Compare and Inside screens in Korean in
 * depth: korean-experiment.test.ts).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src-main/lab/lab.ts';
import { CHROMIUM, CHROMIUM_ARGS, englishText, ensureAppBuilt, labInChromium, overflows, recordProblems, screenshotPath, screenshotsAtBothSizes, temporaryLab, type LabInChromium } from './support.ts';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`test/e2e/korean.test.ts skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package to run it)`);
const DEJAVU = '/usr/share/fonts/truetype/dejavu';

const NAME = '작은 실험';
const CORPUS = 'poems';

describe.skipIf(!hasChromium)('the interface in Korean', () => {
  let lab: Lab;
  let disposeLab: (() => Promise<void>) | undefined;
  let app: LabInChromium | undefined;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    ensureAppBuilt();
    ({ lab, dispose: disposeLab } = temporaryLab('korean-ui', 1));
    const { corpus } = lab.importCorpus(new TextEncoder().encode(englishText(3000)), { name: CORPUS });
    const created = lab.createExperiment({
      corpusId: corpus.id,
      name: NAME,
      spec: { cells: ['rnn', 'gru'], budget: { mode: 'hidden', hidden: 8 }, train: { steps: 40, seqLen: 8, batch: 4 }, cadence: { evalEvery: 20, evalChars: 200, checkpointEvery: 20 } },
    });
    lab.runExperiment(created.experiment.id);
    await lab.whenIdle();
    app = await labInChromium(lab, { width: 1024, height: 700, colorScheme: 'light', locale: 'ko-KR' });
    ({ page, problems } = app);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await disposeLab?.();
  });

  const shots = (name: string): Promise<void> => screenshotsAtBothSizes(page, `korean-ui-${name}`);

  const tab = (name: string) => page.getByRole('tab', { name, exact: true });

  async function open(name: string): Promise<void> {
    await tab(name).click();
    await expect.poll(() => tab(name).getAttribute('aria-selected')).toBe('true');
  }

  it('speaks the browser\'s language: Korean tabs, <html lang="ko">, the switch on 한국어', async () => {
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('ko');
    expect(await page.getByRole('tab').allTextContents()).toEqual(['말뭉치', '새 실험', '실험', '비교', '생성', '셀 내부']);
    expect(await page.getByRole('tablist').getAttribute('aria-label')).toBe('화면');
    const language = page.getByRole('combobox', { name: '언어' });
    expect(await language.inputValue()).toBe('ko');
    expect(await language.locator('option').allTextContents()).toEqual(['English', '한국어']);
    expect(await page.getByTestId('font-notice').count()).toBe(0);
  });

  it('shows the Corpora screen in Korean', async () => {
    await open('말뭉치');
    for (const heading of ['텍스트 파일 가져오기', '또는 내장 과제 생성', '실험실의 말뭉치']) expect(await page.getByRole('heading', { name: heading, exact: true }).count()).toBe(1);
    expect(await page.getByRole('button', { name: '파일 선택…' }).count()).toBe(1);
    const reber = page.getByRole('form', { name: 'reber 과제' });
    expect(await reber.locator('p.muted').first().textContent()).toContain('내장 레버 문법');
    expect(await reber.getByRole('button').textContent()).toBe('말뭉치 생성');
    expect(await reber.locator('label').first().textContent()).toContain('(1–50,000,000)');
    await page.getByRole('button', { name: new RegExp(`^${CORPUS}`) }).click();
    await expect.poll(() => page.locator('#corpus-title').textContent()).toBe(CORPUS);
    expect(await page.locator('.stats dt').allTextContents()).toEqual(['문자 수', '서로 다른 문자', '줄 수', '학습 / 검증', '유니그램 엔트로피', '출처']);
    expect(await page.locator('.stats dd').nth(4).textContent()).toMatch(/^문자당 \d\.\d{3} nat$/);
    expect(await page.getByRole('button', { name: '이 텍스트로 새 실험' }).count()).toBe(1);
    expect(await page.locator('.freq figcaption').textContent()).toMatch(/^가장 많이 나오는 문자 \d+개/);
    await page.getByRole('button', { name: '삭제', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `${CORPUS}을(를) 삭제할까요?` });
    expect(await dialog.getByRole('button').allTextContents()).toEqual(['취소', '삭제']);
    await dialog.getByRole('button', { name: '취소' }).click();
    expect(await overflows(page)).toEqual([]);
    await shots('corpora');
  });

  it('shows the New experiment screen in Korean', async () => {
    await open('새 실험');
    expect(await page.locator('main h1').first().textContent()).toBe('새 실험');
    const form = page.getByRole('form', { name: '새 실험' });
    expect(await form.locator('legend').allTextContents()).toEqual(expect.arrayContaining(['비교할 셀', '모델', '학습', '스윕']));
    for (const label of ['학습할 텍스트', '은닉 크기', '학습률', '시퀀스 길이', '스텝 수', '시드 수']) expect(await form.getByLabel(label, { exact: true }).count()).toBe(1);
    expect(await page.locator('[data-field="hidden"] small').textContent()).toMatch(/^1부터 [\d,]+까지의 정수 \(층마다의 유닛 수\)\.$/);
    await expect.poll(() => page.locator('.estimate').textContent()).toMatch(/^이 컴퓨터에서 실행 \d+개 모두 /);
    expect(await page.locator('.plan-table thead th').allTextContents()).toEqual(['셀', '은닉', '매개변수 수', '실행당 메모리', '실행 수']);
    await form.getByLabel('학습률', { exact: true }).fill('50');
    await expect.poll(() => page.locator('[data-field="lr"] .field-error').textContent()).toMatch(/^학습률은\(는\) .+여야 합니다\.$/);
    await form.getByLabel('학습률', { exact: true }).fill('0.002');
    expect(await form.getByRole('button', { name: '만들고 시작' }).count()).toBe(1);
    expect(await overflows(page)).toEqual([]);
    await shots('new-experiment');
  });

  it('shows the Experiment, Compare and Inside screens in Korean', async () => {
    await open('실험');
    await page.getByRole('combobox', { name: '실험' }).selectOption({ label: `${NAME} (실행 2개)` });
    await expect.poll(() => page.locator('main h1').first().textContent()).toBe(NAME);
    expect(await page.locator('.run-table .status').allTextContents()).toEqual(['완료', '완료']);
    expect(await overflows(page)).toEqual([]);
    await page.getByRole('button', { name: '비교…', exact: true }).click();
    await expect.poll(() => tab('비교').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('main h1').first().textContent()).toBe('실행 비교');
    expect(await overflows(page)).toEqual([]);
    await open('셀 내부');
    expect(await page.locator('main h1').first().textContent()).toBe('셀 내부');
    expect(await overflows(page)).toEqual([]);
  });

  it('shows the Generate screen in Korean, and generates', async () => {
    await open('생성');
    expect(await page.locator('main h1').first().textContent()).toBe('텍스트 생성');
    const picker = page.getByTestId('generate-run');
    expect(await picker.locator('option').first().textContent()).toBe('실행 또는 가져온 모델 선택…');
    const runOption = picker.locator('optgroup[label="작은 실험"] option').first();
    expect(await runOption.textContent()).toMatch(/^rnn s1 \(#\d+, 완료, 40 스텝\)$/);
    await picker.selectOption({ index: 1 });
    for (const label of ['체크포인트', '시작 텍스트', '온도', '길이', 'Top-k', '시드']) expect(await page.locator('form.grid label', { hasText: label }).count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: '생성', exact: true }).click();
    await expect.poll(() => page.getByTestId('generate-output').textContent()).not.toBe('');
    expect(await page.getByRole('heading', { name: '출력' }).count()).toBe(1);
    expect(await page.getByTestId('save-output').textContent()).toBe('.txt로 저장');
    await page.getByRole('button', { name: '모델 내보내기…' }).click();
    const dialog = page.getByTestId('model-export-dialog');
    expect(await dialog.locator('h2').textContent()).toBe('모델 내보내기');
    await expect.poll(() => dialog.getByRole('button', { name: '.safetensors 내려받기' }).count()).toBe(1);
    expect(await overflows(page)).toEqual([]);
    await dialog.getByRole('button', { name: '취소' }).click();
    await page.getByRole('button', { name: '모델 가져오기…' }).click();
    expect(await page.locator('#import-model-title').textContent()).toBe('모델 가져오기');
    expect(await overflows(page)).toEqual([]);
    await shots('generate');
  });

  it('changes to English with the switch, and stays English after a reload', async () => {
    await page.getByRole('combobox', { name: '언어' }).selectOption('en');
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.getByRole('tab').allTextContents()).toEqual(['Corpora', 'New experiment', 'Experiment', 'Compare', 'Generate', 'Inside the cells']);
    expect(await page.locator('main h1').first().textContent()).toBe('Generate text');
    await page.reload();
    await expect.poll(() => page.getByRole('tab', { name: 'Corpora' }).count()).toBe(1);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByRole('combobox', { name: 'Language' }).selectOption('ko');
    await expect.poll(() => tab('말뭉치').count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it.skipIf(!existsSync(DEJAVU))('says which package to install where no font has Hangul (a fontconfig with DejaVu only)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-fonts-'));
    const conf = join(dir, 'fonts.conf');
    writeFileSync(conf, `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><dir>${DEJAVU}</dir><cachedir>${join(dir, 'cache')}</cachedir></fontconfig>\n`);
    const bare = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, env: { ...process.env, FONTCONFIG_FILE: conf } });
    try {
      const barePage = await bare.newPage({ viewport: { width: 1024, height: 700 }, locale: 'ko-KR' });
      const bareProblems: string[] = [];
      recordProblems(barePage, bareProblems);
      await barePage.goto(app!.url);
      await expect.poll(() => barePage.getByTestId('font-notice').count(), { timeout: 10_000 }).toBe(1);
      const notice = await barePage.getByTestId('font-notice').textContent();
      expect(notice).toContain('sudo apt install fonts-noto-cjk');
      expect(notice).toContain('fonts-nanum');
      await barePage.screenshot({ path: screenshotPath('korean-ui-no-hangul-font') });
      // in English there is nothing to warn about
      await barePage.getByRole('combobox').first().selectOption('en');
      await expect.poll(() => barePage.getByTestId('font-notice').count()).toBe(0);
      expect(bareProblems).toEqual([]);
    } finally {
      await bare.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
