/**
 * The HTML report of an experiment: a Lab on a temporary database trains two tiny runs, a hostile
 * corpus name and sample go in, and the report must carry the purpose, the numbers, every run, the
 * config differences and the samples, escaped, with its own CSP and no reference to anything
 * outside the file. A second experiment trains two seeds per cell for the summary over seeds and
 * its verdict, which must say what the app's seed-stats.ts says. Both carry the corpus's baselines
 * (a table, and reference lines on the loss charts). Where Chromium exists, the file is also opened
 * from disk with the network watched: it must make no request at all. Screenshots go to
 * test-results/screenshots/report.png and report-seeds.png.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BaselinesReport } from '../../src-main/api/contract.ts';
import { exportReport } from '../../src-main/api/exports.ts';
import { dispatch } from '../../src-main/api/methods.ts';
import { Lab } from '../../src-main/lab/lab.ts';
import { buildReport, REPORT_CSP } from '../../src-main/report/report.ts';
import { escapeHtml, lineChartSvg, niceTicks, thinMean, type Point } from '../../src-main/report/svg-chart.ts';
import { formatNats, verdictItems } from '../../src-shared/seed-stats.ts';
import { CHROMIUM, CHROMIUM_ARGS, englishText, SCREENSHOTS, screenshotPath } from '../e2e/support.ts';
import { repoRoot } from '../helpers.ts';

const CORPUS_NAME = 'poems <b>bold</b> & "quoted"';
const EXPERIMENT_NAME = 'Report <test> & "friends"';
const HOSTILE_SAMPLE = 'hello <script>alert("x")</script> <img src="http://example.com/x.png"> & bye';

let dir: string;
let lab: Lab;
let experimentId: number;
let runIds: number[];
let html: string;
let baselines: BaselinesReport;
/** two seeds of rnn and of gru */
let seedsId: number;
let seedsHtml: string;

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
  const seeds = lab.createExperiment({
    corpusId: corpus.id,
    name: 'Two seeds',
    spec: {
      cells: ['rnn', 'gru'],
      seeds: 2,
      budget: { mode: 'hidden', hidden: 8 },
      train: { seqLen: 8, batch: 2, steps: 30, optimizer: { name: 'adam', lr: 0.01 } },
      cadence: { evalEvery: 10, evalChars: 300, checkpointEvery: 10, sampleEvery: 0, sampleLength: 30 },
    },
  });
  seedsId = seeds.experiment.id;
  lab.runExperiment(experimentId);
  lab.runExperiment(seedsId);
  await lab.whenIdle();
  // the latest sample of the GRU is hostile text
  lab.store.samples.insert(runIds[1], { step: 30, prime: '<p>', temperature: 0.8, text: HOSTILE_SAMPLE });
  baselines = await lab.baselines(corpus.id);
  html = buildReport(lab, experimentId, { now: new Date(Date.UTC(2025, 0, 2, 3, 4)), baselines });
  seedsHtml = (await exportReport(lab, seedsId)).text!;
}, 60_000);

