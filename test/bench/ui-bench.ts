/**
 * `npm run bench:ui`: frame times of the Experiment screen in Debian's Chromium with an experiment
 * of 8 runs x 100,000 steps: time until the charts are drawn, frame times when idle, while the
 * smoothing slider makes every line be recomputed and redrawn 10 times a second, and while the
 * pointer sweeps across the loss chart (the shared crosshair and values on every chart). Needs the
 * built renderer (npm run build) and /usr/bin/chromium.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Lab } from '../../src-main/lab/lab.ts';
import { startServer } from '../../src-main/server/server.ts';

const RUNS_STEPS = 100_000;
const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-ui-bench-'));

function fill(lab: Lab): void {
  const { corpus } = lab.createTaskCorpus('reber', { length: 20000 });
  const { runs } = lab.createExperiment({
    corpusId: corpus.id,
    name: `8 runs x ${RUNS_STEPS} steps`,
    spec: { cells: ['rnn', 'lstm', 'gru', 'gru-reset-after'], seeds: 2, budget: { mode: 'hidden', hidden: 16 }, train: { steps: RUNS_STEPS, seqLen: 8, batch: 4 } },
  });
  for (const [k, r] of runs.entries()) {
    const rows = Array.from({ length: RUNS_STEPS }, (_, i) => {
      const step = i + 1;
      const noise = 0.05 * Math.sin(step / 7 + k) * Math.sin(step / 53);
      return { step, charsSeen: step * 32, wallSeconds: step / 200, trainLoss: 0.4 + 1.6 * Math.exp(-step / (3000 + 500 * k)) + noise, gradNorm: 0.3 + noise, clipped: false, lr: 0.002, charsPerSecond: 6400 };
    });
    lab.store.transaction(() => {
      lab.store.metrics.insert(r.id, rows);
      for (let step = 1000; step <= RUNS_STEPS; step += 1000) lab.store.evals.insert(r.id, { step, valLoss: rows[step - 1].trainLoss + 0.02, bitsPerChar: 1, accuracy: 0.5, chars: 1000 });
      lab.store.runs.update(r.id, { step: RUNS_STEPS, elapsed: 500, bestValLoss: 0.42 });
    });
    lab.store.runs.claim(r.id, process.pid);
    lab.store.runs.setStatus(r.id, 'completed');
  }
}

// Page-side code as plain JavaScript text made into functions here: the DOM is not in this file's
// types, tsx's helpers must not leak into code that runs in the page, and the page's CSP forbids
// evaluating strings there.
const CHARTS_DRAWN = new Function(`
  const c = document.querySelector('canvas[data-points]');
  const pts = c ? JSON.parse(c.dataset.points) : {};
  return Object.keys(pts).length >= 16 && Object.values(pts).every((n) => n > 0);
`) as () => boolean;

const MEASURE = new Function('mode', `return (async () => {
  const deltas = [];
  let last = performance.now();
  let running = true;
  const tick = (t) => { deltas.push(t - last); last = t; if (running) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  const slider = document.querySelector('input[type=range]');
  const canvas = document.querySelector('canvas[data-points]');
  const box = canvas.getBoundingClientRect();
  let v = 0.1;
  let k = 0;
  const timer = mode === 'smoothing' ? setInterval(() => {
    v = v > 0.8 ? 0.1 : v + 0.07;
    slider.value = String(v);
    slider.dispatchEvent(new Event('input', { bubbles: true }));
  }, 100) : mode === 'hover' ? setInterval(() => {
    // the pointer sweeping across the loss chart, a new position every 8 ms
    k = (k + 1) % 200;
    const at = { clientX: box.left + box.width * (0.1 + 0.8 * k / 200), clientY: box.top + box.height / 2, bubbles: true };
    canvas.dispatchEvent(new PointerEvent('pointermove', at));
    canvas.dispatchEvent(new MouseEvent('mousemove', at));
  }, 8) : null;
  await new Promise((r) => setTimeout(r, 5000));
  running = false;
  if (timer) clearInterval(timer);
  deltas.sort((a, b) => a - b);
  const q = (p) => deltas[Math.min(deltas.length - 1, Math.floor(p * deltas.length))].toFixed(1);
  return 'frames ' + deltas.length + ' in 5 s, frame time p50 ' + q(0.5) + ' ms, p95 ' + q(0.95) + ' ms, p99 ' + q(0.99) + ' ms, max ' + deltas[deltas.length - 1].toFixed(1) + ' ms';
})();`) as (mode: 'idle' | 'smoothing' | 'hover') => Promise<string>;

const lab = Lab.open({ db: join(dir, 'lab.db'), workers: 1 });
const server = await startServer({ lab });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
try {
  fill(lab);
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const t0 = performance.now();
  await page.goto(server.url);
  await page.waitForFunction(CHARTS_DRAWN, null, { timeout: 120_000 });
  console.log(`8 runs x ${RUNS_STEPS} points: page load to charts drawn ${(performance.now() - t0).toFixed(0)} ms`);
  const measure = (mode: 'idle' | 'smoothing' | 'hover'): Promise<string> => page.evaluate(MEASURE, mode);
  console.log(`idle: ${await measure('idle')}`);
  console.log(`smoothing changed 10 times a second (every line recomputed, redraws capped at 4/s): ${await measure('smoothing')}`);
  console.log(`pointer moving across the loss chart (crosshair and values on all three charts): ${await measure('hover')}`);
} finally {
  await browser.close();
  await server.close();
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
}
