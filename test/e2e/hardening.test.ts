/**
 * End to end in Chromium (browser mode): a lab opened read-only, whose corpus and experiment have
 * hostile names. The app browses it (the names shown as text, never run as HTML), an import is
 * refused with the read-only message where the Corpora screen shows refusals, the metrics CSV
 * downloads with the formula-like name neutralised, and the database file's bytes do not change.
 * No console error, failed request or HTTP error on the way.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../../src-main/lab/lab.ts';
import { openExperiment, shotOnFailure, showScreen } from './flow.ts';
import { CHROMIUM, englishText, ensureAppBuilt, labInChromium, METRICS_CSV_HEADER, type LabInChromium } from './support.ts';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`test/e2e/hardening.test.ts skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package to run it)`);

const CORPUS_NAME = '<img src=x onerror="window.__owned=1"> \u202eevil';
const EXPERIMENT_NAME = "=HYPERLINK(\"http://evil.example\",\"open\")";
const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe.skipIf(!hasChromium)('a read-only lab with hostile names, in Chromium', () => {
  let dir: string;
  let db: string;
  let before: string;
  let lab: Lab;
  let app: LabInChromium;

  beforeAll(async () => {
    ensureAppBuilt();
    dir = mkdtempSync(join(tmpdir(), 'rnn-lab-e2e-hardening-'));
    db = join(dir, 'lab.db');
    const writer = Lab.open({ db, workers: 1 });
    const { corpus } = writer.importCorpus(new TextEncoder().encode(englishText(3000)), { name: CORPUS_NAME });
    const { runs } = writer.createExperiment({ corpusId: corpus.id, name: EXPERIMENT_NAME, spec: { cells: ['gru'], budget: { mode: 'hidden', hidden: 8 }, train: { seqLen: 8, batch: 2, steps: 10 } } });
    writer.store.metrics.insert(runs[0].id, [{ step: 1, charsSeen: 16, wallSeconds: 0.01, trainLoss: 3.1, gradNorm: 1.5, clipped: false, lr: 0.002, charsPerSecond: 1600 }]);
    await writer.close();
    before = sha(db);
    lab = Lab.open({ db, workers: 1, readOnly: true });
    app = await labInChromium(lab, { width: 1024, height: 700, colorScheme: 'light' });
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await lab?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists the corpus by its name as text, and no markup in it ran', async () => {
    const { page } = app;
    await shotOnFailure(page, 'hardening-corpora', async () => {
      await showScreen(page, 'Corpora');
      await expect.poll(() => page.locator('.corpus-list .name').first().textContent()).toBe(CORPUS_NAME);
      expect(await page.locator('.corpus-list img').count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as { __owned?: number }).__owned)).toBeUndefined();
    });
  });

  it('refuses an import with the read-only message, and lists only the corpus it had', async () => {
    const { page } = app;
    await shotOnFailure(page, 'hardening-delete', async () => {
      const file = join(dir, 'more.txt');
      writeFileSync(file, englishText(3000, 11));
      await page.getByTestId('corpus-file-input').setInputFiles(file);
      await expect.poll(() => page.locator('.drop .refusal').textContent({ timeout: 10_000 })).toMatch(/^more\.txt was not imported: the lab's database is open read-only: it can be browsed, not changed/);
      expect(await page.locator('.corpus-list li').count()).toBe(1);
    });
  });

  it('downloads the metrics CSV with the formula-like experiment name neutralised', async () => {
    const { page } = app;
    await shotOnFailure(page, 'hardening-csv', async () => {
      await openExperiment(page, EXPERIMENT_NAME);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export metrics (CSV)' }).click()]);
      const [header, row] = readFileSync((await download.path())!, 'utf8').trim().split('\n');
      expect(header).toBe(METRICS_CSV_HEADER);
      expect(row.startsWith(`"'=HYPERLINK(""http://evil.example"",""open"")",`)).toBe(true);
    });
  });

  it('changed nothing in the file and logged no error', () => {
    expect(sha(db)).toBe(before);
    expect(app.problems).toEqual([]);
  });
});
