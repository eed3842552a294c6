/**
 * Run states end to end in Chromium, in browser mode (the lab and its server in this process, two
 * worker threads; an experiment of two one-thread RNN seeds and two two-thread GRU seeds, so the
 * GRU runs wait while an RNN trains): before Start nothing offers Pause or Cancel; after it the
 * waiting runs show their place in line and what they wait for, and move up as the ones ahead
 * leave; Cancel asks first; a cell with one finished seed and one running seed is drawn on the loss
 * chart; a duplicate joins the queue with a name of its own and the picker counts it at once.
 * Screenshots of the Experiment screen at three sizes, light and dark; no console error.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src-main/api/contract.ts';
import type { Lab, RunConfig } from '../../src-main/lab/lab.ts';
import { chartPoints, LOSS_CHART, openExperiment, runRows, shotOnFailure } from './flow.ts';
import { CHROMIUM, ensureAppBuilt, labInChromium, screenshotPath, temporaryLab, type LabInChromium } from './support.ts';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`test/e2e/run-states.test.ts skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package to run it)`);

const NAME = 'E2E run states';
/** every run's steps but the first RNN seed's, which trains until the lab closes */
const STEPS = 1500;

describe.skipIf(!hasChromium)('run states and the queue in Chromium', () => {
  let lab: Lab;
  let disposeLab: (() => Promise<void>) | undefined;
  let app: LabInChromium | undefined;
  let page: Page;
  /** rnn s1, rnn s2, gru s1, gru s2 */
  let runs: Run[];

  beforeAll(async () => {
    ensureAppBuilt();
    ({ lab, dispose: disposeLab } = temporaryLab('run-states-e2e', 2));
    const { corpus } = lab.createTaskCorpus('recall', { lag: 8, length: 4000 });
    runs = lab.createExperiment({
      corpusId: corpus.id,
      name: NAME,
      spec: {
        cells: ['rnn', 'gru'], seeds: 2, budget: { mode: 'hidden', hidden: 8 }, train: { steps: STEPS, seqLen: 16, batch: 8 },
        overrides: { gru: { train: { threads: 2 } } }, cadence: { evalEvery: 100, evalChars: 300, checkpointEvery: 500 },
      },
    }).runs;
    // the first RNN seed trains for as long as the test looks: the GRU runs wait behind it for both threads
    const config = runs[0].config as RunConfig;
    lab.store.runs.update(runs[0].id, { steps: 1e7, config: { ...config, train: { ...config.train, steps: 1e7 } } });
    app = await labInChromium(lab, { width: 1400, height: 900, colorScheme: 'light' });
    page = app.page;
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await disposeLab?.();
  });

  const row = (id: number) => page.locator(`.run-table tr[data-run="${id}"]`);
  const actions = (id: number) => row(id).locator('button').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-action')));
  /** each run's state as its row says it: "waiting · 2nd in line" and the like */
  const states = async (ids: number[]) => {
    const rows = await runRows(page);
    const places = await Promise.all(ids.map((id) => row(id).locator('.queue-place').allTextContents()));
    return ids.map((id, i) => `${rows.find((r) => r.id === id)?.status ?? '(no row)'}${places[i].join('')}`);
  };
  const ids = () => runs.map((r) => r.id);

  it('offers Start and Duplicate, never Pause or Cancel, on runs that have not started', async () => {
    await openExperiment(page, NAME);
    await expect.poll(() => states(ids())).toEqual(['not started', 'not started', 'not started', 'not started']);
    for (const r of runs) expect(await actions(r.id)).toEqual(['resume', 'duplicate']);
    await expect.poll(() => page.locator('button.start').textContent()).toBe('Start');
  });

  it('starts what fits and shows the rest waiting with their place and why; Start then says nothing misleading', async () => {
    await shotOnFailure(page, 'run-states-start', async () => {
      await page.locator('button.start').click();
      await expect.poll(async () => (await states(ids())).slice(2), { timeout: 15_000 }).toEqual(['waiting · 1st in line, needs 2 free threads', 'waiting · 2nd in line']);
      // the short RNN seed may have finished already
      expect((await states(ids())).slice(0, 2)).toEqual(['running', expect.stringMatching(/^(running|completed)$/)]);
      expect(await page.locator('button.start').count()).toBe(0);
      expect(await page.locator('.waiting-note').textContent()).toMatch(/^2 runs wait in the queue for free worker threads; each starts by itself/);
      expect(await actions(runs[2].id)).toEqual(['pause', 'cancel', 'duplicate']);
      // time left only on a run that trains
      const timeLeft = async (id: number) => (await row(id).locator('td').nth(6).textContent())?.trim();
      expect(await timeLeft(runs[2].id)).toBe('–');
      await expect.poll(() => timeLeft(runs[0].id)).toMatch(/^\d/);
    });
  });

  it('takes screenshots of the Experiment screen at three sizes, light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [width, height] of [[1024, 700], [1400, 900], [1920, 1080]]) {
        await page.setViewportSize({ width, height });
        await page.screenshot({ path: screenshotPath(`run-states-${width}x${height}-${scheme}`) });
        // the run table scrolls inside its box: the screen is never wider than the window
        expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(width);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it('asks before cancelling a run, keeps it on no, and moves the run behind it up on yes', async () => {
    const [, , first, second] = runs;
    await row(second.id).locator('button[data-action="cancel"]').click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.getAttribute('aria-label')).toBe(`Cancel run ${second.id} (gru s2)?`);
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect((await states([second.id]))[0]).toBe('waiting · 2nd in line');

    await row(first.id).locator('button[data-action="cancel"]').click();
    await dialog.getByRole('button', { name: 'Cancel the run' }).click();
    await expect.poll(() => states([first.id, second.id])).toEqual(['cancelled', 'waiting · 1st in line, needs 2 free threads']);
  });

  it('draws a cell with one finished seed and one running seed on the loss chart', async () => {
    const [long, short] = runs;
    await expect.poll(() => states([long.id, short.id]), { timeout: 60_000 }).toEqual(['running', 'completed']);
    // the mean of the seeds present: both up to where the finished one ended, then the running one
    await expect.poll(async () => (await chartPoints(page, LOSS_CHART))['RNN mean train'] ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(lab.run(long.id).status).toBe('running');
    await page.screenshot({ path: screenshotPath('run-states-one-finished-one-running'), fullPage: true });
  });

  it('queues a duplicate at once while the experiment trains, named apart, and counts it in the picker', async () => {
    const source = runs[3].id;
    await row(source).locator('button[data-action="duplicate"]').click();
    await expect.poll(() => page.locator('.run-table tbody tr[data-run]').count()).toBe(5);
    const copy = (await runRows(page)).at(-1)!;
    expect(copy.cell).toBe('gru');
    await expect.poll(async () => (await row(copy.id).locator('td').nth(1).textContent())?.trim()).toBe('2 (copy 1)');
    expect((await states([copy.id]))[0]).toBe('waiting · 2nd in line');
    await expect.poll(() => page.locator('.toast').allTextContents()).toContainEqual(expect.stringContaining(`Run ${copy.id} (gru s2 (copy 1)), a copy of run ${source}, waits in the queue: 2nd in line.`));
    await expect.poll(() => page.getByRole('combobox', { name: 'Experiment' }).locator('option:checked').textContent()).toBe(`${NAME} (5 runs, 1 running, 2 waiting)`);
    // the legend counts the GRU's seeds, not its runs
    await expect.poll(() => page.getByRole('group', { name: 'Show or hide runs' }).first().textContent()).toContain('GRU 2 seeds, 3 runs');
  });

  it('shows no console error', () => {
    expect(app?.problems).toEqual([]);
  });
});
