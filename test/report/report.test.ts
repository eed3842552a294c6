/**
 * The HTML report of an experiment: a Lab on a temporary database trains two tiny runs, a hostile
 * corpus name and sample go in, and the report must carry the purpose, the numbers, every run, the
 * config differences and the samples, escaped, with its own CSP and no reference to anything
 * outside the file. Where Chromium exists, the file is also opened from disk with the network
 * watched: it must make no request at all. A screenshot goes to test-results/screenshots/report.png.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/api/methods.ts';
import { Lab } from '../../src-main/lab/lab.ts';
import { buildReport, REPORT_CSP } from '../../src-main/report/report.ts';
import { escapeHtml, lineChartSvg, niceTicks, thinMean, type Point } from '../../src-main/report/svg-chart.ts';
import { CHROMIUM, CHROMIUM_ARGS, englishText, screenshotPath } from '../e2e/support.ts';
import { repoRoot } from '../helpers.ts';

const CORPUS_NAME = 'poems <b>bold</b> & "quoted"';
const EXPERIMENT_NAME = 'Report <test> & "friends"';
const HOSTILE_SAMPLE = 'hello <script>alert("x")</script> <img src="http://example.com/x.png"> & bye';

let dir: string;
let lab: Lab;
let experimentId: number;
let runIds: number[];
let html: string;

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build-node.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  dir = mkdtempSync(join(tmpdir(), 'rnn-lab-report-'));
  lab = Lab.open({ db: join(dir, 'lab.db'), workers: 2 });
  const { corpus } = lab.importCorpus(new TextEncoder().encode(englishText(4000)), { name: CORPUS_NAME });
  const created = lab.createExperiment({
    corpusId: corpus.id,
    name: EXPERIMENT_NAME,
    spec: {
      cells: ['rnn', 'gru'],
      budget: { mode: 'hidden', hidden: 8 },
      train: { seqLen: 8, batch: 2, steps: 30, optimizer: { name: 'adam', lr: 0.01 } },
      cadence: { evalEvery: 10, evalChars: 300, checkpointEvery: 10, sampleEvery: 15, sampleLength: 30 },
    },
  });
  experimentId = created.experiment.id;
  runIds = created.runs.map((r) => r.id);
  lab.runExperiment(experimentId);
  await lab.whenIdle();
  // the latest sample of the GRU is hostile text
  lab.store.insertSample(runIds[1], { step: 30, prime: '<p>', temperature: 0.8, text: HOSTILE_SAMPLE });
  html = buildReport(lab, experimentId, { now: new Date(Date.UTC(2025, 0, 2, 3, 4)) });
}, 60_000);

afterAll(async () => {
  await lab?.close({ running: 'cancel' });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The <tr> of a run in the summary table. */
function summaryRow(runId: number): string {
  const m = html.match(new RegExp(`<tr data-run="${runId}">([\\s\\S]*?)</tr>`));
  expect(m, `summary row of run ${runId}`).not.toBeNull();
  return m![1];
}

