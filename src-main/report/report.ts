/**
 * An experiment as one self-contained HTML file: what it compares and on what text, the summary
 * over seeds with its verdict (the same statistics and sentences as the app: src-shared/seed-stats.ts
 * and verdict-text.ts, in the report's language), the baselines a model has to beat, the summary numbers of each run, the loss charts (inline SVG,
 * with the baselines as reference lines), the configs and how they differ, and a few samples of
 * each run over training. It opens offline and makes no request at all: no scripts, no external
 * styles, fonts or images, and its own Content-Security-Policy says so. Corpus names, run errors and samples are
 * user data: every text goes through escapeHtml.
 */
import pkg from '../../package.json' with { type: 'json' };
import { formatDateTime, formatDuration, formatInt } from '../../src-shared/format.ts';
import type { Lang } from '../../src-shared/locales/index.ts';
import { allReferenceLines, DEFAULT_REFERENCE_CHOICE, referenceLines, type ReferenceLine } from '../../src-shared/reference-lines.ts';
import { runColor } from '../../src-shared/run-colors.ts';
import { seedLabel, statusText } from '../../src-shared/run-labels.ts';
import { cellTitle, colorIndexes, finalValues, groupRuns, seedOutcome, seedOutcomeText } from '../../src-shared/seed-groups.ts';
import { LONG_RANGE_ACCURACY, seedStats, VAL_LOSS, type SeedStats, type VerdictMetric } from '../../src-shared/seed-stats.ts';
import { verdictText } from '../../src-shared/verdict-text.ts';
import { chanceLabel, longRangeChance, type Chance } from '../../src-shared/task-chance.ts';
import type { BaselinesReport } from '../api/contract.ts';
import { flatten, type Lab, type RunConfig } from '../lab/lab.ts';
import type { EvalRow, ExperimentSpec, MetricRow, Run, Sample } from '../api/types.ts';
import { reportTranslator, type Translate } from './report-i18n.ts';
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
  /** the language it is written in (the app's, or `rnn-lab report --lang`); English unless told */
  lang?: Lang;
}

/*
 * The language of the report being built. buildReport is synchronous, so it sets these for its
 * duration instead of threading them through every section.
 */
let lang: Lang = 'en';
let tr: Translate = reportTranslator(lang);

export function buildReport(lab: Lab, experimentId: number, opts: ReportOptions = {}): string {
  const before = lang;
  lang = opts.lang ?? 'en';
  tr = reportTranslator(lang);
  try {
    return writeReport(lab, experimentId, opts);
  } finally {
    lang = before;
    tr = reportTranslator(lang);
  }
}

