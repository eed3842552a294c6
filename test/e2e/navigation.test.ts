/**
 * Navigation end to end in Chromium, in browser mode (the lab and its server in this process, on
 * a fresh database with tiny trained experiments on two corpora and one run cancelled early):
 * every screen fits a 1,024 x 700 window; the address keeps the screen and what it shows through a
 * reload, Back and Forward, without the token; a stale address shows a notice, not an error;
 * Compare warns about runs of different corpora and gives no verdict between them; Inside the
 * cells starts on each cell's best completed run; Generate's output copies and saves. No console
 * error and no failed request (the favicon included) on any screen.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentSpecInput, Run } from '../../src-main/api/contract.ts';
import { Lab } from '../../src-main/lab/lab.ts';
import { startServer, type RunningServer } from '../../src-main/server/server.ts';
import { showScreen } from './flow.ts';
import { CHROMIUM, CHROMIUM_ARGS, englishText, ensureAppBuilt, screenshotPath } from './support.ts';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`test/e2e/navigation.test.ts skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package to run it)`);

const TINY: Omit<ExperimentSpecInput, 'cells'> = {
  budget: { mode: 'hidden', hidden: 8 },
  train: { seqLen: 8, batch: 4, steps: 40 },
  cadence: { evalEvery: 10, checkpointEvery: 10 },
};

describe.skipIf(!hasChromium)('navigation and the Compare, Generate and Inside screens in Chromium', () => {
  let dir: string;
  let lab: Lab;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  /** experiments: two cells x two seeds on text; one run on a task; LSTM seeds with one cancelled early */
  let text: { id: number; runs: Run[] };
  let task: { id: number; runs: Run[] };
  let early: { id: number; runs: Run[]; cancelled: Run };
  let origin: string;
  let reloading = false;

  beforeAll(async () => {
    ensureAppBuilt();
    dir = mkdtempSync(join(tmpdir(), 'rnn-lab-nav-e2e-'));
    lab = Lab.open({ db: join(dir, 'lab.db'), workers: 2 });
    const sentences = lab.importCorpus(new TextEncoder().encode(englishText(6000)), { name: 'sentences' }).corpus;
    const recall = lab.createTaskCorpus('recall', { lag: 4, length: 4000 }).corpus;
    const make = (corpusId: number, name: string, spec: ExperimentSpecInput): number => lab.createExperiment({ corpusId, name, spec }).experiment.id;
    const textId = make(sentences.id, 'Text two cells', { ...TINY, cells: ['rnn', 'gru'], seeds: 2 });
    const taskId = make(recall.id, 'Recall one cell', { ...TINY, cells: ['rnn'], seeds: 1 });
    const earlyId = make(sentences.id, 'LSTM cancelled early', { ...TINY, cells: ['lstm'], seeds: 2, train: { ...TINY.train, steps: 3000 } });
    lab.runExperiment(textId);
    lab.runExperiment(taskId);
    await lab.whenIdle();
    lab.runExperiment(earlyId);
    const [first] = lab.experiment(earlyId).runs;
    const deadline = Date.now() + 60_000;
    while (lab.run(first.id).step < 20) {
      if (Date.now() > deadline) throw new Error('the LSTM run did not reach step 20 within 60 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    lab.cancelRun(first.id);
    await lab.whenIdle();
    const runsOf = (id: number) => ({ id, runs: lab.experiment(id).runs });
    [text, task] = [runsOf(textId), runsOf(taskId)];
    early = { ...runsOf(earlyId), cancelled: lab.run(first.id) };
    expect(early.runs.map((r) => r.status)).toEqual(['cancelled', 'completed']);
    expect(early.cancelled.step).toBeLessThan(3000);

    server = await startServer({ lab });
    origin = new URL(server.url).origin;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    const context = await browser.newContext({ viewport: { width: 1024, height: 700 }, colorScheme: 'light', acceptDownloads: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('requestfailed', (r) => {
      // a reload cancels what the old page had in flight (its events stream): that is no failure
      if (!(reloading && r.failure()?.errorText === 'net::ERR_ABORTED')) problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    });
    await page.goto(server.url);
    await page.getByRole('tab', { name: 'Experiment', exact: true, selected: true }).waitFor();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await lab?.close({ running: 'cancel' });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const go = (hash: string) => page.goto(`${origin}/${hash}`);
  async function reload(): Promise<void> {
    reloading = true;
    try {
      await page.reload();
    } finally {
      reloading = false;
    }
  }
  const hash = () => new URL(page.url()).hash;
  const selectedTab = () => page.locator('[role="tablist"][aria-label="Screens"] [aria-selected="true"]').textContent();
  const width = () => page.evaluate<{ scroll: number; window: number }>('({ scroll: document.documentElement.scrollWidth, window: innerWidth })');
  const ids = (runs: Run[]) => runs.map((r) => r.id);
  const checkedRuns = () => page.locator('.picker input:checked').count();

  it('starts on the newest experiment with the token gone from the address, and a favicon that loads', async () => {
    await expect.poll(hash).toBe(`#/experiment/${early.id}`);
    expect(page.url()).not.toContain(server.token);
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    const res = await page.request.get(new URL(icon!, page.url()).href);
    expect([res.status(), res.headers()['content-type']]).toEqual([200, 'image/svg+xml']);
  });

  it('fits every screen in a 1,024-pixel window', async () => {
    const screens: [string, string, () => Promise<unknown>][] = [
      ['corpora', '#/corpora/1', () => page.locator('#corpus-title').waitFor()],
      ['new-experiment', '#/new-experiment', () => page.getByRole('form', { name: 'New experiment' }).waitFor()],
      ['experiment', `#/experiment/${text.id}`, () => page.locator('.run-charts canvas').first().waitFor()],
      ['compare', `#/compare?runs=${[...ids(text.runs), ...ids(task.runs)].join(',')}`, () => page.locator('.compare-table').waitFor()],
      ['generate', `#/generate?run=${text.runs[0].id}`, () => page.getByTestId('generate-run').waitFor()],
      ['inside-flow', `#/inside/${early.id}`, () => page.locator('.flow-table tbody tr').first().waitFor()],
      ['inside-gates', `#/inside/${early.id}?view=gates`, () => page.getByTestId('gates-passage').waitFor()],
      ['inside-losses', `#/inside/${early.id}?view=losses`, () => page.locator('.run-row').first().waitFor()],
    ];
    const wide: string[] = [];
    for (const [name, where, ready] of screens) {
      await go(where);
      await ready();
      const w = await width();
      if (w.scroll > w.window) wide.push(`${name}: ${w.scroll} px in a ${w.window} px window`);
      await page.screenshot({ path: screenshotPath(`nav-${name}-1024`), fullPage: true });
    }
    expect(wide).toEqual([]);
  });

  it('warns about runs of two corpora and gives no verdict until the runs are of one', async () => {
    await go(`#/compare?runs=${[...ids(text.runs), ...ids(task.runs)].join(',')}`);
    const warning = page.getByTestId('mixed-corpora');
    await expect.poll(() => warning.locator('h2').textContent()).toBe('These runs trained on 2 different corpora');
    expect(await page.locator('.seed-summary').count()).toBe(0);
    await expect.poll(() => page.locator('.compare-table th', { hasText: 'Corpus' }).count()).toBe(1);
    await warning.getByRole('button', { name: 'Only the 4 run(s) on sentences' }).click();
    await expect.poll(() => warning.count()).toBe(0);
    await expect.poll(() => page.locator('.seed-summary').count()).toBe(1);
    expect(hash()).toBe(`#/compare?runs=${ids(text.runs).join(',')}`);
  });

  it('keeps the screen and the selection through a reload', async () => {
    await go(`#/compare?runs=${ids(text.runs).slice(0, 3).join(',')}`);
    await expect.poll(checkedRuns).toBe(3);
    await reload();
    await expect.poll(selectedTab).toBe('Compare');
    await expect.poll(checkedRuns).toBe(3);
    for (const r of text.runs.slice(0, 3)) expect(await page.locator(`.picker label:has(input:checked)`, { hasText: `#${r.id} ·` }).count()).toBe(1);

    const completed = early.runs.find((r) => r.status === 'completed')!;
    await go(`#/inside/${early.id}?view=losses&runs=${completed.id}&checkpoint=last`);
    await page.locator('.run-row').first().waitFor();
    await reload();
    await expect.poll(selectedTab).toBe('Inside the cells');
    await expect.poll(() => page.getByRole('tab', { name: 'Loss where it happens' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.getByTestId('inside-checkpoint').inputValue()).toBe('last');
    await expect.poll(() => page.locator('.run-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-run'))))).toEqual([completed.id]);
  });

  it('goes Back to the previous screen and Forward again, never with the token', async () => {
    await go(`#/experiment/${text.id}`);
    await expect.poll(() => page.locator('main h1').first().textContent()).toBe('Text two cells');
    await showScreen(page, 'Compare');
    await showScreen(page, 'Generate');
    await page.goBack();
    await expect.poll(selectedTab).toBe('Compare');
    await page.goBack();
    await expect.poll(selectedTab).toBe('Experiment');
    expect(hash()).toBe(`#/experiment/${text.id}`);
    await expect.poll(() => page.locator('main h1').first().textContent()).toBe('Text two cells');
    await page.goForward();
    await expect.poll(selectedTab).toBe('Compare');
    expect(page.url()).not.toContain(server.token);
  });

  it('shows an address naming a deleted experiment as the empty screen with a notice, not an error', async () => {
    await go('#/experiment/999');
    await expect.poll(() => page.getByTestId('address-notice').textContent()).toContain('experiment #999, which is not in this lab');
    expect(await page.locator('.toast-error').count()).toBe(0);
    await expect.poll(() => page.locator('main').textContent()).toContain('Choose an experiment above to see its runs.');
    await showScreen(page, 'Corpora');
    expect(await page.getByTestId('address-notice').count()).toBe(0);
  });

  it("starts Inside the cells on each cell's best completed run and marks the one cancelled early", async () => {
    await go(`#/inside/${early.id}`);
    const picker = page.locator('.run-picker').first();
    const cancelled = picker.locator(`[data-run="${early.cancelled.id}"]`);
    await expect.poll(() => cancelled.textContent()).toContain(`cancelled at step ${early.cancelled.step.toLocaleString('en-US')} of 3,000`);
    expect(await cancelled.locator('input').isChecked()).toBe(false);
    const completed = early.runs.find((r) => r.status === 'completed')!;
    expect(await picker.locator(`[data-run="${completed.id}"] input`).isChecked()).toBe(true);
    await expect.poll(() => page.locator('.flow-table tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-run'))))).toEqual([completed.id]);
  });

  it("copies Generate's output to the clipboard and saves it as a .txt file", async () => {
    const run = text.runs[0];
    await go(`#/generate?run=${run.id}`);
    const copy = page.getByTestId('copy-output');
    await page.getByLabel('Prime').fill('The ');
    await page.getByLabel('Length').fill('80');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    const output = page.getByTestId('generate-output');
    await expect.poll(async () => ((await output.textContent()) ?? '').length, { timeout: 20_000 }).toBe(84);
    await expect.poll(() => copy.isEnabled()).toBe(true);
    const shown = (await output.textContent())!;
    await copy.click();
    await expect.poll(() => page.locator('.toast-success').last().textContent()).toContain('The text (84 characters) is on the clipboard.');
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(shown);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-output').click()]);
    expect(download.suggestedFilename()).toBe(`Text two cells ${run.cell} s${run.seed} best text.txt`);
    expect(readFileSync((await download.path())!, 'utf8')).toBe(shown);
    await expect.poll(() => page.locator('.toast-success').last().textContent()).toContain('Saved the text as');
    await page.screenshot({ path: screenshotPath('nav-generate-output-1024'), fullPage: true });
  });

  it('logged no console error and no failed request on any screen', () => {
    expect(problems).toEqual([]);
  });
});
