/**
 * The new-experiment form end to end in Chromium, in browser mode (the lab and its server in this
 * process, on a fresh database): hidden 0, dropout 1.5 and a negative learning rate are refused at
 * once, each beside its box, with Create disabled and the reason shown; fixed, the experiment is
 * created; its settings are back when the form opens again on that corpus. The screen is no wider
 * than a 1,024-pixel window, in light and dark, and no console error appears.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../../src-main/lab/lab.ts';
import { startServer, type RunningServer } from '../../src-main/server/server.ts';
import { showScreen } from './flow.ts';
import { CHROMIUM, CHROMIUM_ARGS, englishText, ensureAppBuilt, screenshotPath } from './support.ts';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`test/e2e/new-experiment-form.test.ts skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package to run it)`);

describe.skipIf(!hasChromium)('the new-experiment form in Chromium', () => {
  let dir: string;
  let lab: Lab;
  let server: RunningServer;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    ensureAppBuilt();
    dir = mkdtempSync(join(tmpdir(), 'rnn-lab-form-e2e-'));
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

  async function open(context: BrowserContext): Promise<Page> {
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
  const errorOf = (page: Page, field: string) => page.locator(`[data-field="${field}"] .field-error`);

  it('shows every refusal at once beside its box, keeps Create disabled with the reason, then creates the fixed experiment', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 700 }, colorScheme: 'light' });
    const page = await open(context);
    // the default GRU is Cho's form: the form says torch.nn.GRU cannot load it
    await expect.poll(() => page.locator('.torch-note[data-cell="gru"]').textContent()).toContain('gru-reset-after loads into torch.nn.GRU unchanged.');

    await page.locator('#field-hidden').fill('0');
    await page.locator('#field-dropout').fill('1.5');
    await page.locator('#field-lr').fill('-0.01');
    await expect.poll(() => page.locator('.field-error').count()).toBe(3);
    expect(await errorOf(page, 'hidden').textContent()).toBe('Hidden size must be a whole number from 1 to 8,192.');
    expect(await errorOf(page, 'dropout').textContent()).toBe('Dropout must be at least 0 and less than 1.');
    expect(await errorOf(page, 'lr').textContent()).toBe('Learning rate must be more than 0 and at most 10.');
    for (const f of ['hidden', 'dropout', 'lr']) {
      const input = page.locator(`#field-${f}`);
      expect(await input.getAttribute('aria-invalid'), f).toBe('true');
      expect(await input.getAttribute('aria-describedby'), f).toBe(`field-${f}-error`);
      // beside its box: the message sits right under the input, within its column
      const [box, message] = await Promise.all([input.boundingBox(), page.locator(`#field-${f}-error`).boundingBox()]);
      expect(message!.y - (box!.y + box!.height), f).toBeLessThan(12);
      expect(Math.abs(message!.x - box!.x), f).toBeLessThan(4);
    }
    const create = page.getByRole('button', { name: 'Create and start', exact: true });
    expect(await create.isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Create without starting', exact: true }).isDisabled()).toBe(true);
    expect(await page.locator('#create-blocked').textContent()).toBe('Correct the 3 marked settings to create the experiment: Hidden size, Dropout, Learning rate.');
    expect(await create.getAttribute('aria-describedby')).toBe('create-blocked');
    expect(await widest(page)).toBeLessThanOrEqual(1024);
    await page.screenshot({ path: screenshotPath('form-errors-1024-light'), fullPage: true });

    // fixed, with a run small enough to plan at once
    const settings: [string, string][] = [['name', 'Form e2e'], ['hidden', '8'], ['dropout', '0'], ['lr', '0.01'], ['seqLen', '8'], ['batch', '4'], ['steps', '20'], ['evalEvery', '10']];
    for (const [f, value] of settings) await page.locator(`#field-${f}`).fill(value);
    await expect.poll(() => page.locator('.field-error').count()).toBe(0);
    await expect.poll(() => page.locator('.plan-table tbody tr').count(), { timeout: 10_000 }).toBe(3);
    expect(await page.locator('#create-blocked').count()).toBe(0);
    expect(await widest(page)).toBeLessThanOrEqual(1024);
    await page.getByRole('button', { name: 'Create without starting', exact: true }).click();
    await expect.poll(() => page.locator('main h1').first().textContent(), { timeout: 15_000 }).toBe('Form e2e');
    expect(lab.listExperiments().map((e) => e.name)).toEqual(['Form e2e']);

    // the form opens again on that corpus with those settings
    await showScreen(page, 'New experiment');
    await expect.poll(() => page.locator('#field-hidden').inputValue()).toBe('8');
    expect(await page.locator('#field-seqLen').inputValue()).toBe('8');
    expect(await page.locator('#field-lr').inputValue()).toBe('0.01');
    await page.getByRole('button', { name: 'Reset to defaults' }).click();
    expect(await page.locator('#field-hidden').inputValue()).toBe('128');
    await context.close();
    expect(problems).toEqual([]);
  }, 60_000);

  it.each([
    [1024, 700, 'dark'],
    [1400, 900, 'dark'],
    [1920, 1080, 'light'],
  ] as const)('fits a %i x %i window in %s, refusals and the open Advanced settings included', async (width, height, colorScheme) => {
    const context = await browser.newContext({ viewport: { width, height }, colorScheme });
    const page = await open(context);
    await page.locator('#field-hidden').fill('0');
    await page.locator('details.advanced summary').click();
    await page.locator('#field-schedule').selectOption('cosine');
    await page.locator('#field-minLr').fill('1');
    await expect.poll(() => page.locator('.field-error').count()).toBe(2);
    expect(await errorOf(page, 'minLr').textContent()).toBe('Final learning rate must be a number from 0 to 0.002 (at most the learning rate).');
    expect(await widest(page)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: screenshotPath(`form-advanced-${width}-${colorScheme}`), fullPage: true });
    await context.close();
    expect(problems).toEqual([]);
  }, 30_000);
});