function writeReport(lab: Lab, experimentId: number, opts: ReportOptions): string {
  const { experiment, spec, runs } = lab.experiment(experimentId);
  const corpus = lab.store.corpora.getMeta(experiment.corpusId);
  const comparison = runs.length ? lab.compareRuns(runs.map((r) => r.id)) : { runs: [], differences: [] };
  const series = runSeries(lab, runs);
  const now = opts.now ?? new Date();
  const baselines = opts.baselines ?? null;
  const title = tr('report.title', { name: experiment.name });

  const body = [
    `<header><h1>${esc(experiment.name)}</h1><p class="muted">${esc(tr('report.byline', { now: formatDateTime(now, lang), id: experiment.id, created: formatDateTime(new Date(experiment.createdAt), lang) }))}</p></header>`,
    purposeSection(spec as ExperimentSpec, corpus, runs),
    // a sweep's own runs give no verdict (each cell's best was chosen on these seeds): its section says so and shows the confirmation's
    (spec as ExperimentSpec).sweep
      ? sweepSection(lab.sweepReport(experimentId), { confirmSummary: (id) => seedSection(runSeries(lab, lab.experiment(id).runs)), t: tr })
      : seedSection(series),
    baselinesSection(baselines, comparison.runs),
    summarySection(comparison.runs.map((s, i) => ({ ...s, color: series[i].color }))),
    chartsSection(series, referenceLines(baselines, DEFAULT_REFERENCE_CHOICE, 'nats'), longRangeChance(corpus?.task)),
    configSection(runs, comparison.differences),
    samplesSection(series),
    `<footer class="muted">${tr('report.footer', { version: esc(pkg.version), power: `<sup>${esc(tr('report.lossWord'))}</sup>` })}</footer>`,
  ].join('\n');

  return `<!DOCTYPE html>
<html lang="${lang}">
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
  const budget = spec.budget.mode === 'hidden' ? tr('report.budgetHidden', { hidden: formatInt(spec.budget.hidden, lang) }) : tr('report.budgetParams', { params: formatInt(spec.budget.params, lang) });
  const rows: [string, string][] = [
    [tr('report.corpus'), corpusText(corpus)],
  ];
  if (corpus) {
    rows.push([tr('report.text'), tr('report.textValue', { chars: formatInt(corpus.chars, lang), distinct: formatInt(corpus.vocab.length, lang), train: formatPercent(1 - corpus.validFraction), valid: formatPercent(corpus.validFraction) })]);
    rows.push([tr('report.sha'), corpus.sha256]);
  }
  rows.push([tr('report.cells'), spec.cells.join(', ')]);
  const seed = spec.firstSeed ?? 1;
  rows.push([tr('report.seeds'), spec.seeds === 1 ? tr('report.seedsOne', { seed }) : tr('report.seedsMany', { n: spec.seeds, first: seed, last: seed + spec.seeds - 1 })]);
  rows.push([tr('report.budget'), budget]);
  if (first) {
    const t = first.train;
    const clip = t.clip > 0 ? tr('report.clipped', { clip: t.clip }) : tr('report.notClipped');
    rows.push([tr('report.training'), tr('report.trainingValue', { steps: formatInt(t.steps, lang), batch: t.batch, seqLen: t.seqLen, optimizer: t.optimizer.name, lr: t.optimizer.lr, schedule: t.schedule.name, clip })]);
  }
  const validChars = corpus ? Math.round(corpus.chars * corpus.validFraction) : Infinity;
  const evalChars = spec.cadence.evalChars === 0 || spec.cadence.evalChars >= validChars
    ? (Number.isFinite(validChars) ? tr('report.evalWholeCount', { chars: formatInt(validChars, lang) }) : tr('report.evalWhole'))
    : tr('report.evalFirst', { chars: formatInt(spec.cadence.evalChars, lang) });
  rows.push([tr('report.evaluation'), tr('report.evaluationValue', { every: formatInt(spec.cadence.evalEvery, lang), chars: evalChars })]);
  rows.push([tr('report.runs'), tr('report.runsValue', { n: runs.length, counts: countBy(runs.map((r) => statusText(r.status))) })]);
  return `<section><h2>${esc(tr('report.compared'))}</h2>${definitionList(rows)}</section>`;
}

function corpusText(corpus: ReturnType<Lab['store']['corpora']['getMeta']>): string {
  if (!corpus) return tr('report.deleted');
  const kind = corpus.kind === 'task' ? tr('report.kindTask') : tr('report.kindFile');
  return corpus.source ? tr('report.corpusValueFrom', { name: corpus.name, kind, source: corpus.source }) : tr('report.corpusValue', { name: corpus.name, kind });
}


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
    ? `<div class="verdict"><h3>${esc(tr('report.verdict'))}</h3><p class="muted">${esc(tr('report.verdictNone'))}</p></div>`
    : (hasLongRange ? verdictBlock(tr('report.verdictLongRange'), verdictText(cells.map((c) => ({ name: c.label, values: c.longRange })), 'longRange', tr), 'long-range') : '')
      + verdictBlock(hasLongRange ? tr('report.verdictLoss') : tr('report.verdict'), verdictText(cells.map((c) => ({ name: c.label, values: c.values })), 'valLoss', tr), 'loss')
      + `<p class="muted">${esc(tr('report.verdictRule'))}</p>`;
  const table = (metric: VerdictMetric, key: 'outcome' | 'longRange', cls: string): string => {
    const head = `<tr><th class="left">${esc(tr('report.cell'))}</th><th>${esc(tr('report.finished'))}</th><th>${esc(tr('report.mean'))}</th><th>${esc(tr('report.sd'))}</th><th>${esc(tr('report.interval'))}</th><th class="left">${esc(tr('report.eachSeed'))}</th></tr>`;
    const body = cells.map((c) => {
      const stats = key === 'outcome' ? c.stats : c.longRangeStats;
      return `<tr data-cell="${esc(c.cell)}"><td class="left">${swatch(c.color)} <strong>${esc(c.label)}</strong></td>`
        + `<td>${esc(tr('report.finishedOf', { n: stats.n, total: c.seeds.length }))}</td>${statsCells(stats, metric.format)}`
        + `<td class="left">${c.seeds.map((x) => `<span class="muted">${seedLabel(x.run)}</span> ${esc(seedOutcomeText(x[key], metric.format))}`).join(' · ')}</td></tr>`;
    }).join('\n');
    return `<table class="data ${cls}"><thead>${head}</thead><tbody>${body}</tbody></table>`;
  };
  const longRangeTable = hasLongRange ? `<h3>${esc(tr('report.finalLongRange'))}</h3>${table(LONG_RANGE_ACCURACY, 'longRange', 'seeds long-range')}` : '';
  return `<section class="seeds"><h2>${esc(tr('report.seedsTitle'))}</h2>`
    + `<p class="muted">${esc(hasLongRange ? tr('report.seedsIntroLongRange') : tr('report.seedsIntro'))}</p>`
    + verdicts
    + (hasLongRange ? `<h3>${esc(tr('report.finalLoss'))}</h3>` : '')
    + table(VAL_LOSS, 'outcome', 'seeds') + longRangeTable + '</section>';
}

function verdictBlock(title: string, items: { sentence: string; detail: string | null }[], metric: string): string {
  return `<div class="verdict" data-metric="${metric}"><h3>${esc(title)}</h3><ul>${items.map((v) => `<li><strong>${esc(v.sentence)}</strong>${v.detail ? ` <span class="muted">(${esc(v.detail)})</span>` : ''}</li>`).join('')}</ul></div>`;
}

function statsCells(s: SeedStats, format: (x: number) => string): string {
  if (s.n === 0) return '<td>–</td><td>–</td><td>–</td>';
  return `<td>${format(s.mean)}</td><td>${s.sd === null ? '–' : format(s.sd)}</td><td>${s.ci95 ? esc(tr('report.range', { lo: format(s.ci95.lo), hi: format(s.ci95.hi) })) : `<span class="muted">${esc(tr('report.oneSeed'))}</span>`}</td>`;
}


function baselinesSection(b: BaselinesReport | null, runs: { run: Run; bestValLoss: number | null }[]): string {
  if (!b) return `<section class="baselines"><h2>${esc(tr('report.baselines'))}</h2><p class="muted">${esc(tr('report.baselinesNone'))}</p></section>`;
  const lines = allReferenceLines(b, 'nats');
  const names: Record<string, string> = { uniform: tr('report.uniform', { vocab: b.vocabSize }), unigram: tr('report.unigram') };
  const nameOf = (l: ReferenceLine): string => names[l.key] ?? tr('report.ngram', { n: l.key.slice('ngram-'.length) });
  const body = lines.map((l) => `<tr data-baseline="${esc(l.key)}"><td class="left">${esc(nameOf(l))}</td><td>${formatNumber(l.value, 3)}</td><td>${formatNumber(l.value / Math.LN2, 3)}</td></tr>`).join('\n');
  const best = runs.filter((r) => r.bestValLoss !== null).sort((x, y) => x.bestValLoss! - y.bestValLoss!)[0];
  return `<section class="baselines"><h2>${esc(tr('report.baselines'))}</h2>`
    + `<p class="muted">${esc(tr('report.baselinesIntro'))}</p>`
    + `<table class="data baselines"><thead><tr><th class="left">${esc(tr('report.model'))}</th><th>${esc(tr('report.lossNats'))}</th><th>${esc(tr('report.bitsChar'))}</th></tr></thead><tbody>${body}</tbody></table>`
    + `<p class="muted">${esc(tr('report.entropy', { value: formatNumber(b.trainEntropy, 3) }))}</p>`
    + `${best ? `<p class="standing">${esc(standing(best.run, best.bestValLoss!, lines))}</p>` : ''}</section>`;
}

/** Which baselines the best validation loss of any run is below, in one sentence. */
function standing(run: Run, loss: number, lines: ReferenceLine[]): string {
  const above = lines.filter((l) => loss >= l.value).map((l) => l.name);
  const below = lines.length - above.length;
  const named = { loss: formatNumber(loss, 3), run: `${cellTitle(run.cell)} ${seedLabel(run)}`, id: run.id, below, n: lines.length };
  if (above.length === 0) return tr('report.standing', named);
  return tr('report.standingAbove', { ...named, above: above.join(', ') }, above.length);
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
  const heads: [string, boolean][] = [[tr('report.run'), true], [tr('report.status'), true], [tr('report.steps'), false], [tr('report.bestVal'), false], [tr('report.bitsChar'), false], [tr('report.perplexity'), false], [tr('report.params'), false], [tr('report.time'), false], [tr('report.charsPerSecond'), false]];
  const head = `<tr>${heads.map(([h, left]) => `<th${left ? ' class="left"' : ''}>${esc(h)}</th>`).join('')}</tr>`;
  const body = rows.map((s) => {
    const best = s.bestValLoss !== null && s.bestValLoss === bestLoss ? ' class="best"' : '';
    return `<tr data-run="${s.run.id}"><td class="left">${swatch(s.color)} <strong>${esc(s.run.cell)}</strong> ${seedLabel(s.run)} <span class="muted">#${s.run.id}</span></td>`
      + `<td class="left">${esc(statusText(s.run.status))}${s.run.error ? ` <span class="muted">(${esc(s.run.error)})</span>` : ''}</td>`
      + `<td>${formatInt(s.run.step, lang)} / ${formatInt(s.run.steps, lang)}</td>`
      + `<td${best}>${formatNumber(s.bestValLoss, 3)}</td><td>${formatNumber(s.bitsPerChar, 3)}</td><td>${formatNumber(s.perplexity, 2)}</td>`
      + `<td>${formatInt(s.run.params, lang)}</td><td>${esc(formatDuration(s.seconds, lang, { tenths: true }))}</td><td>${formatInt(s.charsPerSecond, lang)}</td></tr>`;
  }).join('\n');
  return `<section><h2>${esc(tr('report.summary'))}</h2><table class="data summary"><thead>${head}</thead><tbody>${body}</tbody></table>`
    + `<p class="muted">${esc(tr('report.summaryNote'))}</p></section>`;
}

