/**
 * The Experiment screen's charts and samples end to end in Chromium, in browser mode (the lab and
 * its server in this process, one worker, so the runs of a two-cell, two-seed experiment on the
 * recall task train one after another): a cell with one finished seed and one paused, then
 * running, seed is drawn over the whole range with its band where both seeds are, and says how
 * many seeds each point averages; hovering the loss chart shows the same step on the
 * gradient-norm and accuracy charts; dragging zooms all of them and Reset zoom undoes it; the
 * accuracy chart draws the task's chance; a saved PNG and the clipboard copy carry the chart's
 * title and legend; each run's samples page back through training. Light and dark, no console
 * error.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src-main/api/contract.ts';
import type { Lab } from '../../src-main/lab/lab.ts';
import { startServer, type RunningServer } from '../../src-main/server/server.ts';
import { GRAD_CHART, LOSS_CHART, openExperiment, pngSize, saveChartPng } from './flow.ts';
import { CHROMIUM, CHROMIUM_ARGS, ensureAppBuilt, recordProblems, screenshotPath, temporaryLab } from './support.ts';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`test/e2e/charts.test.ts skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package to run it)`);

const NAME = 'E2E charts';
const STEPS = 3000;
const ACCURACY_CHART = 'Accuracy of each run on the characters that need long-range memory, with the chance level';

interface Ink {
  /** dark pixels in the title band */
  titleInk: number;
  /** pixels of the RNN's and the GRU's colours under the plot */
  blueInLegend: number;
  redInLegend: number;
}

/**
 * Page-side code as plain JavaScript (this file has no DOM types): draws a PNG given as base64 on
 * a canvas and counts the pixels of the title band that are dark, and those under the plot in the
 * two cells' colours.
 */
const READ_INK = new Function('arg', `return (async () => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + arg.base64;
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.width;
  c.height = img.height;
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const count = (y0, y1, near) => {
    const d = ctx.getImageData(0, y0, c.width, y1 - y0).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (near(d[i], d[i + 1], d[i + 2])) n++;
    return n;
  };
  const close = (R, G, B) => (r, g, b) => Math.abs(r - R) + Math.abs(g - G) + Math.abs(b - B) < 30;
  return {
    titleInk: count(0, 60, (r, g, b) => r + g + b < 200),
    blueInLegend: count(arg.plotBottom, c.height, close(0x3b, 0x82, 0xf6)),
    redInLegend: count(arg.plotBottom, c.height, close(0xef, 0x44, 0x44)),
  };
})();`) as (arg: { base64: string; plotBottom: number }) => Promise<Ink>;

