/**
 * An experiment as one self-contained HTML file: what it compares and on what text, the summary
 * over seeds with its verdict (the same statistics as the app: src-shared/seed-stats.ts), the
 * baselines a model has to beat, the summary numbers of each run, the loss charts (inline SVG,
 * with the baselines as reference lines), the configs and how they differ, and a few samples of
 * each run over training. It opens offline and makes no request at all: no scripts, no external
 * styles, fonts or images, and its own Content-Security-Policy says so. Corpus names, run errors and samples are
 * user data: every text goes through escapeHtml.
 */
import pkg from '../../package.json' with { type: 'json' };
import { formatInt } from '../../src-shared/format.ts';
import { allReferenceLines, DEFAULT_REFERENCE_CHOICE, referenceLines, type ReferenceLine } from '../../src-shared/reference-lines.ts';
import { runColor } from '../../src-shared/run-colors.ts';
import { seedLabel, statusText } from '../../src-shared/run-labels.ts';
import { cellTitle, colorIndexes, finalValues, groupRuns, seedOutcome, seedOutcomeText } from '../../src-shared/seed-groups.ts';
import { LONG_RANGE_ACCURACY, seedStats, VAL_LOSS, verdictItems, type SeedStats, type VerdictMetric } from '../../src-shared/seed-stats.ts';
import { chanceLabel, longRangeChance, type Chance } from '../../src-shared/task-chance.ts';
import type { BaselinesReport } from '../api/contract.ts';
import { flatten, type Lab, type RunConfig } from '../lab/lab.ts';
import type { EvalRow, ExperimentSpec, MetricRow, Run, Sample } from '../api/types.ts';
import { escapeHtml as esc, lineChartSvg, thinMean, type Point, type SvgLine } from './svg-chart.ts';
import { SWEEP_STYLE, sweepSection } from './sweep-section.ts';

/** The report's own policy: nothing may load; inline styles and data: images only. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

interface RunSeries {
  run: Run;
  color: string;
  metrics: MetricRow[];
  evals: EvalRow[];
  /** a few of its samples over training, oldest first, the latest last */
  samples: Sample[];
}

export interface ReportOptions {
  /** the clock for "generated on" (tests pin it) */
  now?: Date;
  /** the corpus's reference losses (Lab.baselines), or null when they could not be computed */
  baselines?: BaselinesReport | null;
}