function chartsSection(series: RunSeries[], references: ReferenceLine[], chance: Chance | null): string {
  const label = (s: RunSeries): string => `${s.run.cell} ${seedLabel(s.run)} #${s.run.id}`;
  const trainLines: SvgLine[] = series.map((s) => ({ label: label(s), color: s.color, points: thinMean(s.metrics.map((m): Point => [m.step, m.trainLoss])) }));
  const valLines: SvgLine[] = series.map((s) => ({ label: label(s), color: s.color, dashed: true, points: thinMean(s.evals.map((e): Point => [e.step, e.valLoss])) }));
  const charts = [
    figure(tr('report.valLoss'), lineChartSvg({ title: tr('report.valLossTitle'), xLabel: tr('report.stepAxis'), yLabel: tr('report.valLossAxis'), lines: valLines, references })),
    figure(tr('report.trainLoss'), lineChartSvg({ title: tr('report.trainLossTitle'), xLabel: tr('report.stepAxis'), yLabel: tr('report.trainLossAxis'), lines: trainLines, references })),
  ];
  if (series.some((s) => s.evals.some((e) => e.longRangeAccuracy !== null && e.longRangeAccuracy !== undefined))) {
    const lines = series.map((s) => ({ label: label(s), color: s.color, points: thinMean(s.evals.map((e): Point => [e.step, e.longRangeAccuracy ?? NaN])) }));
    const chanceLine = chance ? [{ label: chanceLabel(chance), value: chance.value }] : [];
    charts.push(figure(tr('report.longRange'), lineChartSvg({ title: tr('report.longRangeTitle'), xLabel: tr('report.stepAxis'), yLabel: tr('report.longRangeAxis'), lines, references: chanceLine })));
  }
  return `<section><h2>${esc(tr('report.curves'))}</h2>${charts.join('\n')}</section>`;
}

