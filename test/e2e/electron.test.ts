/**
 * End to end in the desktop app: the built Electron app (out/main/index.js) driven through
 * Playwright's Electron support, on a fresh database (RNN_LAB_DB) and a private data folder, with
 * the same user flow as browser.test.ts: import a text file, train three cells, export the metrics,
 * compare, generate, pause/resume/cancel. Screenshots go to test-results/screenshots/electron-*.png.
 *
 * Needs Electron's binary (node_modules/electron/dist, from Electron's downloads) and, on Linux, a
 * display (run under xvfb-run on a headless machine); otherwise it is skipped with the reason.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electronBinary } from '../../scripts/electron-binary.mjs';
import { compareRuns, createExperiment, generateText, importCorpus, openExperiment, pauseResumeCancel, runRows, shotOnFailure, showScreen, waitForCompletion, type ExperimentSettings } from './flow.ts';
import { charSet, englishText, ensureAppBuilt, METRICS_CSV_HEADER, repoRoot, screenshotPath } from './support.ts';

const electron = electronBinary(repoRoot);
const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const skipReason = !electron
  ? "Electron binary not installed on this machine (no access to Electron's downloads); the same flow runs in browser mode in browser.test.ts"
  : noDisplay
    ? 'no display for Electron (DISPLAY and WAYLAND_DISPLAY are unset): run the tests under xvfb-run; the same flow runs in browser mode in browser.test.ts'
    : null;

const CORPUS_NAME = 'e2e-sentences';
const TEXT = englishText(6000);
const ALPHABET = charSet(TEXT);
const TRAINED: ExperimentSettings = { name: 'E2E three cells', cells: ['rnn', 'lstm', 'gru'], hidden: 16, seqLen: 16, batch: 8, steps: 120, evalEvery: 20 };
const LONG: ExperimentSettings = { name: 'E2E pause and resume', cells: ['lstm'], hidden: 16, seqLen: 16, batch: 8, steps: 50_000, evalEvery: 500 };

if (skipReason) {
  console.log(`test/e2e/electron.test.ts skipped: ${skipReason}`);
  describe('the desktop app (Electron), end to end', () => {
    it.skip(skipReason, () => {});
  });
} else {
  describe('the desktop app (Electron), end to end', () => {
    let tmp: string;
    let downloads: string;
    let app: ElectronApplication | null = null;
    let page: Page;
    const pageErrors: string[] = [];
    let trainedRuns: number[] = [];

    beforeAll(async () => {
      ensureAppBuilt();
      tmp = mkdtempSync(join(tmpdir(), 'rnn-lab-e2e-electron-'));
      downloads = join(tmp, 'downloads');
      mkdirSync(downloads);
      const root = typeof process.getuid === 'function' && process.getuid() === 0;
      // a fresh database, and a private data folder so the single-instance lock is our own
      const env: Record<string, string> = { ...(process.env as Record<string, string>), RNN_LAB_DB: join(tmp, 'lab.db'), XDG_CONFIG_HOME: join(tmp, 'config') };
      delete env.ELECTRON_RENDERER_URL; // the built renderer, not a dev server
      app = await _electron.launch({
        executablePath: electron!,
        args: [join(repoRoot, 'out/main/index.js'), ...(root ? ['--no-sandbox'] : [])],
        cwd: repoRoot,
        env,
        timeout: 60_000,
      });
      // Exports are saved through the browser's download; the app leaves the save dialog to
      // Electron, so the test answers it: everything goes to the temporary folder.
      await app.evaluate(({ session }, dir) => {
        session.defaultSession.on('will-download', (_event, item) => item.setSavePath(`${dir}/${item.getFilename()}`));
      }, downloads);
      page = await app.firstWindow();
      await page.waitForLoadState('domcontentloaded');
      await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.setContentSize(1360, 900));
      page.on('pageerror', (e) => pageErrors.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') pageErrors.push(`console error: ${m.text()}`);
      });
    }, 90_000);

    afterAll(async () => {
      // closing the window quits; running runs pause with a checkpoint first
      await app?.close().catch(() => undefined);
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }, 30_000);

    it('keeps Node and Electron out of the page: only the LabApi bridge is exposed', async () => {
      const exposed = await page.evaluate(() => ({
        require: typeof (globalThis as { require?: unknown }).require,
        process: typeof (globalThis as { process?: unknown }).process,
        bridge: typeof (globalThis as { labBridge?: unknown }).labBridge,
      }));
      expect(exposed).toEqual({ require: 'undefined', process: 'undefined', bridge: 'object' });
    });

    it('opens the demo experiment on a first start', async () => {
      await expect.poll(() => page.getByRole('tab', { name: 'Experiment', exact: true }).getAttribute('aria-selected'), { timeout: 20_000 }).toBe('true');
      await expect.poll(() => page.locator('main h1').first().textContent()).toMatch(/^Demo: /);
      // the demo: three seeds of each of three cells
      await expect.poll(async () => (await runRows(page)).map((r) => r.status).join(',')).toBe(Array(9).fill('not started').join(','));
      await page.screenshot({ path: screenshotPath('electron-0-first-start'), fullPage: true });
    });

    it('imports a text file and shows its statistics', async () => {
      await shotOnFailure(page, 'electron-import', () => importCorpus(page, tmp, CORPUS_NAME, TEXT, 'electron-1-corpora'));
    });

    it('trains RNN, LSTM and GRU side by side to the end, with live parameter counts and charts', async () => {
      await shotOnFailure(page, 'electron-new-experiment', () => createExperiment(page, { name: CORPUS_NAME, vocab: ALPHABET.size }, TRAINED, { start: true, shot: 'electron-2-new-experiment' }));
      trainedRuns = await shotOnFailure(page, 'electron-training', () => waitForCompletion(page, TRAINED, 60_000, 'electron-3-experiment'));
      expect(trainedRuns).toHaveLength(3);
    }, 90_000);

    it('exports the metrics as CSV through a download', async () => {
      expect(trainedRuns).toHaveLength(3);
      await page.getByRole('button', { name: 'Export metrics (CSV)' }).click();
      await expect.poll(() => readdirSync(downloads).filter((f) => f.endsWith('.csv')).length, { timeout: 10_000 }).toBe(1);
      const file = join(downloads, readdirSync(downloads).find((f) => f.endsWith('.csv'))!);
      // the download may still be being written
      await expect.poll(() => readFileSync(file, 'utf8').split(/\r?\n/)[0]).toBe(METRICS_CSV_HEADER);
    });

    it('compares the runs of the experiment', async () => {
      expect(trainedRuns).toHaveLength(3);
      await showScreen(page, 'Experiment');
      await shotOnFailure(page, 'electron-compare', () => compareRuns(page, trainedRuns, 'electron-4-compare'));
    });

    it('saves the comparison as a PDF through the window\'s own printToPDF', async () => {
      expect(trainedRuns).toHaveLength(3);
      await page.getByRole('button', { name: 'Save PDF' }).click();
      await expect.poll(() => readdirSync(downloads).filter((f) => f.endsWith('.pdf')), { timeout: 15_000 }).toEqual(['E2E three cells comparison.pdf']);
      const file = join(downloads, 'E2E three cells comparison.pdf');
      await expect.poll(() => readFileSync(file).length, { timeout: 10_000 }).toBeGreaterThan(10_000);
      expect(readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    });

    it('generates text from a trained run, streaming in the characters of the corpus', async () => {
      expect(trainedRuns).toHaveLength(3);
      const text = await shotOnFailure(page, 'electron-generate', () => generateText(page, trainedRuns[1], ALPHABET, { prime: 'The ', temperature: 0.8, length: 300 }, 'electron-5-generate'));
      expect(text.trim().length).toBeGreaterThan(0);
    }, 40_000);

    it('pauses, resumes and cancels a run of a long experiment', async () => {
      await shotOnFailure(page, 'electron-pause-resume', async () => {
        await createExperiment(page, { name: CORPUS_NAME, vocab: ALPHABET.size }, LONG, { start: true });
        await pauseResumeCancel(page);
      });
      await openExperiment(page, TRAINED.name);
    }, 60_000);

    it('showed no errors in the page', async () => {
      expect(pageErrors).toEqual([]);
      expect(await page.locator('.toast-error').count()).toBe(0);
    });
  });
}
