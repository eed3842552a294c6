/**
 * Shared by the end-to-end tests (browser mode and Electron): the build check, a small generated
 * English corpus, the Chromium switches, the screenshot folder, a lab of its own for a test, and
 * what a page must not log.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { APP_BUILD, isBuildFresh } from '../../scripts/app-build.mjs';
import { chromium, type Page } from 'playwright-core';
import { Lab } from '../../src-main/lab/lab.ts';
import { startServer } from '../../src-main/server/server.ts';
import { repoRoot } from '../helpers.ts';

export { repoRoot };

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const SCREENSHOTS = resolve(repoRoot, 'test-results/screenshots');

/** The header of the metrics CSV export. */
export const METRICS_CSV_HEADER = 'experiment,run,cell,seed,step,chars_seen,wall_seconds,train_loss,val_loss,bits_per_char,grad_norm,lr';

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, `${name}.png`);
}

/**
 * Runs `electron-vite build` (renderer, main, preload) unless its outputs are newer than every
 * source file (scripts/app-build.mjs decides, as for npm start). Parallel test files take a
 * directory lock, so one builds while the others wait.
 */
export function ensureAppBuilt(): void {
  const fresh = (): boolean => isBuildFresh(repoRoot, APP_BUILD);
  if (fresh()) return;
  const lock = resolve(repoRoot, 'out/.e2e-build-lock');
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // another test file is building; a lock older than two minutes is left over from a crash
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (fresh()) return;
    const require = createRequire(import.meta.url);
    const cli = join(dirname(require.resolve('electron-vite/package.json', { paths: [repoRoot] })), 'bin', 'electron-vite.js');
    const r = spawnSync(process.execPath, [cli, 'build'], { cwd: repoRoot, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`electron-vite build failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A deterministic English text of about `chars` characters, in varied sentences and lines. */
export function englishText(chars = 6000, seed = 7): string {
  let s = seed >>> 0;
  const rand = (n: number): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)];
  const subjects = ['the old sailor', 'a quiet student', 'my neighbour', 'the small dog', 'every teacher', 'the tired baker', 'our captain', 'a curious child', 'the river', 'this machine'];
  const verbs = ['remembers', 'watches', 'carries', 'follows', 'forgets', 'paints', 'answers', 'builds', 'finds', 'hears'];
  const objects = ['the long road home', 'a letter from the north', 'the sound of rain', 'three green apples', 'the morning bell', 'an empty boat', 'the last train', 'a song about winter', 'the open window', 'its own shadow'];
  const endings = ['.', '.', '.', '!', '?', ', and then it is quiet.', ', as always.', ' before dinner.'];
  const lines: string[] = [];
  let size = 0;
  while (size < chars) {
    const words = [pick(subjects), pick(verbs), pick(objects)];
    let sentence = words.join(' ') + pick(endings);
    sentence = sentence[0].toUpperCase() + sentence.slice(1);
    if (rand(5) === 0) sentence = `"${sentence}" said ${pick(subjects)}.`;
    lines.push(sentence);
    size += sentence.length + 1;
  }
  return lines.join('\n') + '\n';
}

/** The distinct characters of a text. */
export function charSet(text: string): Set<string> {
  return new Set(Array.from(text));
}

/**
 * Parameters of a one-layer, one-hot (no embedding) model: G gate blocks of input and recurrent
 * weights, their biases, and the decoder. RNN and LSTM have PyTorch's two biases per gate
 * (bias_ih, bias_hh); the default GRU is Cho et al.'s form, with one bias per gate.
 */
export function expectedParams(cell: 'rnn' | 'lstm' | 'gru', vocab: number, hidden: number): number {
  const gates = { rnn: 1, lstm: 4, gru: 3 }[cell];
  const biases = cell === 'gru' ? gates * hidden : 2 * gates * hidden;
  return gates * hidden * (vocab + hidden) + biases + vocab * hidden + vocab;
}

/**
 * Collects what a screen must not show into `problems`: page errors, console errors, vue-i18n's
 * warnings (it warns, and does not throw, about a key it cannot find or a message it cannot
 * compile) and failed responses.
 */
export function recordProblems(page: Page, problems: string[]): void {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    if (m.type() === 'warning' && /intlify|i18n/i.test(m.text())) problems.push(`i18n warning: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
}

/**
 * What is wider than it should be: the page wider than the window, or a button, heading, label or
 * table header whose text does not fit its own box (cut off or spilling out).
 */
export const overflows = (page: Page): Promise<string[]> => page.evaluate(() => {
  // the page's DOM, typed here as far as it is read (the tests' tsconfig has no DOM library)
  interface Box { scrollWidth: number; clientWidth: number }
  interface Element extends Box { offsetParent: unknown; tagName: string; textContent: string | null }
  const document = (globalThis as unknown as { document: { documentElement: Box; querySelectorAll(selector: string): Iterable<Element> } }).document;
  const out: string[] = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) out.push(`the page is ${root.scrollWidth} px wide in a ${root.clientWidth} px window`);
  for (const el of document.querySelectorAll('main button, main h1, main h2, main h3, main th, main label, main legend, main summary, nav button')) {
    if (el.offsetParent === null) continue;
    if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.tagName.toLowerCase()} "${el.textContent?.trim().slice(0, 60)}": ${el.scrollWidth} px of text in ${el.clientWidth} px`);
  }
  return out;
});

/** A lab on a fresh database in a folder of its own, and what closes it (cancelling its runs) and removes the folder. */
export function temporaryLab(name: string, workers: number): { lab: Lab; dispose: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), `rnn-lab-${name}-`));
  const lab = Lab.open({ db: join(dir, 'lab.db'), workers });
  return {
    lab,
    dispose: async () => {
      await lab.close({ running: 'cancel' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Browser mode on a lab of this process, as a page in Chromium that records its problems. */
export interface LabInChromium {
  page: Page;
  /** what the page must not show (recordProblems) */
  problems: string[];
  /** the address it opened (with the server's token) */
  url: string;
  /** closes Chromium and the server */
  close(): Promise<void>;
}

/** Serves `lab` in browser mode and opens it in Chromium at the given size and colour scheme, in the browser locale given (BCP 47, e.g. 'ko-KR'). */
export async function labInChromium(lab: Lab, view: { width: number; height: number; colorScheme: 'light' | 'dark'; locale?: string }): Promise<LabInChromium> {
  const server = await startServer({ lab });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const page = await browser.newPage({ viewport: { width: view.width, height: view.height }, colorScheme: view.colorScheme, ...(view.locale ? { locale: view.locale } : {}) });
  const problems: string[] = [];
  recordProblems(page, problems);
  await page.goto(server.url);
  return {
    page,
    problems,
    url: server.url,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** Screenshots of the page as it is at 1024x700 and 1920x1080, light and dark, as `${name}-${width}-${scheme}`; back at 1024x700 light afterwards. */
export async function screenshotsAtBothSizes(page: Page, name: string): Promise<void> {
  for (const [width, height] of [[1024, 700], [1920, 1080]]) {
    await page.setViewportSize({ width, height });
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: screenshotPath(`${name}-${width}-${colorScheme}`), fullPage: true });
    }
  }
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.emulateMedia({ colorScheme: 'light' });
}
