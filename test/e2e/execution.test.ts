/**
 * End to end in Chromium (browser mode): the Execution setting. The nav bar says where runs train;
 * its dialog tests a Redis URL (refusing a plain one to another machine, naming the rule), applies
 * it, and lists the worker connected there (name, machine, cores, runs x threads, kernels, what it
 * trains, heartbeat); back to this machine after. Light and dark at 1024 and 1920 pixels; no
 * console error on the way.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeSandboxes, sandbox } from '../cli/cli-helpers.ts';
import { hasRedis, startRedis, startWorker, type RedisProcess, type WorkerProcess } from '../remote/support.ts';
import { CHROMIUM, ensureAppBuilt, labInChromium, overflows, screenshotPath, temporaryLab } from './support.ts';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`test/e2e/execution.test.ts skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package to run it)`);
if (!hasRedis) console.log('test/e2e/execution.test.ts skipped: no /usr/bin/redis-server (install Debian\'s redis-server package to run it)');

const VIEWS = [
  [1024, 700, 'light'],
  [1024, 700, 'dark'],
  [1920, 1080, 'light'],
  [1920, 1080, 'dark'],
] as const;

describe.skipIf(!hasChromium || !hasRedis)('the Execution setting in Chromium', () => {
  let redis: RedisProcess;
  let worker: WorkerProcess;
  let lab: ReturnType<typeof temporaryLab>;

  beforeAll(async () => {
    ensureAppBuilt();
    redis = await startRedis();
    worker = await startWorker(redis.url, 'desk-1', sandbox('e2e-execution').dir);
    lab = temporaryLab('e2e-execution', 1);
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await lab?.dispose();
    await redis?.stop();
    removeSandboxes();
  });

  for (const [width, height, colorScheme] of VIEWS) {
    it(`tests and applies a Redis URL, lists its worker, and goes back to this machine (${width}x${height}, ${colorScheme})`, async () => {
      const { page, problems, close } = await labInChromium(lab.lab, { width, height, colorScheme });
      try {
        const button = page.getByTestId('execution-button');
        await expect.poll(() => button.textContent()).toContain('Local');
        await button.click();
        const dialog = page.getByTestId('execution-dialog');
        await dialog.getByTestId('execution-redis').check();
        const url = dialog.getByTestId('execution-url');
        await url.fill('redis://10.0.0.5:6379');
        await dialog.getByTestId('execution-test').click();
        await expect.poll(() => dialog.getByTestId('execution-test-result').textContent())
          .toMatch(/refusing redis:\/\/10\.0\.0\.5: a plain connection to another machine needs a password/);

        await url.fill(redis.url);
        await dialog.getByTestId('execution-test').click();
        await expect.poll(() => dialog.getByTestId('execution-test-result').textContent(), { timeout: 15_000 }).toBe('Connected: 1 worker there');
        await dialog.getByTestId('execution-apply').click();
        const row = dialog.getByTestId('execution-worker');
        await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
        const cells = await row.locator('td').allTextContents();
        expect(cells[0]).toBe('desk-1');
        expect(cells[3]).toBe('1 × 1');
        expect(cells[4]).toMatch(/^(wasm-fma|wasm|blocked)$/);
        expect(cells[5]).toBe('idle');
        expect(cells[6]).toMatch(/^\d+ s ago$/);
        await expect.poll(() => button.textContent()).toBe('Redis · 1');
        expect(await button.getAttribute('aria-label')).toBe('Execution setting: Redis, 1 worker');
        expect(lab.lab.execution()).toMatchObject({ mode: 'redis', url: `${redis.url}`, connected: true });
        expect(await overflows(page)).toEqual([]);
        await page.screenshot({ path: screenshotPath(`execution-${width}-${colorScheme}`) });

        await dialog.getByTestId('execution-local').check();
        await dialog.getByTestId('execution-apply').click();
        await expect.poll(() => button.textContent()).toContain('Local');
        expect(lab.lab.execution().mode).toBe('local');
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    }, 120_000);
  }
});

