/**
 * A sweep end to end in Chromium, in browser mode: a tiny sweep (RNN and GRU of hidden 16, four
 * random trials over a log learning rate and a choice of optimizer, halving at steps 20 and 60 of 120,
 * early enough that the cancel reaches a run before it ends)
 * made through the API's createExperiment. Before it trains, the Sweep panel says what will appear;
 * after, every view draws what the lab's sweepReport holds (the strip's dots, the expected best
 * over n = 1..N, one scatter per setting, a parallel line per ended trial, the importance with its
 * method or why there is none), stopped runs say why in the run table, and the panel gives no
 * verdict of its own. Confirm the best makes the confirmation experiment, links to it, and shows
 * its summary over seeds once it has trained. The HTML report carries the sweep section with its
 * SVGs. Screenshots of the panel at 1024 x 700 and 1920 x 1080, light and dark; no console error.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentDetails, SweepReport } from '../../src-main/api/contract.ts';
import { dispatch } from '../../src-main/api/methods.ts';
import type { Lab } from '../../src-main/lab/lab.ts';
import { buildReport } from '../../src-main/report/report.ts';
import { endedTrials } from '../../src-shared/sweep-views.ts';
import { chartPoints, openExperiment, runRows, shotOnFailure } from './flow.ts';
import { CHROMIUM, englishText, ensureAppBuilt, labInChromium, screenshotPath, temporaryLab, type LabInChromium } from './support.ts';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`test/e2e/sweep.test.ts skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package to run it)`);

const NAME = 'E2E sweep';
const STRIP = 'Final validation loss of every trial, one column per cell, with a box over the completed trials';
const EXPECTED = 'Expected best validation loss of n trials, per cell, with a band of one standard deviation';
const scatter = (setting: string) => `Final validation loss against ${setting}, per cell`;

describe.skipIf(!hasChromium)('a sweep on the Experiment screen in Chromium', () => {
  let lab: Lab;
  let disposeLab: (() => Promise<void>) | undefined;
  let app: LabInChromium | undefined;
  let page: Page;
  let id: number;
  const ctx = { emit: () => undefined };

  beforeAll(async () => {
    ensureAppBuilt();
    ({ lab, dispose: disposeLab } = temporaryLab('sweep-e2e', 2));
    const { corpus } = lab.importCorpus(new TextEncoder().encode(englishText(3000)), { name: 'sweep text' });
    const created = await dispatch(lab, 'createExperiment', {
      corpusId: corpus.id,
      name: NAME,
      spec: {
        cells: ['rnn', 'gru'], budget: { mode: 'hidden', hidden: 16 }, train: { steps: 120, seqLen: 16, batch: 8 },
        cadence: { evalEvery: 10, evalChars: 400, checkpointEvery: 120, sampleEvery: 0 },
        sweep: {
          search: 'random', trials: 4, drawSeed: 3, halving: { eta: 3, minSteps: 20 },
          ranges: [{ name: 'lr', scale: 'log', min: 1e-3, max: 3e-2 }, { name: 'optimizer', values: ['adam', 'sgd'] }],
        },
      },
    }, ctx);
    if (!created.ok) throw new Error(`createExperiment: ${created.message}`);
    id = (created.value as ExperimentDetails).experiment.id;
    app = await labInChromium(lab, { width: 1024, height: 700, colorScheme: 'light' });
    page = app.page;
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await disposeLab?.();
  });

  const panel = () => page.locator('[data-testid="sweep-panel"]');

  it('says what will appear before any trial has ended, and gives no verdict of its own', async () => {
    await openExperiment(page, NAME);
    await expect.poll(() => panel().locator('[data-testid="sweep-empty"]').textContent()).toContain('No trial has ended yet');
    expect(await panel().textContent()).toContain('The sweep itself gives no verdict between the cells');
    // the summary over the sweep's own seeds, which would judge the cells on them, is not shown
    expect(await page.locator('.seed-summary').count()).toBe(0);
    expect(await page.locator('[data-testid="confirm-sweep"]').isDisabled()).toBe(true);
  });

  it('draws every view from the lab\'s report once the trials have ended', async () => {
    await shotOnFailure(page, 'sweep-views', async () => {
      lab.runExperiment(id);
      await lab.whenIdle();
      const report: SweepReport = lab.sweepReport(id);
      const ended = endedTrials(report.trials);
      expect(ended.length).toBe(8);
      const stopped = ended.filter((t) => t.status === 'stopped');
      expect(stopped.length).toBeGreaterThan(0);
      await expect.poll(async () => Object.values(await chartPoints(page, STRIP)).reduce((a, b) => a + b, 0), { timeout: 15_000 }).toBe(8);
      const strip = await chartPoints(page, STRIP);
      expect(Object.entries(strip).filter(([k]) => k.includes('stopped')).reduce((a, [, n]) => a + n, 0)).toBe(stopped.length);
      const expected = await chartPoints(page, EXPECTED);
      for (const c of report.cells) expect(Object.values(expected)).toContain(c.expectedBest.length);
      for (const s of ['learning rate', 'optimizer']) expect(Object.values(await chartPoints(page, scatter(s))).reduce((a, b) => a + b, 0)).toBe(8);
      expect(await panel().locator('svg[data-lines]').getAttribute('data-lines')).toBe('8');
      expect(await panel().locator('svg polyline.stopped').count()).toBe(stopped.length);
      // importance: the method named, or why there is none, for every cell
      for (const c of report.cells) {
        const text = await panel().locator(`.importance[data-cell="${c.cell}"]`).textContent();
        expect(text).toContain(c.importanceMethod === 'fanova-forest' ? 'functional ANOVA of a random forest (Hutter et al. 2014)' : c.importanceMethod === 'grid-anova' ? 'exact variance decomposition' : 'Not enough finished trials');
      }
      // each cell's best, as the lab has it
      for (const c of report.cells) expect(await panel().locator(`.sweep-best tr[data-cell="${c.cell}"]`).textContent()).toContain(`#${c.best!.runId}, trial ${c.best!.trial}`);
      // a stopped run says why in the run table
      const rows = await runRows(page);
      expect(rows.filter((r) => r.status === 'stopped').map((r) => r.id).sort()).toEqual(stopped.map((t) => t.runId).sort());
      expect(await page.locator(`.run-table tr[data-run="${stopped[0].runId}"] .halted`).textContent()).toMatch(/at step (20|60): \d\.\d{3}, behind the cutoff \d\.\d{3} \(\d+(st|nd|rd|th) of \d+; the best 1\/3 go on\)/);
      expect(app!.problems).toEqual([]);
    });
  });

  it('looks right at 1024 x 700 and 1920 x 1080, light and dark', async () => {
    for (const [width, height] of [[1024, 700], [1920, 1080]]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.setViewportSize({ width, height });
        await page.emulateMedia({ colorScheme });
        // the charts redraw with the theme and the new width
        await page.waitForTimeout(300);
        // the panel cut from the whole page (an element's screenshot would show the sticky navigation bar across it)
        await page.evaluate('window.scrollTo(0, 0)');
        const box = (await panel().boundingBox())!;
        await page.screenshot({ path: screenshotPath(`sweep-${width}-${colorScheme}`), fullPage: true, clip: box });
        const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        expect(overflow, `${width} ${colorScheme}: the page scrolls sideways`).toBe(0);
      }
    }
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.emulateMedia({ colorScheme: 'light' });
    expect(app!.problems).toEqual([]);
  });

  it('confirms the best: the confirmation experiment is made, linked, and its summary over seeds shown', async () => {
    await shotOnFailure(page, 'sweep-confirm', async () => {
      await page.locator('[data-testid="confirm-sweep"]').click();
      await expect.poll(() => panel().locator('[data-testid="confirm-link"]').textContent(), { timeout: 15_000 }).toMatch(/The confirmation: experiment #\d+/);
      const confirmId = lab.sweepReport(id).confirm!.experimentId;
      expect(lab.experiment(confirmId).runs).toHaveLength(2 * 3);
      await lab.whenIdle();
      await expect.poll(() => panel().locator('[data-testid="confirm-link"]').textContent(), { timeout: 15_000 }).toContain('6 of 6 runs ended');
      await expect.poll(() => panel().locator('.seed-summary [data-testid="verdict"]').textContent(), { timeout: 15_000 }).not.toContain('No run has finished yet');
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: screenshotPath('sweep-confirm'), fullPage: true, clip: (await panel().locator('.sweep-confirm').boundingBox())! });
      await panel().locator('[data-testid="confirm-link"] button').click();
      await expect.poll(() => page.locator('main h1').first().textContent()).toBe(lab.experiment(confirmId).experiment.name);
      expect(app!.problems).toEqual([]);
    });
  });

  it('puts the sweep in the HTML report: its views as SVG and the confirmation\'s summary', () => {
    const html = buildReport(lab, id);
    const section = html.slice(html.indexOf('<section class="sweep">'), html.indexOf('<section class="baselines">'));
    expect(section.match(/<svg /g)?.length).toBe(1 + 1 + 2 + 1);
    expect(section).toContain('The confirmation experiment #');
    expect(section).toContain('<section class="seeds">');
  });
});