function configSection(runs: Run[], differences: string[]): string {
  const flat = runs.map((r) => flatten(r.config));
  const paths = [...new Set(flat.flatMap((f) => [...f.keys()]))].sort();
  const different = new Set(differences);
  const shared = paths.filter((p) => !different.has(p));
  const sharedRows: [string, string][] = shared.map((p) => [p, display(flat[0]?.get(p))]);
  let diff = `<p class="muted">${esc(tr('report.sameConfig'))}</p>`;
  if (differences.length > 0) {
    const head = `<tr><th class="left">${esc(tr('report.run'))}</th>${differences.map((d) => `<th class="diff">${esc(d)}</th>`).join('')}</tr>`;
    const body = runs.map((r, i) => `<tr><td class="left">${esc(r.cell)} ${seedLabel(r)} <span class="muted">#${r.id}</span></td>${differences.map((d) => `<td class="diff">${esc(display(flat[i].get(d)))}</td>`).join('')}</tr>`).join('\n');
    diff = `<table class="data configs"><thead>${head}</thead><tbody>${body}</tbody></table>`;
  }
  return `<section><h2>${esc(tr('report.configs'))}</h2><h3>${esc(tr('report.differs'))}</h3>${diff}`
    + `<h3>${esc(tr('report.shares'))}</h3>${sharedRows.length ? definitionList(sharedRows, 'config') : `<p class="muted">${esc(tr('report.nothing'))}</p>`}</section>`;
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
    if (s.samples.length === 0) return `<div class="sample">${head}<p class="muted">${esc(tr('report.noSample'))}</p></div>`;
    const shown = s.samples.map((sample, i) => {
      const { step, prime, temperature, text } = sample;
      const primed = prime ? `<mark title="${esc(tr('report.prime'))}">${esc(prime)}</mark>` : '';
      return `<p class="muted">${esc(sampleNote(formatInt(step, lang), temperature, i === s.samples.length - 1, prime !== ''))}</p><pre>${primed}${esc(text)}</pre>`;
    });
    return `<div class="sample" data-run="${s.run.id}">${head}${shown.join('')}</div>`;
  });
  return `<section><h2>${esc(tr('report.samples'))}</h2>`
    + `<p class="muted">${esc(tr('report.samplesIntro', { n: SAMPLES_PER_RUN }))}</p>${items.join('\n')}</section>`;
}

function sampleNote(step: string, temperature: number, latest: boolean, primed: boolean): string {
  if (latest) return primed ? tr('report.sampleLatestPrimed', { step, temperature }) : tr('report.sampleLatest', { step, temperature });
  return primed ? tr('report.sampleAtPrimed', { step, temperature }) : tr('report.sampleAt', { step, temperature });
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

const STYLE = `
:root { color-scheme: light; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Malgun Gothic', 'Apple SD Gothic Neo', 'Noto Sans CJK KR', 'Noto Sans KR', NanumGothic, sans-serif; font-size: 14px; line-height: 1.45; color: #1d1f23; background: #ffffff; }
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
