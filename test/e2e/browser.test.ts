/**
 * End to end in browser mode: `rnn-lab serve` on a fresh database, driven in Debian's Chromium
 * through Playwright as a user would: import a text file, set up and train three cells, watch them
 * finish, compare, export the metrics, generate text, and pause/resume/cancel a run. Screenshots of
 * each screen go to test-results/screenshots/. Also checks the server's access rules over fetch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartPoints, compareRuns, createExperiment, downloadReport, generateText, importCorpus, isReferenceLine, lookInside, LOSS_CHART, openExperiment, pauseResumeCancel, pngFirstPixel, pngSize, printedPdf, runRows, saveChartPng, shotOnFailure, showScreen, waitForCompletion, type ExperimentSettings } from './flow.ts';
import { charSet, CHROMIUM, CHROMIUM_ARGS, englishText, ensureAppBuilt, METRICS_CSV_HEADER, repoRoot, screenshotPath, SCREENSHOTS } from './support.ts';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`test/e2e/browser.test.ts skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package to run the browser-mode end-to-end test)`);

const CORPUS_NAME = 'e2e-sentences';
const TEXT = englishText(6000);
const ALPHABET = charSet(TEXT);
const TRAINED: ExperimentSettings = { name: 'E2E three cells', cells: ['rnn', 'lstm', 'gru'], hidden: 16, seqLen: 16, batch: 8, steps: 120, evalEvery: 20 };
const SEEDS: ExperimentSettings = { name: 'E2E two seeds', cells: ['rnn', 'gru'], hidden: 8, seqLen: 8, batch: 4, steps: 40, evalEvery: 10, seeds: 2 };
const LONG: ExperimentSettings = { name: 'E2E pause and resume', cells: ['lstm'], hidden: 16, seqLen: 16, batch: 8, steps: 50_000, evalEvery: 500 };

interface Served {
  url: string;
  port: number;
  token: string;
}

/** Starts `rnn-lab serve --json` and reads the URL line it prints. */
let serverLog = '';

function serve(db: string): Promise<{ child: ChildProcess; served: Served }> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/rnn-lab.mjs'), 'serve', '--port', '0', '--db', db, '--workers', '2', '--json'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    serverLog += d.toString();
  });
  return new Promise((resolveServed, reject) => {
    const timer = setTimeout(() => reject(new Error(`rnn-lab serve printed no URL within 20 s; stderr: ${stderr}`)), 20_000);
    child.once('exit', (code, signal) => {
      serverLog += `\n[rnn-lab serve exited: code ${code}, signal ${signal}]\n`;
      reject(new Error(`rnn-lab serve exited (${code}): ${stderr}`));
    });
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolveServed({ child, served: JSON.parse(line) as Served });
    });
  });
}