afterAll(async () => {
  await lab?.close({ running: 'cancel' });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The text of a report's section, from its heading to the next one. */
function section(text: string, heading: string): string {
  const start = text.indexOf(`<h2>${heading}</h2>`);
  expect(start, `section ${heading}`).toBeGreaterThan(0);
  const end = text.indexOf('<h2>', start + 4);
  return text.slice(start, end < 0 ? undefined : end);
}

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

  it('has a summary over seeds that says one seed each gives no verdict', () => {
    const seeds = section(html, 'Summary over seeds');
    expect(seeds).toContain('<strong>One seed each: no spread to compare against, so no verdict. Run two or more seeds to judge the differences.</strong>');
    expect(seeds).toMatch(/<tr data-cell="rnn">[\s\S]*?<td>1 of 1<\/td><td>\d\.\d{3}<\/td><td>–<\/td><td><span class="muted">one seed<\/span><\/td>/);
  });

  it('gives the verdict over two seeds per cell as the app computes it (seed-stats.ts)', () => {
    const { runs } = lab.experiment(seedsId);
    const finals = (cell: string) => runs.filter((r) => r.cell === cell).map((r) => lab.store.evals.list(r.id).at(-1)!.valLoss);
    const cells = [{ name: 'RNN', values: finals('rnn') }, { name: 'GRU', values: finals('gru') }];
    const seeds = section(seedsHtml, 'Summary over seeds');
    const items = verdictItems(cells);
    expect(items).toHaveLength(1);
    expect(seeds).toContain(`<li><strong>${escapeHtml(items[0].sentence)}</strong> <span class="muted">(${escapeHtml(items[0].detail)})</span></li>`);
    expect(items[0].sentence).toMatch(/^(RNN|GRU) (beats (RNN|GRU) by \d\.\d{3} nats per character over 2 seeds|and (RNN|GRU) differ by less than the seed spread)\.$/);
    for (const c of cells) {
      const mean = (c.values[0] + c.values[1]) / 2;
      expect(seeds).toMatch(new RegExp(`<strong>${c.name}</strong></td><td>2 of 2</td><td>${formatNats(mean)}</td>`));
    }
    // a cell's seeds share its colour
    const { runs: summary } = lab.compareRuns(runs.map((r) => r.id));
    expect(summary).toHaveLength(4);
    const swatches = runs.map((r) => section(seedsHtml, 'Summary').match(new RegExp(`<tr data-run="${r.id}"><td class="left"><span class="swatch" style="background:(#[0-9a-f]{6})`))![1]);
    expect(swatches[0]).toBe(swatches[1]);
    expect(swatches[2]).toBe(swatches[3]);
    expect(swatches[0]).not.toBe(swatches[2]);
  });

  it('lists the baselines of the corpus in nats and bits, and where the best run stands', () => {
    const table = section(html, 'Baselines');
    expect(baselines.ngram.map((g) => g.order)).toEqual([1, 2, 3, 4, 5]);
    const row = (key: string, nats: number): void => {
      expect(table).toMatch(new RegExp(`<tr data-baseline="${key}"><td class="left">[^<]+</td><td>${nats.toFixed(3)}</td><td>${(nats / Math.LN2).toFixed(3)}</td></tr>`));
    };
    row('uniform', baselines.uniform);
    expect(baselines.uniform).toBeCloseTo(Math.log(baselines.vocabSize), 12);
    row('unigram', baselines.unigram);
    for (const g of baselines.ngram) row(`ngram-${g.order}`, g.loss);
    expect(table).toContain(`uniform: ln ${baselines.vocabSize}, every character equally likely`);
    expect(table).toContain('5-gram, interpolated Kneser-Ney');
    expect(table).toMatch(/<p class="standing">The best validation loss of any run, \d\.\d{3} \((RNN|GRU) s1, #\d+\), is below \d of these 7 baselines/);
  });

  it('draws the baselines on the loss charts as labelled dotted lines (uniform, unigram, 3- and 5-gram)', () => {
    const svgs = html.match(/<svg [\s\S]*?<\/svg>/g) ?? [];
    for (const svg of svgs.slice(0, 2)) {
      const refs = svg.match(/<g class="references"[^>]*>([\s\S]*?)<\/g>/)!;
      expect(refs[0]).toContain('stroke-dasharray="2 3"');
      expect(refs[1].match(/<line /g)).toHaveLength(4);
      const labels = [...svg.matchAll(/<g class="reference-labels"[^>]*>([\s\S]*?)<\/g>/g)][0][1].match(/>[^<]+</g)!.map((t) => t.slice(1, -1));
      const ngram = (n: number) => baselines.ngram.find((g) => g.order === n)!.loss.toFixed(2);
      expect(labels).toEqual([`uniform (ln ${baselines.vocabSize}) ${baselines.uniform.toFixed(2)}`, `unigram ${baselines.unigram.toFixed(2)}`, `3-gram (Kneser-Ney) ${ngram(3)}`, `5-gram (Kneser-Ney) ${ngram(5)}`]);
    }
  });

  it('says so when the baselines could not be computed', () => {
    const without = buildReport(lab, experimentId, { baselines: null });
    expect(section(without, 'Baselines')).toContain('could not be computed');
    expect(without).not.toContain('class="references"');
  });

  it('has a few samples of every run over training, the latest last, escaped', () => {
    const samples = section(html, 'Samples over training');
    const ofRun = (id: number): string => samples.slice(samples.indexOf(`<div class="sample" data-run="${id}">`)).split('</div>')[0];
    // a sample at every evaluation (10, 20, 30) and every 15 steps: four of them, all shown
    const rnn = lab.store.samples.list(runIds[0]);
    expect(rnn.map((x) => x.step)).toEqual([10, 15, 20, 30]);
    expect([...ofRun(runIds[0]).matchAll(/at step (\d+)( \(the latest\))?/g)].map((m) => m[0])).toEqual(['at step 10', 'at step 15', 'at step 20', 'at step 30 (the latest)']);
    for (const x of rnn) expect(ofRun(runIds[0])).toContain(escapeHtml(x.text));
    // five for the GRU (the hostile one added last): four spread from the first to the latest
    expect([...ofRun(runIds[1]).matchAll(/at step (\d+)( \(the latest\))?/g)].map((m) => m[0])).toEqual(['at step 10', 'at step 15', 'at step 30', 'at step 30 (the latest)']);
    expect(ofRun(runIds[1])).toContain('hello &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;img src=&quot;http://example.com/x.png&quot;&gt; &amp; bye');
    expect(ofRun(runIds[1])).toContain('<mark title="the prime">&lt;p&gt;</mark>');
    expect(samples).not.toContain('No sample yet');
  });

  it('has samples from an experiment that asks for none between evaluations (sampleEvery 0)', () => {
    const samples = section(seedsHtml, 'Samples over training');
    expect(samples).not.toContain('No sample yet');
    expect([...samples.matchAll(/at step 30 \(the latest\)/g)]).toHaveLength(4);
  });

  it("draws a task's chance on the long-range accuracy chart", () => {
    const { corpus } = lab.createTaskCorpus('recall', { lag: 16, length: 2000 });
    const { experiment, runs } = lab.createExperiment({ corpusId: corpus.id, name: 'Recall', spec: { cells: ['gru'], budget: { mode: 'hidden', hidden: 8 }, train: { steps: 20, seqLen: 8, batch: 2 } } });
    for (const [step, longRangeAccuracy] of [[10, 0.3], [20, 0.6]]) lab.store.evals.insert(runs[0].id, { step, valLoss: 1, bitsPerChar: 1.4, accuracy: 0.5, predictableAccuracy: 0.7, longRangeAccuracy, chars: 300 });
    const report = buildReport(lab, experiment.id, { baselines: null });
    const chart = report.slice(report.indexOf('<figcaption>Long-range accuracy</figcaption>'));
    expect(chart.slice(chart.indexOf('class="reference-labels"'), chart.indexOf('</svg>'))).toContain('>chance 25% (1 of 4 letters)</text>');
    // and a text corpus has none
    expect(html).not.toContain('chance ');
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
    expect(file.text).toContain(`<tr data-baseline="ngram-5">`);
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
      const seedsFile = join(SCREENSHOTS, 'report-seeds.html');
      writeFileSync(seedsFile, seedsHtml);
      await page.goto(pathToFileURL(seedsFile).href);
      expect(problems).toEqual([]);
      await page.screenshot({ path: screenshotPath('report-seeds'), fullPage: true });
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

  it('draw reference lines across the plot, widening the y range to show them, with escaped labels', () => {
    const svg = lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', lines: [{ label: 'a', color: '#000', points: [[0, 2], [10, 3]] }], references: [{ label: '<5-gram> 1.00', value: 1 }, { label: 'nan', value: NaN }], height: 340 });
    const line = svg.match(/<g class="references"[^>]*><line x1="64" x2="864" y1="([\d.]+)" y2="\1"\/><\/g>/);
    expect(line).not.toBeNull();
    // 1 is the lowest value: the bottom of the plot, less the 4% padding (plot 12..278 px; tolerance 0.1 px)
    const plotBottom = 340 - (44 + 18);
    expect(Number(line![1])).toBeCloseTo(plotBottom - ((plotBottom - 12) * 0.04) / 1.08, 1);
    expect(svg).toContain('&lt;5-gram&gt; 1.00');
    expect(svg).not.toContain('>nan<');
    // no data: nothing to draw the lines against
    expect(lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', lines: [], references: [{ label: 'r', value: 1 }] })).toContain('no data yet');
  });

  it('escape labels and say when there is nothing to draw', () => {
    const svg = lineChartSvg({ title: '<t>', xLabel: 'x', yLabel: 'y', lines: [{ label: '<run>', color: '#000', points: [[0, 1], [1, 2]] }] });
    expect(svg).toContain('aria-label="&lt;t&gt;"');
    expect(svg).toContain('&lt;run&gt;');
    expect(svg).not.toContain('<run>');
    expect(lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', lines: [] })).toContain('no data yet');
  });
});