describe('the experiment report', () => {
  it('is one HTML document with its own strict Content-Security-Policy and an escaped title', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(REPORT_CSP).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:">`);
    expect(html).toContain('<title>Report &lt;test&gt; &amp; &quot;friends&quot;: report</title>');
    expect(html).toContain('<h1>Report &lt;test&gt; &amp; &quot;friends&quot;</h1>');
  });

  it('says what was compared: corpus, cells, seeds, budget and training', () => {
    expect(html).toContain('poems &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toMatch(/<dt>Cells compared<\/dt><dd>rnn, gru<\/dd>/);
    expect(html).toMatch(/<dt>Seeds<\/dt><dd>1 \(seed 1\)<\/dd>/);
    expect(html).toMatch(/<dt>Budget<\/dt><dd>the same hidden size, 8<\/dd>/);
    expect(html).toMatch(/<dt>Training<\/dt><dd>30 steps of 2 × 8 characters/);
  });

  it('has the summary numbers of every run, as the comparison computes them', () => {
    const { runs } = lab.compareRuns(runIds);
    for (const s of runs) {
      const row = summaryRow(s.run.id);
      expect(row).toContain(`<strong>${s.run.cell}</strong>`);
      expect(row).toContain('completed');
      expect(row).toContain('30 / 30');
      expect(s.bestValLoss).not.toBeNull();
      expect(row).toContain(`>${s.bestValLoss!.toFixed(3)}<`);
      expect(row).toContain(`>${s.bitsPerChar!.toFixed(3)}<`);
      expect(row).toContain(`>${s.perplexity!.toFixed(2)}<`);
      expect(row).toContain(`>${s.run.params.toLocaleString('en-US')}<`);
    }
  });

  it('shows the configs: what differs between the runs, and what they share', () => {
    const configs = html.slice(html.indexOf('<h2>Configurations</h2>'));
    const differs = configs.slice(0, configs.indexOf('What every run shares'));
    expect(differs).toContain('<th class="diff">model.cell</th>');
    expect(differs).toContain('<td class="diff">rnn</td>');
    expect(differs).toContain('<td class="diff">gru</td>');
    const shares = configs.slice(configs.indexOf('What every run shares'));
    expect(shares).toContain('<dt>model.hidden</dt><dd>8</dd>');
    expect(shares).toContain('<dt>train.optimizer.lr</dt><dd>0.01</dd>');
  });

  it('draws the loss curves as inline SVG, one line per run', () => {
    const svgs = html.match(/<svg [\s\S]*?<\/svg>/g) ?? [];
    expect(svgs.length).toBeGreaterThanOrEqual(2);
    for (const svg of svgs.slice(0, 2)) expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(html).toContain('aria-label="Validation loss of each run by training step"');
  });

  it('has the latest sample of every run, escaped', () => {
    const samples = html.slice(html.indexOf('<h2>Latest samples</h2>'));
    const rnnSample = lab.store.listSamples(runIds[0]).at(-1)!;
    expect(samples).toContain(escapeHtml(rnnSample.text));
    expect(samples).toContain('hello &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;img src=&quot;http://example.com/x.png&quot;&gt; &amp; bye');
    expect(samples).toContain('<mark title="the prime">&lt;p&gt;</mark>');
  });

  it('refers to nothing outside itself: no script, no src or href, no url(), no @import', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<(img|link|iframe|object|embed|base|audio|video|source)\b/i);
    // the attributes of real tags (escaped text has no raw "<", so every "<x ...>" is markup)
    const tags = html.match(/<[a-z][^>]*>/gi) ?? [];
    expect(tags.length).toBeGreaterThan(100);
    expect(tags.filter((t) => /\s(src|href|xlink:href|srcset|action|formaction|poster|data)\s*=/i.test(t))).toEqual([]);
    expect(html).not.toMatch(/url\(|@import/i);
    expect(html).not.toMatch(/["'(]https?:/i);
  });

  it('comes out of the LabApi as "<experiment> report.html"', async () => {
    const r = await dispatch(lab, 'exportReport', { experimentId }, { emit: () => undefined });
    expect(r.ok).toBe(true);
    const file = (r as { value: { fileName: string; text: string } }).value;
    expect(file.fileName).toBe('Report -test- - -friends- report.html');
    expect(file.text).toContain('<h2>Summary</h2>');
    expect(await dispatch(lab, 'exportReport', { experimentId: 9999 }, { emit: () => undefined })).toMatchObject({ ok: false, code: 'not-found' });
  });

  it('answers printPdf with bad-state where the shell cannot print', async () => {
    expect(await dispatch(lab, 'printPdf', { title: 'x' }, { emit: () => undefined })).toMatchObject({ ok: false, code: 'bad-state' });
    const r = await dispatch(lab, 'printPdf', { title: 'a/b: c' }, { emit: () => undefined, printToPdf: async () => Uint8Array.of(37, 80, 68, 70) });
    expect(r).toEqual({ ok: true, value: { fileName: 'a-b- c.pdf', bytes: Uint8Array.of(37, 80, 68, 70) } });
  });

  it.skipIf(!existsSync(CHROMIUM))('opens from disk in Chromium without a single request or CSP complaint', async () => {
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      const requests: string[] = [];
      const problems: string[] = [];
      page.on('request', (req) => requests.push(req.url()));
      page.on('console', (m) => problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(pathToFileURL(file).href);
      expect(requests).toEqual([pathToFileURL(file).href]);
      expect(problems).toEqual([]);
      expect(await page.locator('svg').count()).toBeGreaterThanOrEqual(2);
      await page.screenshot({ path: screenshotPath('report'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});

describe('report charts', () => {
  it('thin a line to at most 1000 points by averaging neighbours', () => {
    const line: Point[] = Array.from({ length: 5000 }, (_, i) => [i, i % 2]);
    const thin = thinMean(line);
    expect(thin).toHaveLength(1000);
    expect(thin[0]).toEqual([2, 0.4]);
    expect(thinMean([[0, 1], [1, NaN], [2, 3]])).toEqual([[0, 1], [2, 3]]);
  });

  it('put ticks on round numbers', () => {
    expect(niceTicks(0, 1000, 5)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(1.93, 4.27, 6)).toEqual([2, 2.5, 3, 3.5, 4]);
  });

  it('escape labels and say when there is nothing to draw', () => {
    const svg = lineChartSvg({ title: '<t>', xLabel: 'x', yLabel: 'y', lines: [{ label: '<run>', color: '#000', points: [[0, 1], [1, 2]] }] });
    expect(svg).toContain('aria-label="&lt;t&gt;"');
    expect(svg).toContain('&lt;run&gt;');
    expect(svg).not.toContain('<run>');
    expect(lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', lines: [] })).toContain('no data yet');
  });
});