describe.skipIf(!hasChromium)('browser mode, end to end in Chromium', () => {
  let tmp: string;
  let server: ChildProcess | null = null;
  let served: Served;
  let origin: string;
  let browser: Browser | null = null;
  let page: Page;
  const pageErrors: string[] = [];
  let trainedRuns: number[] = [];

  beforeAll(async () => {
    ensureAppBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'rnn-lab-e2e-'));
    ({ child: server, served } = await serve(join(tmp, 'lab.db')));
    origin = new URL(served.url).origin;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true, colorScheme: 'light' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(served.url).origin });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console error: ${m.text()}`);
    });
    // a missing file is an error (the favicon too: the page links the app icon)
    page.on('response', (r) => {
      if (r.status() >= 400) pageErrors.push(`HTTP ${r.status()} for ${r.url()}`);
    });
  }, 90_000);

  afterAll(async () => {
    if (serverLog) console.log(`rnn-lab serve wrote to stderr:\n${serverLog}`);
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((done) => server!.once('exit', done));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 10_000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 30_000);

  describe('the API refuses', () => {
    const call = (headers: Record<string, string>) => fetch(`${origin}/api/listCorpora`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ req: {} }) });

    it('a request without the token (401)', async () => {
      expect((await call({})).status).toBe(401);
    });
    it('a request with a wrong token (401)', async () => {
      expect((await call({ Authorization: `Bearer ${'0'.repeat(64)}` })).status).toBe(401);
    });
    it('a request from another origin, even with the token (403)', async () => {
      expect((await call({ Authorization: `Bearer ${served.token}`, Origin: 'http://evil.example' })).status).toBe(403);
    });
    it('but answers the same request with the token from its own origin', async () => {
      const res = await call({ Authorization: `Bearer ${served.token}`, Origin: origin });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ ok: true });
    });
  });

  it('opens the demo experiment on a first start, and drops the token from the address bar', async () => {
    await page.goto(served.url);
    await expect.poll(() => page.getByRole('tab', { name: 'Experiment', exact: true }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.locator('main h1').first().textContent()).toMatch(/^Demo: /);
    // the demo: three seeds of each cell
    await expect.poll(async () => (await runRows(page)).map((r) => `${r.cell} ${r.status}`).join(', ')).toBe(['rnn', 'lstm', 'gru'].flatMap((c) => Array(3).fill(`${c} not started`)).join(', '));
    expect(page.url()).not.toContain(served.token);
    await page.screenshot({ path: screenshotPath('0-first-start'), fullPage: true });
    await showScreen(page, 'Corpora');
    await expect.poll(() => page.locator('.corpus-list li').count()).toBe(1);
  });

  it('imports a text file and shows its statistics', async () => {
    await shotOnFailure(page, 'import', () => importCorpus(page, tmp, CORPUS_NAME, TEXT, '1-corpora'));
  });

  it('trains RNN, LSTM and GRU side by side to the end, with live parameter counts and charts', async () => {
    await shotOnFailure(page, 'new-experiment', () => createExperiment(page, { name: CORPUS_NAME, vocab: ALPHABET.size }, TRAINED, { start: true, shot: '2-new-experiment' }));
    trainedRuns = await shotOnFailure(page, 'training', () => waitForCompletion(page, TRAINED, 60_000, '3-experiment'));
    expect(trainedRuns).toHaveLength(3);
  }, 90_000);

  it('exports the metrics as CSV through a browser download', async () => {
    expect(trainedRuns).toHaveLength(3);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export metrics (CSV)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toBe(METRICS_CSV_HEADER);
    const runsInFile = new Set(lines.slice(1).map((l) => Number(l.split(',')[1])));
    expect([...runsInFile].sort((a, b) => a - b)).toEqual(trainedRuns);
    const lastSteps = trainedRuns.map((id) => Math.max(...lines.slice(1).filter((l) => Number(l.split(',')[1]) === id).map((l) => Number(l.split(',')[4]))));
    expect(lastSteps).toEqual(trainedRuns.map(() => TRAINED.steps));
  });

  it('compares the runs of the experiment', async () => {
    expect(trainedRuns).toHaveLength(3);
    await shotOnFailure(page, 'compare', () => compareRuns(page, trainedRuns, '4-compare'));
    // the runs share one corpus: its baselines are drawn here too
    expect(Object.keys(await chartPoints(page, LOSS_CHART)).filter(isReferenceLine)).toHaveLength(4);
  });

  it('saves the loss chart as a PNG at twice the screen resolution, on a solid background', async () => {
    expect(trainedRuns).toHaveLength(3);
    const png = await saveChartPng(page, LOSS_CHART);
    expect(png.fileName).toBe('E2E three cells comparison loss.png');
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.bytes.length).toBeGreaterThan(20_000);
    expect(png.bytes.length).toBeLessThan(5_000_000);
    const { width, height } = pngSize(png.bytes);
    // Chart.js sizes the backing store as floor(css size x ratio); the figure adds its title and legend (charts.test.ts)
    expect(Math.abs(width - 2 * png.cssWidth)).toBeLessThanOrEqual(1);
    expect(height).toBeGreaterThan(2 * png.cssHeight + 60);
    writeFileSync(`${SCREENSHOTS}/saved-loss-chart.png`, png.bytes);
    // opaque: the top-left pixel is the background colour, not transparent
    expect(pngFirstPixel(png.bytes)).toEqual([255, 255, 255, 255]);
    // and the chart on screen went back to the screen's density
    const backing = await page.locator(`canvas[aria-label="${LOSS_CHART}"]`).first().evaluate((c) => Number(c.getAttribute('width')) / c.getBoundingClientRect().width);
    expect(backing).toBeCloseTo(1, 1);
  });

  it('copies the loss chart to the clipboard as a PNG image', async () => {
    const figure = page.locator('figure', { has: page.locator(`canvas[aria-label="${LOSS_CHART}"]`) }).first();
    await figure.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.locator('.toast-success').last().textContent()).toMatch(/loss chart is on the clipboard/);
    const types = await page.evaluate<string[]>('navigator.clipboard.read().then((items) => items.flatMap((item) => item.types))');
    expect(types).toContain('image/png');
  });

  it('prints the comparison to a landscape PDF with the print CSS', async () => {
    expect(trainedRuns).toHaveLength(3);
    const pdf = await printedPdf(page);
    expect(new TextDecoder().decode(pdf.subarray(0, 5))).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(10_000);
    writeFileSync(`${SCREENSHOTS}/comparison.pdf`, pdf);
  });

  it('downloads the experiment report as one HTML file from the Experiment screen', async () => {
    expect(trainedRuns).toHaveLength(3);
    await openExperiment(page, TRAINED.name);
    const { fileName, html } = await downloadReport(page);
    expect(fileName).toBe('E2E three cells report.html');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;`);
    expect(html).toContain('<h1>E2E three cells</h1>');
    for (const id of trainedRuns) expect(html).toContain(`<tr data-run="${id}">`);
    for (const cell of TRAINED.cells) expect(html).toContain(`<strong>${cell}</strong>`);
    expect(html).toContain(CORPUS_NAME);
    expect(html).not.toMatch(/<script/i);
    writeFileSync(`${SCREENSHOTS}/report.html`, html);
  });

  it('looks inside the trained cells: gradient flow by lag, a unit over a passage, the loss per character', async () => {
    expect(trainedRuns).toHaveLength(3);
    await openExperiment(page, TRAINED.name);
    await shotOnFailure(page, 'inside', () => lookInside(page, trainedRuns, '8-inside'));
  });

  it('generates text from a trained run, streaming in the characters of the corpus', async () => {
    expect(trainedRuns).toHaveLength(3);
    const text = await shotOnFailure(page, 'generate', () => generateText(page, trainedRuns[1], ALPHABET, { prime: 'The ', temperature: 0.8, length: 300 }, '5-generate'));
    expect(text.trim().length).toBeGreaterThan(0);
  }, 40_000);

  // The Generate form offers an empty prime ("may be empty") and temperature 0 ("always the likeliest").
  it('generates from an empty prime, as the form says it may', async () => {
    await generateText(page, trainedRuns[0], ALPHABET, { prime: '', temperature: 0.8, length: 50 });
  }, 30_000);

  it('generates greedily at temperature 0, as the form says it can', async () => {
    await generateText(page, trainedRuns[0], ALPHABET, { prime: 'A', temperature: 0, length: 50 });
  }, 30_000);

  it('judges two seeds per cell: a verdict, mean-and-band lines, and the baselines as reference lines', async () => {
    await shotOnFailure(page, 'seeds', async () => {
      await createExperiment(page, { name: CORPUS_NAME, vocab: ALPHABET.size }, SEEDS, { start: true });
      await expect.poll(async () => (await runRows(page)).map((r) => `${r.cell} ${r.status}`).join(', '), { timeout: 60_000, interval: 500 })
        .toBe('rnn completed, rnn completed, gru completed, gru completed');
      await expect.poll(() => page.getByTestId('verdict').textContent(), { timeout: 10_000 })
        .toMatch(/(RNN|GRU) (beats (RNN|GRU) by \d\.\d{3} nats per character over 2 seeds|and (RNN|GRU) differ by less than the seed spread)\./);
      // per cell a mean line with a band of +-1 sd (two edges), and beside them the corpus's baselines
      const wanted = [
        ...['RNN', 'GRU'].flatMap((cell) => ['train', 'val'].flatMap((kind) => [`${cell} mean ${kind}`, `${cell} ${kind} +1 sd`, `${cell} ${kind} −1 sd`])),
        'uniform (ln V)', 'unigram', '3-gram (Kneser-Ney)', '5-gram (Kneser-Ney)',
      ];
      // reference lines are labelled with their value: "5-gram (Kneser-Ney) 1.58" (and ln V with the vocabulary size)
      const drawn = (points: Record<string, number>) => wanted.filter((w) => Object.entries(points).some(([label, n]) => n > 0 && label.replace(/ \d+\.\d\d$/, '').replace(`ln ${ALPHABET.size}`, 'ln V') === w));
      await expect.poll(async () => drawn(await chartPoints(page, LOSS_CHART)), { timeout: 15_000 }).toEqual(wanted);
      const points = await chartPoints(page, LOSS_CHART);
      expect(Object.keys(points).filter((l) => /^5-gram \(Kneser-Ney\) \d+\.\d\d$/.test(l)).map((l) => points[l])).toEqual([2]);
      expect(await page.getByTestId('reference-controls').textContent()).toMatch(/uniform \(ln \d+\) \d\.\d{3}/);
      await page.screenshot({ path: screenshotPath('7-seeds-reference-lines'), fullPage: true });
    });
  }, 90_000);

  it('pauses, resumes and cancels a run of a long experiment', async () => {
    await shotOnFailure(page, 'pause-resume', async () => {
      await createExperiment(page, { name: CORPUS_NAME, vocab: ALPHABET.size }, LONG, { start: true });
      await pauseResumeCancel(page);
    });
    await page.screenshot({ path: screenshotPath('6-experiment-cancelled'), fullPage: true });
    // the first experiment is still there, finished
    await openExperiment(page, TRAINED.name);
  }, 60_000);

  it('showed no errors in the page', () => {
    expect(pageErrors).toEqual([]);
    return expect(page.locator('.toast-error, [role="alert"]').count()).resolves.toBe(0);
  });
});
