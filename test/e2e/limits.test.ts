/**
 * End to end in Chromium (browser mode): the new-experiment form shows the memory each planned run
 * will hold, exactly as the lab counts it, and a run too big for this machine is refused in the
 * Runs panel with its size and the limit, with Create disabled and nothing created; on the Generate
 * screen, model files whose vocabulary the engine would reject are refused with the reason and
 * nothing is stored. Light and dark, 1024 to 1920 pixels wide; no console error on the way.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentSpecInput } from '../../src-main/api/contract.ts';
import { Lab } from '../../src-main/lab/lab.ts';
import { formatBytes } from '../../src-shared/format.ts';
import { decodeWire } from '../../src-shared/wire.ts';
import { saveModel } from '../../src-worker/engine/model-file.ts';
import { Model } from '../../src-worker/engine/model.ts';
import { Rng } from '../../src-worker/engine/rng.ts';
import { readSafetensors, writeSafetensors } from '../../src-worker/engine/safetensors.ts';
import { shotOnFailure, showScreen } from './flow.ts';
import { CHROMIUM, englishText, ensureAppBuilt, labInChromium, screenshotPath, type LabInChromium } from './support.ts';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`test/e2e/limits.test.ts skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package to run it)`);

const VIEWS = [
  [1024, 700, 'light'],
  [1400, 900, 'dark'],
  [1920, 1080, 'dark'],
] as const;

describe.skipIf(!hasChromium)('memory and model limits in Chromium', () => {
  let dir: string;
  let lab: Lab;
  let corpusId: number;

  beforeAll(() => {
    ensureAppBuilt();
    dir = mkdtempSync(join(tmpdir(), 'rnn-lab-e2e-limits-'));
    lab = Lab.open({ db: join(dir, 'lab.db'), workers: 2 });
    corpusId = lab.importCorpus(new TextEncoder().encode(englishText(8000)), { name: 'sentences' }).corpus.id;
  }, 180_000);

  afterAll(async () => {
    await lab?.close({ running: 'cancel' });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The spec of the last planExperiment the page sent. */
  function lastPlanned(page: Page): () => ExperimentSpecInput | null {
    let spec: ExperimentSpecInput | null = null;
    page.on('request', (r) => {
      if (r.url().endsWith('/api/planExperiment')) spec = (decodeWire(r.postData()!) as { req: { spec: ExperimentSpecInput } }).req.spec;
    });
    return () => spec;
  }

  const fill = async (page: Page, values: [string, string][]): Promise<void> => {
    for (const [f, value] of values) await page.locator(`#field-${f}`).fill(value);
  };

  it.each(VIEWS)('%i x %i, %s: each run\'s memory in the plan, and 4 layers of 8192 refused with the size and the limit', async (width, height, colorScheme) => {
    const app: LabInChromium = await labInChromium(lab, { width, height, colorScheme });
    const { page } = app;
    try {
      const planned = lastPlanned(page);
      await shotOnFailure(page, `limits-form-${width}`, async () => {
        await showScreen(page, 'New experiment');
        await fill(page, [['hidden', '16'], ['seqLen', '8'], ['batch', '4'], ['steps', '20'], ['evalEvery', '10']]);
        await expect.poll(() => page.locator('.plan-table tbody tr').count(), { timeout: 10_000 }).toBe(3);
        await expect.poll(() => planned()?.budget).toEqual({ mode: 'hidden', hidden: 16 });
        const plan = lab.planExperiment({ corpusId, spec: planned()! });
        for (const r of plan.runs) {
          expect(await page.locator(`.plan-table tr[data-cell="${r.cell}"] .memory`).textContent(), r.cell).toBe(formatBytes(r.memory.bytes));
        }
        expect(await page.locator('.plan-table th').allTextContents()).toContain('Memory per run');
        await page.screenshot({ path: screenshotPath(`limits-memory-${width}-${colorScheme}`), fullPage: true });

        await fill(page, [['hidden', '8192'], ['layers', '4']]);
        const refusal = page.locator('.general-error');
        await expect.poll(() => refusal.textContent(), { timeout: 10_000 }).toMatch(/^The rnn run of seed 1 needs [\d.]+ GB \(weights [\d.]+ GB, .*\) but a run of 1 thread\(s\) may use [\d.]+ GB here \(50% of this machine's [\d.]+ GB over 2 worker\(s\)\); make it smaller/);
        expect(await page.locator('.plan-table').count()).toBe(0);
        expect(await page.getByRole('button', { name: 'Create and start', exact: true }).isDisabled()).toBe(true);
        expect(await page.locator('#create-blocked').textContent()).toBe('The lab refused these settings (see Runs above).');
        expect(await page.evaluate<number>('Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)')).toBeLessThanOrEqual(width);
        await page.screenshot({ path: screenshotPath(`limits-refused-${width}-${colorScheme}`), fullPage: true });
      });
      expect(lab.listExperiments()).toEqual([]);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  }, 60_000);

  it('refuses model files whose vocabulary the engine would reject, storing nothing', async () => {
    const app = await labInChromium(lab, { width: 1024, height: 700, colorScheme: 'light' });
    const { page } = app;
    try {
      const vocab = ['a', 'b', 'c', ' ', '\n', 'E'];
      const model = new Model({ cell: 'lstm', vocabSize: vocab.length, hidden: 4 }, 'f32');
      model.init(new Rng(1));
      const file = readSafetensors(saveModel(model, { vocab }));
      const tensors = [...file.tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
      const write = (name: string, bytes: Uint8Array | string): string => {
        const p = join(dir, name);
        writeFileSync(p, bytes);
        return p;
      };
      const multi = write('multi.safetensors', writeSafetensors(tensors, { ...Object.fromEntries(file.metadata), vocab: JSON.stringify(['ab', ...vocab.slice(1)]) }));
      const torch = write('torch.safetensors', writeSafetensors(tensors));
      const proto = write('proto.json', '{"__proto__": 0, "b": 1, "c": 2, " ": 3, "\\n": 4, "E": 5}');
      await shotOnFailure(page, 'limits-models', async () => {
        await showScreen(page, 'Generate');
        await page.getByTestId('import-model').click();
        const error = page.getByTestId('model-import-error');
        await page.getByTestId('model-file-input').setInputFiles(multi);
        await page.getByTestId('import-model-submit').click();
        await expect.poll(() => error.textContent()).toBe('multi.safetensors was not imported: vocab entry 0 ("ab") must be one character (one Unicode code point), got 2');
        await page.getByTestId('model-file-input').setInputFiles(torch);
        await page.getByTestId('vocab-file-input').setInputFiles(proto);
        await page.getByTestId('import-model-submit').click();
        await expect.poll(() => error.textContent()).toBe('torch.safetensors was not imported: vocab entry 0 ("__proto__") must be one character (one Unicode code point), got 9');
        await page.screenshot({ path: screenshotPath('limits-model-refused-1024-light'), fullPage: true });
      });
      expect(lab.listModels()).toEqual([]);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  }, 60_000);
});