/** Resolves when test() holds, polling every 20 ms. */
async function until(what: string, test: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A canvas' data-* attribute, parsed as JSON (null when absent). */
async function canvasData<T>(page: Page, label: string, attribute: string): Promise<T | null> {
  const raw = await page.locator(`canvas[aria-label="${label}"]`).getAttribute(`data-${attribute}`);
  return raw === null ? null : (JSON.parse(raw) as T);
}

describe.skipIf(!hasChromium)('the charts and samples of an experiment in Chromium', () => {
  let lab: Lab;
  let disposeLab: (() => Promise<void>) | undefined;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let runs: Run[];
  /** GRU seed 2: paused early, while its other seed has finished */
  let behind: Run;
  let pausedAt: number;
  const problems: string[] = [];

  beforeAll(async () => {
    ensureAppBuilt();
    ({ lab, dispose: disposeLab } = temporaryLab('charts-e2e', 1));
    const { corpus } = lab.createTaskCorpus('recall', { lag: 16, length: 8000 });
    const created = lab.createExperiment({
      corpusId: corpus.id,
      name: NAME,
      spec: { cells: ['rnn', 'gru'], seeds: 2, budget: { mode: 'hidden', hidden: 8 }, train: { steps: STEPS, seqLen: 16, batch: 8 }, cadence: { evalEvery: 100, evalChars: 300, checkpointEvery: 500 } },
    });
    lab.runExperiment(created.experiment.id);
    behind = created.runs[3];
    // one worker: GRU seed 2 trains last, so the other three have finished when it is paused
    await until('GRU seed 2 running past step 100', () => lab.run(behind.id).status === 'running' && lab.run(behind.id).step >= 100);
    lab.pauseRun(behind.id);
    await until('GRU seed 2 paused', () => lab.run(behind.id).status === 'paused');
    runs = lab.experiment(created.experiment.id).runs;
    expect(runs.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'paused']);
    pausedAt = lab.run(behind.id).step;
    expect(pausedAt).toBeLessThan(STEPS / 2);

    server = await startServer({ lab });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    const context = await browser.newContext({ viewport: { width: 1024, height: 700 }, colorScheme: 'light', acceptDownloads: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.url).origin });
    page = await context.newPage();
    recordProblems(page, problems);
    await page.goto(server.url);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await disposeLab?.();
  });

  const extent = async (label: string): Promise<Record<string, [number, number]>> => (await canvasData<Record<string, [number, number]>>(page, label, 'extent')) ?? {};

  /** Moves the pointer over a chart at a fraction of its width and height. */
  async function pointAt(label: string, fx: number, fy = 0.5): Promise<void> {
    const box = (await page.locator(`canvas[aria-label="${label}"]`).boundingBox())!;
    await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
  }

  it('draws a cell with one finished and one paused seed over the whole range, its band only where both seeds are', async () => {
    await openExperiment(page, NAME);
    await page.locator(`canvas[aria-label="${LOSS_CHART}"]`).scrollIntoViewIfNeeded();
    await expect.poll(async () => (await extent(LOSS_CHART))['GRU mean train']?.[1], { timeout: 15_000 }).toBe(STEPS);
    const e = await extent(LOSS_CHART);
    expect(e['GRU mean train'][0]).toBe(1);
    // the band's last point averages the last rows both seeds have: at or before the pause
    expect(e['GRU train +1 sd'][1]).toBeLessThanOrEqual(pausedAt);
    expect(e['GRU train +1 sd'][1]).toBeGreaterThan(pausedAt * 0.8);
    expect(e['RNN train +1 sd'][1]).toBeGreaterThan(STEPS * 0.95);
    // the gradient norm and the long-range accuracy, too
    expect((await extent(GRAD_CHART))['GRU mean grad norm'][1]).toBe(STEPS);
    expect((await extent(ACCURACY_CHART))['GRU mean long-range accuracy'][1]).toBe(STEPS);
    await expect.poll(() => page.getByTestId('seed-coverage').textContent())
      .toBe(`seeds in each mean: GRU: 2 seeds to step ${pausedAt.toLocaleString('en-US')}, 1 to step ${STEPS.toLocaleString('en-US')}`);
  });

  it('says over how many seeds each point averages, at the same step on every chart', async () => {
    await pointAt(LOSS_CHART, 0.75);
    await expect.poll(() => canvasData<string[]>(page, LOSS_CHART, 'hover')).toEqual(expect.arrayContaining([
      expect.stringMatching(/^RNN mean train: \d\.\d{3} ± \d\.\d{3} \(2 seeds\)( at step [\d,]+)?$/),
      expect.stringMatching(/^GRU mean train: \d\.\d{3} \(1 seed\)( at step [\d,]+)?$/),
    ]));
    const step = await canvasData<number>(page, LOSS_CHART, 'hover-x');
    expect(step).toBeGreaterThan(pausedAt);
    // the crosshair is at the same step on the other charts, with their values there
    for (const chart of [GRAD_CHART, ACCURACY_CHART]) await expect.poll(() => canvasData<number>(page, chart, 'hover-x')).toBe(step);
    expect(await canvasData<string[]>(page, GRAD_CHART, 'hover')).toContainEqual(expect.stringMatching(/^GRU mean grad norm: \d+\.\d{3} \(1 seed\)( at step [\d,]+)?$/));
    expect(await canvasData<string[]>(page, ACCURACY_CHART, 'hover')).toContainEqual(expect.stringMatching(/^GRU mean long-range accuracy: \d+\.\d% \(1 seed\)( at step [\d,]+)?$/));
    // before the pause both GRU seeds count
    let early = Infinity;
    for (let fx = 0.06; fx < 0.3 && early >= pausedAt * 0.8; fx += 0.01) {
      await pointAt(LOSS_CHART, fx);
      early = (await canvasData<number>(page, LOSS_CHART, 'hover-x')) ?? Infinity;
    }
    expect(early).toBeLessThan(pausedAt * 0.8);
    expect(await canvasData<string[]>(page, LOSS_CHART, 'hover')).toContainEqual(expect.stringMatching(/^GRU mean train: \d\.\d{3} ± \d\.\d{3} \(2 seeds\)( at step [\d,]+)?$/));
    await page.mouse.move(0, 0);
    await expect.poll(() => canvasData(page, GRAD_CHART, 'hover-x')).toBeNull();
  });

  it('zooms every chart to the range dragged across one, and Reset zoom (or a double-click) shows it all again', async () => {
    const box = (await page.locator(`canvas[aria-label="${LOSS_CHART}"]`).boundingBox())!;
    const drag = async (from: number, to: number): Promise<void> => {
      await page.mouse.move(box.x + box.width * from, box.y + box.height * 0.5);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * to, box.y + box.height * 0.52, { steps: 6 });
      await page.mouse.up();
    };
    await drag(0.3, 0.6);
    const range = await page.locator(`canvas[aria-label="${LOSS_CHART}"]`).getAttribute('data-x-range');
    expect(range).toMatch(/^[\d.]+,[\d.]+$/);
    const [lo, hi] = range!.split(',').map(Number);
    expect(lo).toBeGreaterThan(STEPS * 0.15);
    expect(hi).toBeLessThan(STEPS * 0.75);
    for (const chart of [GRAD_CHART, ACCURACY_CHART]) expect(await page.locator(`canvas[aria-label="${chart}"]`).getAttribute('data-x-range')).toBe(range);
    await page.screenshot({ path: screenshotPath('charts-zoomed'), fullPage: true });
    await page.getByRole('button', { name: 'Reset zoom' }).click();
    for (const chart of [LOSS_CHART, GRAD_CHART, ACCURACY_CHART]) expect(await page.locator(`canvas[aria-label="${chart}"]`).getAttribute('data-x-range')).toBeNull();
    await expect.poll(() => page.getByRole('button', { name: 'Reset zoom' }).count()).toBe(0);
    await drag(0.5, 0.7);
    expect(await page.locator(`canvas[aria-label="${GRAD_CHART}"]`).getAttribute('data-x-range')).not.toBeNull();
    await page.locator(`canvas[aria-label="${GRAD_CHART}"]`).dblclick();
    for (const chart of [LOSS_CHART, GRAD_CHART, ACCURACY_CHART]) expect(await page.locator(`canvas[aria-label="${chart}"]`).getAttribute('data-x-range')).toBeNull();
  });

  it("draws the recall task's chance, 1 in 4 letters, on the long-range accuracy chart", async () => {
    expect(await page.locator('figure[data-metric="longRange"]').getAttribute('data-references')).toBe('1');
    expect(await canvasData<Record<string, number>>(page, ACCURACY_CHART, 'points')).toMatchObject({ 'chance 25% (1 of 4 letters)': 2 });
  });

  it('saves and copies a chart as a figure with its title above and its legend below', async () => {
    const png = await saveChartPng(page, LOSS_CHART);
    writeFileSync(screenshotPath('charts-saved-loss'), png.bytes);
    const { width, height } = pngSize(png.bytes);
    expect(Math.abs(width - 2 * png.cssWidth)).toBeLessThanOrEqual(1);
    expect(height).toBeGreaterThan(2 * png.cssHeight + 60);
    // the pixels, read back in the page: text in the title band; each cell's colour in the legend
    const look = await page.evaluate<Ink, { base64: string; plotBottom: number }>(READ_INK, { base64: Buffer.from(png.bytes).toString('base64'), plotBottom: Math.round(2 * (png.cssHeight + 30)) });
    expect(look.titleInk).toBeGreaterThan(100);
    expect(look.blueInLegend).toBeGreaterThan(20);
    expect(look.redInLegend).toBeGreaterThan(20);

    const figure = page.locator('figure', { has: page.locator(`canvas[aria-label="${LOSS_CHART}"]`) });
    await figure.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.locator('.toast-success').last().textContent()).toMatch(/loss chart is on the clipboard/);
    const copied = await page.evaluate<{ width: number; height: number }>(`navigator.clipboard.read()
      .then(([item]) => item.getType('image/png')).then(createImageBitmap).then((b) => ({ width: b.width, height: b.height }))`);
    expect(copied).toEqual({ width, height });
  });

  it("pages through each run's samples, one per evaluation, newest first", async () => {
    const board = page.locator(`article.sample[data-run="${runs[0].id}"]`);
    await board.scrollIntoViewIfNeeded();
    const evals = STEPS / 100;
    await expect.poll(() => board.getByTestId('sample-page').textContent()).toBe(`${evals} of ${evals}`);
    expect(await board.locator('.meta').textContent()).toContain(`step ${STEPS.toLocaleString('en-US')}`);
    await board.getByRole('button', { name: /^Older sample/ }).click();
    expect(await board.getByTestId('sample-page').textContent()).toBe(`${evals - 1} of ${evals}`);
    expect(await board.locator('.meta').textContent()).toContain(`step ${(STEPS - 100).toLocaleString('en-US')}`);
    // the paused seed has the samples of the evaluations it reached
    const paused = page.locator(`article.sample[data-run="${behind.id}"]`);
    expect(await paused.getByTestId('sample-page').textContent()).toBe(`${Math.floor(pausedAt / 100)} of ${Math.floor(pausedAt / 100)}`);
  });

  it('draws the cell while its second seed trains again, each mean over the seeds that have reached the step', async () => {
    lab.resumeRun(behind.id);
    await until('GRU seed 2 training again', () => lab.run(behind.id).status === 'running' && lab.run(behind.id).step > pausedAt);
    await expect.poll(() => page.getByTestId('seed-coverage').textContent(), { timeout: 15_000 }).toMatch(/^seeds in each mean: GRU: 2 seeds to step [\d,]+, 1 to step 3,000$/);
    const e = await extent(LOSS_CHART);
    expect(e['GRU mean train']).toEqual([1, STEPS]);
    expect(lab.run(behind.id).status === 'running' || lab.run(behind.id).status === 'completed').toBe(true);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: screenshotPath(`charts-${scheme}-1024`), fullPage: true });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('logs no console error, page error or failed request on the way', () => {
    expect(problems).toEqual([]);
  });
});