export function buildReport(lab: Lab, experimentId: number, opts: ReportOptions = {}): string {
  const { experiment, spec, runs } = lab.experiment(experimentId);
  const corpus = lab.store.corpora.getMeta(experiment.corpusId);
  const comparison = runs.length ? lab.compareRuns(runs.map((r) => r.id)) : { runs: [], differences: [] };
  const series = runSeries(lab, runs);
  const now = opts.now ?? new Date();
  const baselines = opts.baselines ?? null;
  const title = `${experiment.name}: report`;

  const body = [
    `<header><h1>${esc(experiment.name)}</h1><p class="muted">RNN Lab report · generated ${esc(formatDate(now))} · experiment #${experiment.id}, created ${esc(formatDate(new Date(experiment.createdAt)))}</p></header>`,
    purposeSection(spec as ExperimentSpec, corpus, runs),
    // a sweep's own runs give no verdict (each cell's best was chosen on these seeds): its section says so and shows the confirmation's
    (spec as ExperimentSpec).sweep
      ? sweepSection(lab.sweepReport(experimentId), { confirmSummary: (id) => seedSection(runSeries(lab, lab.experiment(id).runs)) })
      : seedSection(series),
    baselinesSection(baselines, comparison.runs),
    summarySection(comparison.runs.map((s, i) => ({ ...s, color: series[i].color }))),
    chartsSection(series, referenceLines(baselines, DEFAULT_REFERENCE_CHOICE, 'nats'), longRangeChance(corpus?.task)),
    configSection(runs, comparison.differences),
    samplesSection(series),
    `<footer class="muted">Made by RNN Lab ${esc(pkg.version)}. Losses are cross-entropy in nats per character; bits per character = loss / ln 2; perplexity = e<sup>loss</sup>. Charts show at most 1,000 points per line (consecutive points averaged); dotted grey lines are the baselines.</footer>`,
  ].join('\n');

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(REPORT_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="RNN Lab ${esc(pkg.version)}">
<title>${esc(title)}</title>
<style>${STYLE}${(spec as ExperimentSpec).sweep ? SWEEP_STYLE : ''}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** Each run with its series; a cell's seeds share its colour, as on the app's charts. */
function runSeries(lab: Lab, runs: Run[]): RunSeries[] {
  const colors = colorIndexes(runs);
  return runs.map((run, i) => ({
    run,
    color: runColor(colors[i]),
    metrics: lab.store.metrics.list(run.id),
    evals: lab.store.evals.list(run.id),
    samples: samplesOverTime(lab.store.samples.list(run.id)),
  }));
}

// ---- sections ----

function purposeSection(spec: ExperimentSpec, corpus: ReturnType<Lab['store']['corpora']['getMeta']>, runs: Run[]): string {
  const first = runs[0]?.config as RunConfig | undefined;
  const budget = spec.budget.mode === 'hidden' ? `the same hidden size, ${spec.budget.hidden}` : `about ${formatInt(spec.budget.params)} parameters per model`;
  const rows: [string, string][] = [
    ['Corpus', corpus ? `${corpus.name} (${corpus.kind === 'task' ? 'built-in task' : 'text file'}${corpus.source ? `, from ${corpus.source}` : ''})` : '(deleted)'],
  ];
  if (corpus) {
    rows.push(['Text', `${formatInt(corpus.chars)} characters, ${corpus.vocab.length} distinct; ${formatPercent(1 - corpus.validFraction)} for training, the last ${formatPercent(corpus.validFraction)} for validation`]);
    rows.push(['Corpus SHA-256', corpus.sha256]);
  }
  rows.push(['Cells compared', spec.cells.join(', ')]);
  const seed = spec.firstSeed ?? 1;
  rows.push(['Seeds', spec.seeds === 1 ? `1 (seed ${seed})` : `${spec.seeds} (seeds ${seed} to ${seed + spec.seeds - 1})`]);
  rows.push(['Budget', budget]);
  if (first) {
    const t = first.train;
    rows.push(['Training', `${formatInt(t.steps)} steps of ${t.batch} × ${t.seqLen} characters (truncated BPTT), ${t.optimizer.name} at learning rate ${t.optimizer.lr}, ${t.schedule.name} schedule, ${t.clip > 0 ? `gradient clipped to norm ${t.clip}` : 'no gradient clipping'}`]);
  }
  const validChars = corpus ? Math.round(corpus.chars * corpus.validFraction) : Infinity;
  const evalChars = spec.cadence.evalChars === 0 || spec.cadence.evalChars >= validChars
    ? `the whole validation text${Number.isFinite(validChars) ? ` (${formatInt(validChars)} characters)` : ''}`
    : `the first ${formatInt(spec.cadence.evalChars)} validation characters`;
  rows.push(['Evaluation', `every ${formatInt(spec.cadence.evalEvery)} steps on ${evalChars}`]);
  rows.push(['Runs', `${runs.length}: ${countBy(runs.map((r) => statusText(r.status)))}`]);
  return `<section><h2>What was compared</h2>${definitionList(rows)}</section>`;
}

const VERDICT_RULE = '<p class="muted">A cell beats another only when the 95% interval of the difference of their means (Welch\'s t, from each cell\'s seed spread) excludes zero; each pair is judged on its own.</p>';

function seedSection(series: RunSeries[]): string {
  const cells = groupRuns(series.map((s) => s.run)).map((g) => {
    const seeds = g.runs.map((run) => {
      const evals = series.find((s) => s.run.id === run.id)!.evals;
      const columns = { evalStep: evals.map((e) => e.step), valLoss: evals.map((e) => e.valLoss), longRangeAccuracy: evals.map((e) => e.longRangeAccuracy ?? NaN) };
      return { run, outcome: seedOutcome(run, columns), longRange: seedOutcome(run, columns, 'longRangeAccuracy') };
    });
    const values = finalValues(seeds.map((x) => ({ seed: x.run.seed, trial: x.run.trial?.index, outcome: x.outcome })));
    const longRange = finalValues(seeds.map((x) => ({ seed: x.run.seed, trial: x.run.trial?.index, outcome: x.longRange })));
    return { label: g.label, cell: g.cell, color: series.find((s) => s.run.id === g.runs[0].id)!.color, seeds, values, stats: seedStats(values), longRange, longRangeStats: seedStats(longRange) };
  });
  const hasLongRange = series.some((s) => s.evals.some((e) => Number.isFinite(e.longRangeAccuracy ?? NaN)));
  const anyFinished = cells.some((c) => c.values.length > 0);
  const verdicts = !anyFinished
    ? '<div class="verdict"><h3>Verdict</h3><p class="muted">No run has finished yet: the verdict comes when each cell has finished runs.</p></div>'
    : (hasLongRange ? verdictBlock('Verdict on long-range accuracy', verdictItems(cells.map((c) => ({ name: c.label, values: c.longRange })), LONG_RANGE_ACCURACY), 'long-range') : '')
      + verdictBlock(hasLongRange ? 'Verdict on validation loss' : 'Verdict', verdictItems(cells.map((c) => ({ name: c.label, values: c.values }))), 'loss')
      + VERDICT_RULE;
  const table = (metric: VerdictMetric, key: 'outcome' | 'longRange', cls: string): string => {
    const head = '<tr><th class="left">Cell</th><th>Finished</th><th>Mean</th><th>SD</th><th>95% interval of the mean</th><th class="left">Each seed</th></tr>';
    const body = cells.map((c) => {
      const stats = key === 'outcome' ? c.stats : c.longRangeStats;
      return `<tr data-cell="${esc(c.cell)}"><td class="left">${swatch(c.color)} <strong>${esc(c.label)}</strong></td>`
        + `<td>${stats.n} of ${c.seeds.length}</td>${statsCells(stats, metric.format)}`
        + `<td class="left">${c.seeds.map((x) => `<span class="muted">${seedLabel(x.run)}</span> ${esc(seedOutcomeText(x[key], metric.format))}`).join(' · ')}</td></tr>`;
    }).join('\n');
    return `<table class="data ${cls}"><thead>${head}</thead><tbody>${body}</tbody></table>`;
  };
  const longRangeTable = hasLongRange ? `<h3>Final long-range accuracy</h3>${table(LONG_RANGE_ACCURACY, 'longRange', 'seeds long-range')}` : '';
  return '<section class="seeds"><h2>Summary over seeds</h2>'
    + `<p class="muted">Final validation loss in nats per character (lower is better)${hasLongRange ? ' and final accuracy on the positions that need long-range memory (higher is better)' : ''} of the runs that finished: mean, sample standard deviation over seeds, and the 95% confidence interval of the mean (Student's t).</p>`
    + verdicts
    + (hasLongRange ? '<h3>Final validation loss</h3>' : '')
    + table(VAL_LOSS, 'outcome', 'seeds') + longRangeTable + '</section>';
}

function verdictBlock(title: string, items: { sentence: string; detail: string | null }[], metric: string): string {
  return `<div class="verdict" data-metric="${metric}"><h3>${esc(title)}</h3><ul>${items.map((v) => `<li><strong>${esc(v.sentence)}</strong>${v.detail ? ` <span class="muted">(${esc(v.detail)})</span>` : ''}</li>`).join('')}</ul></div>`;
}

function statsCells(s: SeedStats, format: (x: number) => string): string {
  if (s.n === 0) return '<td>–</td><td>–</td><td>–</td>';
  return `<td>${format(s.mean)}</td><td>${s.sd === null ? '–' : format(s.sd)}</td><td>${s.ci95 ? `${format(s.ci95.lo)} to ${format(s.ci95.hi)}` : '<span class="muted">one seed</span>'}</td>`;
}


function baselinesSection(b: BaselinesReport | null, runs: { run: Run; bestValLoss: number | null }[]): string {
  if (!b) return '<section class="baselines"><h2>Baselines</h2><p class="muted">The baselines of this corpus could not be computed (it may have been deleted).</p></section>';
  const lines = allReferenceLines(b, 'nats');
  const names: Record<string, string> = { uniform: `uniform: ln ${b.vocabSize}, every character equally likely`, unigram: 'unigram: the training text\'s character frequencies' };
  const nameOf = (l: ReferenceLine): string => names[l.key] ?? `${l.key.slice('ngram-'.length)}-gram, interpolated Kneser-Ney`;
  const body = lines.map((l) => `<tr data-baseline="${esc(l.key)}"><td class="left">${esc(nameOf(l))}</td><td>${formatNumber(l.value, 3)}</td><td>${formatNumber(l.value / Math.LN2, 3)}</td></tr>`).join('\n');
  const best = runs.filter((r) => r.bestValLoss !== null).sort((x, y) => x.bestValLoss! - y.bestValLoss!)[0];
  return '<section class="baselines"><h2>Baselines</h2>'
    + '<p class="muted">What a model has to beat: losses of simple models on the same validation text, in nats per character (bits per character beside). The n-grams are fitted on the training text. The loss charts draw uniform, unigram, 3-gram and 5-gram as dotted grey lines.</p>'
    + `<table class="data baselines"><thead><tr><th class="left">Model</th><th>Loss (nats/char)</th><th>Bits/char</th></tr></thead><tbody>${body}</tbody></table>`
    + `<p class="muted">The training text's own character entropy: ${formatNumber(b.trainEntropy, 3)} nats per character.</p>`
    + `${best ? `<p class="standing">${esc(standing(best.run, best.bestValLoss!, lines))}</p>` : ''}</section>`;
}

/** Which baselines the best validation loss of any run is below, in one sentence. */
function standing(run: Run, loss: number, lines: ReferenceLine[]): string {
  const above = lines.filter((l) => loss >= l.value).map((l) => l.name);
  const below = lines.length - above.length;
  const start = `The best validation loss of any run, ${formatNumber(loss, 3)} (${cellTitle(run.cell)} ${seedLabel(run)}, #${run.id}), is below ${below} of these ${lines.length} baselines`;
  if (above.length === 0) return `${start}.`;
  return `${start}; ${above.join(', ')} ${above.length === 1 ? 'is' : 'are'} still lower.`;
}

interface SummaryRow {
  run: Run;
  color: string;
  bestValLoss: number | null;
  bitsPerChar: number | null;
  perplexity: number | null;
  seconds: number;
  charsPerSecond: number | null;
}

function summarySection(rows: SummaryRow[]): string {
  const bestLoss = Math.min(...rows.map((r) => r.bestValLoss ?? Infinity));
  const head = '<tr><th class="left">Run</th><th class="left">Status</th><th>Steps</th><th>Best val loss</th><th>Bits/char</th><th>Perplexity</th><th>Params</th><th>Time</th><th>Chars/s</th></tr>';
  const body = rows.map((s) => {
    const best = s.bestValLoss !== null && s.bestValLoss === bestLoss ? ' class="best"' : '';
    return `<tr data-run="${s.run.id}"><td class="left">${swatch(s.color)} <strong>${esc(s.run.cell)}</strong> ${seedLabel(s.run)} <span class="muted">#${s.run.id}</span></td>`
      + `<td class="left">${esc(statusText(s.run.status))}${s.run.error ? ` <span class="muted">(${esc(s.run.error)})</span>` : ''}</td>`
      + `<td>${formatInt(s.run.step)} / ${formatInt(s.run.steps)}</td>`
      + `<td${best}>${formatNumber(s.bestValLoss, 3)}</td><td>${formatNumber(s.bitsPerChar, 3)}</td><td>${formatNumber(s.perplexity, 2)}</td>`
      + `<td>${formatInt(s.run.params)}</td><td>${esc(formatDuration(s.seconds))}</td><td>${formatInt(s.charsPerSecond)}</td></tr>`;
  }).join('\n');
  return `<section><h2>Summary</h2><table class="data summary"><thead>${head}</thead><tbody>${body}</tbody></table>`
    + '<p class="muted">Best val loss: the lowest validation loss of any evaluation (the best one is in bold). Time: training seconds; chars/s: characters trained per second.</p></section>';
}

function chartsSection(series: RunSeries[], references: ReferenceLine[], chance: Chance | null): string {
  const label = (s: RunSeries): string => `${s.run.cell} ${seedLabel(s.run)} #${s.run.id}`;
  const trainLines: SvgLine[] = series.map((s) => ({ label: label(s), color: s.color, points: thinMean(s.metrics.map((m): Point => [m.step, m.trainLoss])) }));
  const valLines: SvgLine[] = series.map((s) => ({ label: label(s), color: s.color, dashed: true, points: thinMean(s.evals.map((e): Point => [e.step, e.valLoss])) }));
  const charts = [
    figure('Validation loss', lineChartSvg({ title: 'Validation loss of each run by training step', xLabel: 'training step', yLabel: 'validation loss (nats/char)', lines: valLines, references })),
    figure('Training loss', lineChartSvg({ title: 'Training loss of each run by training step', xLabel: 'training step', yLabel: 'training loss (nats/char)', lines: trainLines, references })),
  ];
  if (series.some((s) => s.evals.some((e) => e.longRangeAccuracy !== null && e.longRangeAccuracy !== undefined))) {
    const lines = series.map((s) => ({ label: label(s), color: s.color, points: thinMean(s.evals.map((e): Point => [e.step, e.longRangeAccuracy ?? NaN])) }));
    const chanceLine = chance ? [{ label: chanceLabel(chance), value: chance.value }] : [];
    charts.push(figure('Long-range accuracy', lineChartSvg({ title: 'Accuracy on the characters that need long-range memory', xLabel: 'training step', yLabel: 'long-range accuracy', lines, references: chanceLine })));
  }
  return `<section><h2>Loss curves</h2>${charts.join('\n')}</section>`;
}

function configSection(runs: Run[], differences: string[]): string {
  const flat = runs.map((r) => flatten(r.config));
  const paths = [...new Set(flat.flatMap((f) => [...f.keys()]))].sort();
  const different = new Set(differences);
  const shared = paths.filter((p) => !different.has(p));
  const sharedRows: [string, string][] = shared.map((p) => [p, display(flat[0]?.get(p))]);
  let diff = '<p class="muted">Every run has the same configuration (apart from its seed).</p>';
  if (differences.length > 0) {
    const head = `<tr><th class="left">Run</th>${differences.map((d) => `<th class="diff">${esc(d)}</th>`).join('')}</tr>`;
    const body = runs.map((r, i) => `<tr><td class="left">${esc(r.cell)} ${seedLabel(r)} <span class="muted">#${r.id}</span></td>${differences.map((d) => `<td class="diff">${esc(display(flat[i].get(d)))}</td>`).join('')}</tr>`).join('\n');
    diff = `<table class="data configs"><thead>${head}</thead><tbody>${body}</tbody></table>`;
  }
  return `<section><h2>Configurations</h2><h3>What differs between the runs</h3>${diff}`
    + `<h3>What every run shares</h3>${sharedRows.length ? definitionList(sharedRows, 'config') : '<p class="muted">(nothing)</p>'}</section>`;
}

/** samples of each run in the report: how its text changed, without making the file long */
const SAMPLES_PER_RUN = 4;

/** Up to `count` samples spread evenly over training, always the first and the latest. */
function samplesOverTime(samples: readonly Sample[], count = SAMPLES_PER_RUN): Sample[] {
  if (samples.length <= count) return [...samples];
  const picked = new Set<number>();
  for (let k = 0; k < count; k++) picked.add(Math.round((k * (samples.length - 1)) / (count - 1)));
  return [...picked].sort((a, b) => a - b).map((i) => samples[i]);
}

function samplesSection(series: RunSeries[]): string {
  const items = series.map((s) => {
    const head = `<h3>${swatch(s.color)} ${esc(s.run.cell)} ${seedLabel(s.run)} <span class="muted">#${s.run.id}</span></h3>`;
    if (s.samples.length === 0) return `<div class="sample">${head}<p class="muted">No sample yet: one is taken at each evaluation.</p></div>`;
    const shown = s.samples.map((sample, i) => {
      const { step, prime, temperature, text } = sample;
      const latest = i === s.samples.length - 1 ? ' (the latest)' : '';
      const primed = prime ? `<mark title="the prime">${esc(prime)}</mark>` : '';
      return `<p class="muted">at step ${formatInt(step)}${latest}, temperature ${temperature}${prime ? ', after the highlighted prime' : ''}</p><pre>${primed}${esc(text)}</pre>`;
    });
    return `<div class="sample" data-run="${s.run.id}">${head}${shown.join('')}</div>`;
  });
  return '<section><h2>Samples over training</h2>'
    + `<p class="muted">Text each model wrote while training, taken at its evaluations: up to ${SAMPLES_PER_RUN} per run, from the first to the latest.</p>${items.join('\n')}</section>`;
}

// ---- pieces ----

function figure(caption: string, svg: string): string {
  return `<figure><figcaption>${esc(caption)}</figcaption>${svg}</figure>`;
}

function definitionList(rows: [string, string][], cls = ''): string {
  return `<dl${cls ? ` class="${cls}"` : ''}>${rows.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>`;
}

function swatch(color: string): string {
  return `<span class="swatch" style="background:${esc(color)}"></span>`;
}

function display(v: unknown): string {
  if (v === undefined || v === null) return '–';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function countBy(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}

function formatNumber(n: number | null | undefined, digits: number): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits);
}

function formatPercent(f: number): string {
  return `${+(f * 100).toFixed(1)}%`;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

function formatDate(d: Date): string {
  return d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

const STYLE = `
:root { color-scheme: light; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif; font-size: 14px; line-height: 1.45; color: #1d1f23; background: #ffffff; }
body { max-width: 960px; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.5rem; margin: 0 0 0.25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 0.6rem; border-bottom: 1px solid #d7dae0; padding-bottom: 0.2rem; }
h3 { font-size: 0.95rem; margin: 1rem 0 0.4rem; }
p { margin: 0 0 0.6rem; }
.muted { color: #5b6170; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0; }
dl > div { display: contents; }
dt { font-weight: 600; color: #5b6170; }
dd { margin: 0; overflow-wrap: anywhere; }
dl.config { font-family: ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace; font-size: 0.85rem; }
table.data { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; margin-bottom: 0.5rem; }
table.data th, table.data td { padding: 0.3rem 0.5rem; border-bottom: 1px solid #d7dae0; text-align: right; white-space: nowrap; }
table.data th { font-size: 0.85rem; color: #5b6170; }
table.data .left { text-align: left; }
table.data td.best { font-weight: 700; }
table.configs { width: auto; min-width: 50%; }
table.baselines { width: auto; min-width: 50%; }
.verdict ul { margin: 0 0 0.4rem; padding-left: 1.2rem; }
.verdict li { margin: 0.15rem 0; }
.diff { background: #fff4c2; }
.swatch { display: inline-block; width: 0.8rem; height: 0.8rem; border-radius: 2px; vertical-align: middle; }
figure { margin: 0 0 1.25rem; }
figcaption { font-weight: 600; margin-bottom: 0.3rem; }
svg { width: 100%; height: auto; display: block; border: 1px solid #e3e5ea; border-radius: 4px; }
.sample pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f0f1f3; border-radius: 4px; padding: 0.6rem; font-size: 0.85rem; margin: 0 0 0.5rem; }
mark { background: #fff4c2; }
footer { margin-top: 2.5rem; font-size: 0.85rem; }
@media print {
  body { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  figure, .sample, tr { break-inside: avoid; }
}
`;
