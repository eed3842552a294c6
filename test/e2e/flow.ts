/**
 * The user's steps through the app, shared by the browser-mode and the Electron end-to-end tests:
 * each takes the app's Page and acts through what a user sees (tabs, labels, buttons), with a few
 * data-testid/data-* hooks where no visible label is stable.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { charSet, expectedParams, screenshotPath } from './support.ts';

export type Cell = 'rnn' | 'lstm' | 'gru';

export const CELL_LABELS: Record<Cell, string> = { rnn: 'RNN (tanh)', lstm: 'LSTM', gru: 'GRU' };
const ALL_CELL_LABELS = ['RNN (tanh)', 'LSTM', 'Peephole LSTM', 'GRU', 'GRU, reset-after (PyTorch form)'];

export interface ExperimentSettings {
  name: string;
  cells: Cell[];
  hidden: number;
  seqLen: number;
  batch: number;
  steps: number;
  evalEvery: number;
  /** seeds per cell (1 when absent) */
  seeds?: number;
}

export async function showScreen(page: Page, label: 'Corpora' | 'New experiment' | 'Experiment' | 'Compare' | 'Generate' | 'Inside the cells'): Promise<void> {
  const tab = page.getByRole('tab', { name: label, exact: true });
  await tab.click();
  await expect.poll(() => tab.getAttribute('aria-selected')).toBe('true');
}

/** The text of the value beside a term in the corpus statistics. */
function stat(page: Page, term: string) {
  return page.locator('dl.stats > div').filter({ has: page.locator('dt').getByText(term, { exact: true }) }).locator('dd');
}

/** Imports a text file through the file input and checks the statistics shown for it. */
export async function importCorpus(page: Page, dir: string, name: string, text: string, shot?: string): Promise<void> {
  await showScreen(page, 'Corpora');
  const file = join(dir, `${name}.txt`);
  writeFileSync(file, text);
  await page.getByTestId('corpus-file-input').setInputFiles(file);
  // imported corpora are selected: their details panel opens
  await expect.poll(() => page.locator('#corpus-title').textContent(), { timeout: 15_000 }).toBe(name);
  await expect.poll(() => page.locator('.corpus-list button[aria-pressed="true"]').textContent()).toContain(name);
  await expect.poll(() => stat(page, 'Characters').textContent()).toBe(text.length.toLocaleString('en-US'));
  await expect.poll(() => stat(page, 'Distinct characters').textContent()).toBe(String(charSet(text).size));
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  const shownLines = Number((await stat(page, 'Lines').textContent())!.replace(/,/g, ''));
  expect(Math.abs(shownLines - lines)).toBeLessThanOrEqual(1);
  expect(await page.locator('.preview').textContent()).toContain(text.slice(0, 40));
  if (shot) await page.screenshot({ path: screenshotPath(shot), fullPage: true });
}

/**
 * Fills the New experiment form (corpus, cells, sizes), checks the live parameter count of each
 * cell, and creates the experiment (started or not). Ends on the Experiment screen.
 */
