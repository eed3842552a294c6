/**
 * A sweep set up in the New-experiment form end to end in Chromium, in browser mode (the lab and its
 * server in this process, on a fresh database): the Sweep section on, a learning-rate row prefilled
 * around the form's rate and an optimizer list, a refused row explained beside it, halving on; the
 * swept boxes above marked swept; the plan counting trials x cells x seeds; created, the Experiment
 * screen lists every run of every trial, cell and seed, the lab holds the sweep as
 * the form showed it, and the form opens again with the sweep it was left with. (Created without
 * starting: the training of a sweep and its halving are the lab's tests.) Light and dark, 1,024
 * and 1,920 pixels wide, no console error.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentSpec } from '../../src-main/api/types.ts';
import { Lab } from '../../src-main/lab/lab.ts';
import { startServer, type RunningServer } from '../../src-main/server/server.ts';
import { runRows, showScreen } from './flow.ts';
import { CHROMIUM, CHROMIUM_ARGS, englishText, ensureAppBuilt, screenshotPath } from './support.ts';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`test/e2e/sweep-form.test.ts skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package to run it)`);

describe.skipIf(!hasChromium)('a sweep set up in the new-experiment form, in Chromium', () => {
  let dir: string;
  let lab: Lab;
  let server: RunningServer;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    ensureAppBuilt();
    dir = mkdtempSync(join(tmpdir(), 'rnn-lab-sweep-form-e2e-'));
    lab = Lab.open({ db: join(dir, 'lab.db'), workers: 2 });
    lab.importCorpus(new TextEncoder().encode(englishText(8000)), { name: 'sentences' });
    server = await startServer({ lab });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await lab?.close({ running: 'cancel' });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(width: number, height: number, colorScheme: 'light' | 'dark'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height }, colorScheme });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    await page.goto(server.url);
    await showScreen(page, 'New experiment');
    await page.getByRole('form', { name: 'New experiment' }).waitFor();
    return page;
  }

  const widest = (page: Page) => page.evaluate<number>('Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)');
  const box = (page: Page, field: string) => page.locator(`[id="field-${field}"]`);

  it('fills a small sweep, creates it, and shows every trial x cell x seed run', async () => {
    const page = await open(1024, 700, 'light');
    const form = page.getByRole('form', { name: 'New experiment' });
    await page.locator('#field-name').fill('Sweep e2e');
    await form.getByRole('checkbox', { name: 'LSTM', exact: true }).setChecked(false);
    for (const [f, value] of [['hidden', '8'], ['lr', '0.01'], ['seqLen', '8'], ['batch', '4'], ['steps', '20'], ['evalEvery', '10'], ['seeds', '2']] as const) await box(page, f).fill(value);

    await page.getByTestId('sweep-on').check();
    // the first row sweeps the learning rate, prefilled a tenth to ten times the form's 0.01 on a log scale
    const lr = page.locator('.sweep-row[data-name="lr"]');
    expect(await lr.locator('#sweep-row-0-scale').inputValue()).toBe('log');
    expect(await lr.locator('#sweep-row-0-min').inputValue()).toBe('0.001');
    expect(await lr.locator('#sweep-row-0-max').inputValue()).toBe('0.1');
    // its own box above gives way: disabled, saying swept and the range
    expect(await box(page, 'lr').isDisabled()).toBe(true);
    expect(await box(page, 'lr').inputValue()).toBe('swept');
    expect(await page.locator('#field-lr-hint').textContent()).toBe('Swept: log 0.001 to 0.1 (see Sweep).');

    // a refused row is explained beside it at once, in the lab's words
    await lr.locator('#sweep-row-0-min').fill('0');
    await expect.poll(() => lr.locator('.field-error').textContent()).toBe('Min 0 must be > 0 on a log scale.');
    expect(await page.getByRole('button', { name: 'Create and start', exact: true }).isDisabled()).toBe(true);
    expect(await page.locator('#create-blocked').textContent()).toBe('Correct the marked setting (Swept setting 1) to create the experiment.');
    await lr.locator('#sweep-row-0-min').fill('0.001');

    await page.getByTestId('sweep-add').selectOption('optimizer');
    const optimizer = page.locator('.sweep-row[data-name="optimizer"]');
    expect(await optimizer.locator('#sweep-row-1-list').inputValue()).toBe('adam,sgd');
    expect(await box(page, 'optimizer').isDisabled()).toBe(true);
    expect(await page.locator('#field-optimizer-hint').textContent()).toBe('Swept: adam, sgd (see Sweep).');

    await box(page, 'sweep.trials').fill('2');
    await box(page, 'sweep.drawSeed').fill('5');
    await page.getByTestId('sweep-halving').check();
    await box(page, 'sweep.eta').fill('2');
    // the first rung proposed is a multiple of the evaluation interval, below the steps
    expect(await box(page, 'sweep.minSteps').inputValue()).toBe('10');
    expect(await page.locator('[id="field-sweep.minSteps-hint"]').textContent()).toContain('Rungs at 10 steps');

    await expect.poll(() => page.locator('[data-testid="plan-sweep"]').textContent(), { timeout: 10_000 })
      .toMatch(/^\s*A sweep of 2 trials x 2 cells x 2 seeds = 8 runs, the same trials in every cell\.\s*$/);
    await expect.poll(() => page.locator('.plan .estimate').textContent()).toMatch(/^\s*(At most|Less than)\b.*for all 8 runs on this machine(, if no run is stopped)?\./s);
    expect(await page.locator('.plan-table tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-cell')}:${tr.children[4]?.textContent?.trim()}`))).toEqual(['rnn:4', 'gru:4']);
    expect(await page.locator('.field-error').count()).toBe(0);
    expect(await widest(page)).toBeLessThanOrEqual(1024);

    // (a full-page screenshot just before the click can leave Chromium's click unanswered: it is taken when the form opens again)
    await page.getByRole('button', { name: 'Create without starting', exact: true }).click();
    await expect.poll(() => page.locator('main h1').first().textContent(), { timeout: 15_000 }).toBe('Sweep e2e');
    const [experiment] = lab.listExperiments();
    const { spec, runs } = lab.experiment(experiment.id) as { spec: ExperimentSpec; runs: { cell: string; seed: number; trial: { index: number; values: Record<string, unknown> } | null }[] };
    expect(spec.sweep).toEqual({
      search: 'random', trials: 2, drawSeed: 5, halving: { eta: 2, minSteps: 10 },
      ranges: [{ name: 'lr', scale: 'log', min: 0.001, max: 0.1 }, { name: 'optimizer', values: ['adam', 'sgd'] }],
    });
    // trial-major: each trial's runs of every cell and seed, the same draws in every cell
    expect(runs.map((r) => `${r.trial?.index} ${r.cell} ${r.seed}`)).toEqual(['0 rnn 1', '0 rnn 2', '0 gru 1', '0 gru 2', '1 rnn 1', '1 rnn 2', '1 gru 1', '1 gru 2']);
    for (const r of runs) expect(r.trial!.values).toEqual(runs.find((q) => q.trial!.index === r.trial!.index)!.trial!.values);
    // the Experiment screen lists all eight, each named by its cell and trial
    await expect.poll(async () => (await runRows(page)).length, { timeout: 15_000 }).toBe(8);
    const shown = (await runRows(page)).map((r) => r.cell.replace(/\s+/g, ' '));
    expect(shown.filter((c) => /^rnn\b.*trial [01]\b/.test(c))).toHaveLength(4);
    expect(shown.filter((c) => /^gru\b.*trial [01]\b/.test(c))).toHaveLength(4);
    expect(await page.locator('.run-table tbody tr[data-run]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')))).toEqual(Array(8).fill('not-started'));
    await page.screenshot({ path: screenshotPath('sweep-form-experiment-1024-light'), fullPage: true });

    // the form opens again on that corpus with the sweep it was left with
    await showScreen(page, 'New experiment');
    await expect.poll(() => page.getByTestId('sweep-on').isChecked()).toBe(true);
    expect(await page.locator('.sweep-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))).toEqual(['lr', 'optimizer']);
    expect(await box(page, 'sweep.drawSeed').inputValue()).toBe('5');
    await expect.poll(() => page.locator('[data-testid="plan-sweep"]').count(), { timeout: 10_000 }).toBe(1);
    expect(await widest(page)).toBeLessThanOrEqual(1024);
    await page.screenshot({ path: screenshotPath('sweep-form-1024-light'), fullPage: true });
    await page.context().close();
    expect(problems).toEqual([]);
  }, 120_000);

  it.each([
    [1024, 700, 'dark'],
    [1920, 1080, 'light'],
    [1920, 1080, 'dark'],
  ] as const)('fits a %i x %i window in %s, a grid with every kind of row and a refusal included', async (width, height, colorScheme) => {
    const page = await open(width, height, colorScheme);
    await page.getByTestId('sweep-on').check();
    await box(page, 'sweep.search').selectOption('grid');
    for (const name of ['dropout', 'optimizer', 'hidden']) await page.getByTestId('sweep-add').selectOption(name);
    await page.getByTestId('sweep-halving').check();
    await page.locator('#sweep-row-3-points').fill('1');
    await expect.poll(() => page.locator('.sweep-row[data-name="hidden"] .field-error').textContent()).toBe('Points must be a whole number from 2 to 100, got 1.');
    expect(await page.getByTestId('grid-size').textContent()).toBe('–');
    await page.locator('#sweep-row-3-points').fill('2');
    // 3 learning rates x 3 dropouts x 2 optimizers x 2 hidden sizes
    await expect.poll(() => page.getByTestId('grid-size').textContent()).toBe('36 trials');
    expect(await widest(page)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: screenshotPath(`sweep-form-grid-${width}-${colorScheme}`), fullPage: true });
    await page.context().close();
    expect(problems).toEqual([]);
  }, 30_000);
});