export async function createExperiment(page: Page, corpus: { name: string; vocab: number }, s: ExperimentSettings, opts: { start: boolean; shot?: string }): Promise<void> {
  await showScreen(page, 'New experiment');
  const form = page.getByRole('form', { name: 'New experiment' });
  await form.waitFor();
  const corpusSelect = page.locator('#field-corpusId');
  const corpusValue = await corpusSelect.locator('option', { hasText: `${corpus.name} (` }).first().getAttribute('value');
  await corpusSelect.selectOption(corpusValue!);
  await page.locator('#field-name').fill(s.name);
  for (const label of ALL_CELL_LABELS) {
    const box = form.getByRole('checkbox', { name: label, exact: true });
    const want = s.cells.some((c) => CELL_LABELS[c] === label);
    if ((await box.isChecked()) !== want) await box.setChecked(want);
  }
  await form.getByRole('radio', { name: /Same hidden size/ }).check();
  const fields: [string, number][] = [['hidden', s.hidden], ['seqLen', s.seqLen], ['batch', s.batch], ['steps', s.steps], ['evalEvery', s.evalEvery], ['layers', 1], ['embedding', 0], ['seeds', s.seeds ?? 1]];
  for (const [field, value] of fields) await page.locator(`#field-${field}`).fill(String(value));

  // the plan: one row per cell with its parameter count, as the form stands now
  const rows = page.locator('.plan-table tbody tr');
  await expect.poll(async () => (await rows.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-cell')}:${tr.children[1]?.textContent?.trim()}`))).join(' '), { timeout: 10_000 })
    .toBe(s.cells.map((c) => `${c}:${s.hidden}`).join(' '));
  const counts: Record<string, number> = {};
  for (const c of s.cells) {
    const text = await page.locator(`.plan-table tr[data-cell="${c}"] .param-count`).textContent();
    counts[c] = Number(text!.replace(/,/g, ''));
    expect(counts[c], `parameters of ${c}`).toBe(expectedParams(c, corpus.vocab, s.hidden));
  }
  await expect.poll(() => page.locator('.plan .estimate').textContent()).toMatch(new RegExp(`for all ${s.cells.length * (s.seeds ?? 1)} runs`));
  if (opts.shot) await page.screenshot({ path: screenshotPath(opts.shot), fullPage: true });

  await form.getByRole('button', { name: opts.start ? 'Create and start' : 'Create without starting', exact: true }).click();
  await expect.poll(() => page.getByRole('tab', { name: 'Experiment', exact: true }).getAttribute('aria-selected'), { timeout: 15_000 }).toBe('true');
  await expect.poll(() => page.locator('main h1').first().textContent()).toBe(s.name);
}

/** The run rows of the open experiment: cell, status and "step / steps". */
export async function runRows(page: Page): Promise<{ id: number; cell: string; status: string; step: string }[]> {
  return page.locator('.run-table tbody tr[data-run]').evaluateAll((trs) => trs.map((tr) => ({
    id: Number(tr.getAttribute('data-run')),
    cell: (tr.children[0]?.textContent ?? '').replace(/#\d+/, '').trim(),
    status: tr.querySelector('.status')?.textContent?.trim() ?? '',
    step: (tr.children[4]?.textContent ?? '').trim(),
  })));
}

/** Points drawn per dataset of a loss chart, from the canvas' data-points attribute. */
export async function chartPoints(page: Page, chartLabel: string): Promise<Record<string, number>> {
  const raw = await page.locator(`canvas[aria-label="${chartLabel}"]`).first().getAttribute('data-points');
  return raw ? (JSON.parse(raw) as Record<string, number>) : {};
}

/** A loss chart's reference lines (the corpus's baselines), labelled "5-gram (Kneser-Ney) 1.58" and the like. */
export function isReferenceLine(label: string): boolean {
  return /^(uniform \(ln \d+\)|unigram|\d-gram \(Kneser-Ney\)) \d+\.\d\d$/.test(label);
}

export const LOSS_CHART = 'Training and validation loss of each run';
export const GRAD_CHART = 'Gradient norm before clipping of each run';

/** Waits until every run of the open experiment is completed, then checks the table and the charts. */
export async function waitForCompletion(page: Page, s: ExperimentSettings, timeoutMs: number, shot?: string): Promise<number[]> {
  await expect.poll(async () => (await runRows(page)).map((r) => r.status).join(','), { timeout: timeoutMs, interval: 500 })
    .toBe(s.cells.map(() => 'completed').join(','));
  const rows = await runRows(page);
  expect(rows.map((r) => r.cell)).toEqual(s.cells);
  const total = s.steps.toLocaleString('en-US');
  for (const r of rows) expect(r.step).toBe(`${total} / ${total}`);

  // the legend lists one toggle per run
  const legend = page.getByRole('group', { name: 'Show or hide runs' }).first().getByRole('button');
  await expect.poll(() => legend.count()).toBe(s.cells.length);

  // the loss chart draws a training curve and a validation curve per run, each with points
  await expect.poll(async () => {
    const points = await chartPoints(page, LOSS_CHART);
    return rows.map((r) => {
      const train = points[`${r.id} ${r.cell} s1 train`] ?? 0;
      const val = points[`${r.id} ${r.cell} s1 val`] ?? 0;
      return train >= 10 && val >= Math.floor(s.steps / s.evalEvery) - 1 ? 'ok' : `${r.cell}:${train}/${val}`;
    }).join(',');
  }, { timeout: 10_000 }).toBe(rows.map(() => 'ok').join(','));
  // the gradient-norm chart redraws on its own (coalesced) schedule: wait for it to catch up too
  await expect.poll(async () => Object.values(await chartPoints(page, GRAD_CHART)).filter((n) => n > 0).length, { timeout: 10_000 })
    .toBe(s.cells.length);
  // the canvas really has pixels of the three run colours... at least it is not blank
  const box = await page.locator(`canvas[aria-label="${LOSS_CHART}"]`).first().boundingBox();
  expect(box!.width).toBeGreaterThan(200);
  expect(box!.height).toBeGreaterThan(150);
  if (shot) await page.screenshot({ path: screenshotPath(shot), fullPage: true });
  return rows.map((r) => r.id);
}

function runButton(page: Page, runId: number, action: 'pause' | 'resume' | 'cancel') {
  return page.locator(`.run-table tr[data-run="${runId}"] button[data-action="${action}"]`);
}

async function statusOf(page: Page, runId: number): Promise<string> {
  return (await runRows(page)).find((r) => r.id === runId)?.status ?? '(no row)';
}

/** Runs a step; on failure keeps a screenshot of the page as it was (test-results/screenshots/failed-NAME.png). */
export async function shotOnFailure<T>(page: Page, name: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    await page.screenshot({ path: screenshotPath(`failed-${name}`), fullPage: true }).catch(() => undefined);
    throw e;
  }
}

/** On a started one-run experiment: pause the run, resume it, then cancel it. */
export async function pauseResumeCancel(page: Page): Promise<void> {
  await expect.poll(async () => (await runRows(page)).map((r) => r.status).join(','), { timeout: 15_000 }).toBe('running');
  const [{ id }] = await runRows(page);
  // let it train a little, so the pause writes a checkpoint at a real step
  await expect.poll(async () => Number((await runRows(page))[0].step.split('/')[0].replace(/,/g, '')), { timeout: 15_000 }).toBeGreaterThan(0);
  await runButton(page, id, 'pause').click();
  await expect.poll(() => statusOf(page, id), { timeout: 15_000 }).toBe('paused');
  const pausedAt = (await runRows(page))[0].step;
  await runButton(page, id, 'resume').click();
  await expect.poll(() => statusOf(page, id), { timeout: 15_000 }).toBe('running');
  // it goes on from where it stopped
  await expect.poll(async () => (await runRows(page))[0].step, { timeout: 15_000 }).not.toBe(pausedAt);
  // cancelling asks first
  await runButton(page, id, 'cancel').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel the run' }).click();
  await expect.poll(() => statusOf(page, id), { timeout: 15_000 }).toBe('cancelled');
}

export interface GenerateSettings {
  prime: string;
  temperature: number;
  length: number;
}

/**
 * Generates text from a run on the Generate screen and checks it streams in, in the corpus'
 * alphabet, after the prime. Throws with the message the screen shows when generation fails.
 */
export async function generateText(page: Page, runId: number, alphabet: Set<string>, g: GenerateSettings, shot?: string): Promise<string> {
  await showScreen(page, 'Generate');
  const select = page.getByTestId('generate-run');
  await expect.poll(() => select.locator(`option[value="run:${runId}"]`).count(), { timeout: 10_000 }).toBe(1);
  await select.selectOption(`run:${runId}`);
  await page.getByLabel('Prime').fill(g.prime);
  await page.getByLabel('Temperature').fill(String(g.temperature));
  await page.getByLabel('Length').fill(String(g.length));
  const button = page.getByRole('button', { name: 'Generate', exact: true });
  await expect.poll(() => button.isEnabled()).toBe(true);
  await button.click();
  const output = page.getByTestId('generate-output');
  const failure = page.locator('section[aria-labelledby="output-title"] [role="alert"]');
  await output.waitFor({ state: 'attached', timeout: 10_000 });
  // wait for the whole text, or fail at once on the refusal shown in its place
  const want = g.prime.length + g.length;
  const deadline = Date.now() + 20_000;
  const lengths = new Set<number>();
  for (;;) {
    if (await failure.count()) throw new Error(`generation failed on screen: ${await failure.textContent()}`);
    const n = ((await output.textContent()) ?? '').length;
    lengths.add(n);
    if (n === want) break;
    if (Date.now() > deadline) throw new Error(`generation stalled at ${n} of ${want} characters`);
    await page.waitForTimeout(50);
  }
  const text = (await output.textContent()) ?? '';
  expect(text.startsWith(g.prime)).toBe(true);
  const generated = text.slice(g.prime.length);
  const foreign = [...new Set(Array.from(generated))].filter((c) => !alphabet.has(c));
  expect(foreign, 'characters not in the corpus').toEqual([]);
  await expect.poll(() => button.isEnabled()).toBe(true);
  if (shot) await page.screenshot({ path: screenshotPath(shot), fullPage: true });
  return generated;
}

/** Opens the Compare screen with the experiment's runs (the Experiment screen's "Compare…"). */
export async function compareRuns(page: Page, runIds: number[], shot?: string): Promise<void> {
  await page.getByRole('button', { name: 'Compare…' }).click();
  await expect.poll(() => page.getByRole('tab', { name: 'Compare', exact: true }).getAttribute('aria-selected')).toBe('true');
  for (const id of runIds) await expect.poll(() => page.locator('label:has(input:checked)', { hasText: `#${id} ·` }).count()).toBe(1);
  await expect.poll(async () => Object.entries(await chartPoints(page, LOSS_CHART)).filter(([label, n]) => n > 0 && !isReferenceLine(label)).length, { timeout: 10_000 }).toBe(runIds.length * 2);
  await page.locator('table').last().waitFor();
  if (shot) await page.screenshot({ path: screenshotPath(shot), fullPage: true });
}

/** Opens an experiment on the Experiment screen by its name. */
export async function openExperiment(page: Page, name: string): Promise<void> {
  await showScreen(page, 'Experiment');
  const select = page.getByRole('combobox', { name: 'Experiment' });
  const value = await select.locator('option', { hasText: name }).first().getAttribute('value');
  await select.selectOption(value!);
  await expect.poll(() => page.locator('main h1').first().textContent()).toBe(name);
}

/** The width and height in the IHDR chunk of a PNG (bytes 16-23, big-endian). */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * The RGBA of an 8-bit RGBA PNG's top-left pixel: the image data inflated, past the first row's
 * filter byte. Every PNG filter leaves the first pixel of the first row as it is (no left or upper
 * neighbours), so no unfiltering is needed.
 */
export function pngFirstPixel(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect([bytes[24], bytes[25]], 'bit depth 8, colour type 6 (RGBA)').toEqual([8, 6]);
  const idat: Uint8Array[] = [];
  for (let at = 8; at < bytes.length;) {
    const length = view.getUint32(at);
    const type = new TextDecoder().decode(bytes.subarray(at + 4, at + 8));
    if (type === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  return [...raw.subarray(1, 5)];
}

/** Clicks a chart's Save PNG and returns the download with the chart's CSS size on screen. */
export async function saveChartPng(page: Page, chartLabel: string): Promise<{ fileName: string; bytes: Uint8Array; cssWidth: number; cssHeight: number }> {
  const figure = page.locator('figure', { has: page.locator(`canvas[aria-label="${chartLabel}"]`) }).first();
  const canvas = figure.locator(`canvas[aria-label="${chartLabel}"]`);
  const [download] = await Promise.all([page.waitForEvent('download'), figure.getByRole('button', { name: 'Save PNG' }).click()]);
  const bytes = new Uint8Array(readFileSync((await download.path())!));
  const { width, height } = await canvas.evaluate((c) => ({ width: c.getBoundingClientRect().width, height: c.getBoundingClientRect().height }));
  return { fileName: download.suggestedFilename(), bytes, cssWidth: width, cssHeight: height };
}

/**
 * The page as Chromium prints it (print media: the app's print CSS) to a landscape A4 PDF, as
 * browser mode's Save PDF hands it to the print dialog; the screen media comes back afterwards.
 */
export async function printedPdf(page: Page): Promise<Uint8Array> {
  await page.emulateMedia({ media: 'print' });
  try {
    // the charts resize to the print layout; give Chart.js its frame
    await page.waitForTimeout(300);
    return new Uint8Array(await page.pdf({ format: 'A4', landscape: true, printBackground: true, preferCSSPageSize: true }));
  } finally {
    await page.emulateMedia({ media: 'screen' });
  }
}

/** Clicks the Experiment screen's Report (HTML) and returns the downloaded file. */
export async function downloadReport(page: Page): Promise<{ fileName: string; html: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Report (HTML)' }).click()]);
  return { fileName: download.suggestedFilename(), html: readFileSync((await download.path())!, 'utf8') };
}

/**
 * Inside the cells, opened with Look inside on the Experiment screen of a trained experiment with
 * one seed per cell: the gradient flow of every run, one run's unit coloured behind a passage, and
 * every run's loss per character with its guesses on hover. Screenshots "<shot>-flow", "-gates",
 * "-losses".
 */
export async function lookInside(page: Page, runIds: number[], shot?: string): Promise<void> {
  await page.getByRole('button', { name: 'Look inside' }).click();
  await expect.poll(() => page.getByRole('tab', { name: 'Inside the cells', exact: true }).getAttribute('aria-selected')).toBe('true');
  const flowRows = page.locator('.flow-table tbody tr');
  await expect.poll(() => flowRows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-run')))), { timeout: 30_000 }).toEqual(runIds);
  const lagPoints = JSON.parse((await page.locator('.lag-chart canvas').getAttribute('data-points')) ?? '{}') as Record<string, number>;
  expect(Object.values(lagPoints)).toHaveLength(runIds.length);
  for (const n of Object.values(lagPoints)) expect(n).toBeGreaterThan(1);
  await expect.poll(() => page.locator('.grad-history').count(), { timeout: 15_000 }).toBe(runIds.length);
  if (shot) await page.screenshot({ path: screenshotPath(`${shot}-flow`), fullPage: true });

  await page.getByRole('tab', { name: 'Gates and memory' }).click();
  const chars = page.getByTestId('gates-passage').locator('.heatmap > span');
  await expect.poll(() => chars.count(), { timeout: 30_000 }).toBeGreaterThan(10);
  expect(await chars.nth(5).getAttribute('style')).toMatch(/background/);
  await expect.poll(() => page.locator('.saturation').count()).toBeGreaterThan(0);
  if (shot) await page.screenshot({ path: screenshotPath(`${shot}-gates`), fullPage: true });

  await page.getByRole('tab', { name: 'Loss where it happens' }).click();
  const rows = page.locator('.run-row');
  await expect.poll(() => rows.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-run')))), { timeout: 30_000 }).toEqual(runIds);
  for (const mean of await page.getByTestId('passage-mean-loss').locator('strong').allTextContents()) expect(Number(mean)).toBeGreaterThan(0);
  await rows.first().locator('.heatmap > span').nth(3).hover();
  await expect.poll(() => rows.first().locator('.tip').textContent()).toMatch(/^actual .+: loss \d+\.\d{3} nats/);
  if (shot) await page.screenshot({ path: screenshotPath(`${shot}-losses`), fullPage: true });
}

