/**
 * The report's section on a sweep: what was searched, each cell's best configuration, the
 * distribution of final losses, the expected best against the number of trials, loss against each
 * setting, parallel coordinates, each setting's importance with its method, and the verdict, which
 * only the confirmation experiment gives (the sweep's own best was picked on its own seeds).
 */
import { runColor } from '../../src-shared/run-colors.ts';
import { cellTitle } from '../../src-shared/seed-groups.ts';
import { formatNats } from '../../src-shared/seed-stats.ts';
import {
  formatSetting, importanceBars, importanceMethodText, parallelCoordinates, scatterPanels, settingAxes, settingName, stripPlot,
  type RangeLike, type Translate,
} from '../../src-shared/sweep-views.ts';
import type { SweepCellReport, SweepReport } from '../api/types.ts';
import { expectedBestSvg, parallelSvg, scatterSvg, stripSvg } from './sweep-charts.ts';
import { escapeHtml as esc } from './svg-chart.ts';

export interface SweepSectionOptions {
  /** the summary over seeds of the confirmation experiment, as the report draws it for any experiment */
  confirmSummary: (experimentId: number) => string;
  /** the report's translator (report-i18n.ts), for the words the section shares with the app's sweep panel */
  t: Translate;
}

function rangeText(r: RangeLike, t: Translate): string {
  const name = settingName(r.name, t);
  if ('values' in r) return t('sweep.report.values', { name, values: r.values.map(formatSetting).join(', ') });
  const named = { name, min: formatSetting(r.min), max: formatSetting(r.max), scale: r.scale === 'log' ? t('sweep.search.log') : t('sweep.search.linear'), points: r.points };
  return r.points ? t('sweep.report.spanPoints', named) : t('sweep.report.span', named);
}

function searchText(report: SweepReport, t: Translate): string {
  const s = report.sweep;
  const named = { n: s.trials, seed: s.drawSeed, ranges: s.ranges.map((r) => rangeText(r, t)).join('; ') };
  const how = s.search === 'grid' ? t('sweep.report.grid', named) : t('sweep.report.random', named);
  const halving = s.halving ? t('sweep.report.halving', { minSteps: s.halving.minSteps, eta: s.halving.eta }) : t('sweep.report.noHalving');
  return `<p>${esc(how)} ${esc(halving)}</p>`;
}

function countsText(c: SweepCellReport, t: Translate): string {
  const other = c.trials.total - c.trials.completed - c.trials.stopped;
  const named = { ...c.trials, other };
  return other > 0 ? t('sweep.report.countsOther', named) : t('sweep.report.counts', named);
}

function bestTable(report: SweepReport, t: Translate): string {
  const names = report.sweep.ranges.map((r) => r.name);
  const head = `<tr><th class="left">${esc(t('sweep.best.cell'))}</th><th>${esc(t('sweep.report.trials'))}</th>${names.map((n) => `<th>${esc(settingName(n, t))}</th>`).join('')}`
    + `<th>${esc(t('sweep.best.loss'))}</th><th class="left">${esc(t('sweep.report.run'))}</th></tr>`;
  const body = report.cells.map((c, i) => {
    const cells = c.best
      ? `${names.map((n) => `<td>${esc(formatSetting(c.best!.values[n]))}</td>`).join('')}<td class="best">${formatNats(c.best.valLoss)}</td><td class="left muted">${esc(t('sweep.best.runTrialSeed', { id: c.best.runId, trial: c.best.trial, seed: c.best.seed }))}</td>`
      : `<td class="left muted" colspan="${names.length + 2}">${esc(t('sweep.best.none'))}</td>`;
    return `<tr data-cell="${esc(c.cell)}"><td class="left"><span class="swatch" style="background:${esc(runColor(i))}"></span> <strong>${esc(cellTitle(c.cell))}</strong></td><td>${esc(countsText(c, t))}</td>${cells}</tr>`;
  }).join('\n');
  return `<h3>${esc(t('sweep.best.caption'))}</h3><table class="data sweep-best"><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

function importanceBlock(report: SweepReport, t: Translate): string {
  const names = report.sweep.ranges.map((r) => r.name);
  const blocks = report.cells.map((c) => {
    const head = `<h4>${esc(cellTitle(c.cell))}</h4>`;
    if (!c.importanceMethod) return `<div class="importance" data-cell="${esc(c.cell)}">${head}<p class="muted">${esc(t('sweep.importance.none'))}</p></div>`;
    const rows = importanceBars(c.importance, names, (n) => settingName(n, t), t('sweep.importance.interactions')).map((b) => `<tr${b.interaction ? ' class="interaction"' : ''}><td class="left">${esc(b.label)}</td>`
      + `<td class="left"><span class="bar" style="width:${(Math.max(0, Math.min(1, b.share)) * 100).toFixed(1)}%"></span></td><td>${(100 * b.share).toFixed(1)}%</td></tr>`).join('');
    return `<div class="importance" data-cell="${esc(c.cell)}">${head}<p class="muted">${esc(importanceMethodText(c, t))}</p>`
      + `<table class="data importance"><tbody>${rows}</tbody></table></div>`;
  });
  return `<h3>${esc(t('sweep.importance.heading'))}</h3><p class="muted">${esc(t('sweep.report.importanceCaption'))}</p>${blocks.join('')}`;
}

function verdictBlock(report: SweepReport, opts: SweepSectionOptions): string {
  const { t } = opts;
  const confirm = report.confirm
    ? `<p>${esc(t('sweep.report.confirmed', { id: report.confirm.experimentId }))}</p>${opts.confirmSummary(report.confirm.experimentId)}`
    : `<p class="muted">${esc(t('sweep.report.notConfirmed'))}</p>`;
  return `<div class="sweep-verdict"><h3>${esc(t('sweep.confirm.heading'))}</h3><p class="muted">${esc(t('sweep.confirm.noVerdict'))}</p>${confirm}</div>`;
}

function figure(caption: string, svg: string, note = ''): string {
  return `<figure><figcaption>${esc(caption)}</figcaption>${svg}${note ? `<p class="muted">${esc(note)}</p>` : ''}</figure>`;
}

export function sweepSection(report: SweepReport, opts: SweepSectionOptions): string {
  const cells = report.cells.map((c) => c.cell);
  const { t } = opts;
  const axes = settingAxes(report.sweep.ranges, report.trials, (n) => settingName(n, t));
  const scatters = scatterPanels(axes, cells, report.trials);
  const figures = [
    figure(t('sweep.strip.title'), stripSvg(stripPlot(cells, report.trials), t), t('sweep.report.stripFigure')),
    figure(t('sweep.report.expectedBestTitle'), expectedBestSvg(report.cells.map((c, index) => ({ ...c, index })), t), t('sweep.expectedBest.caption')),
    ...scatters.map((p) => figure(t('sweep.report.scatterTitle', { setting: p.axis.label }), scatterSvg(p, t))),
    figure(t('sweep.parallel.title'), parallelSvg(parallelCoordinates(axes, cells, report.trials, t('sweep.parallel.loss')), cells, t), t('sweep.report.parallelNote')),
  ];
  return `<section class="sweep"><h2>${esc(t('sweep.title'))}</h2>${searchText(report, t)}${bestTable(report, t)}${figures.join('\n')}${importanceBlock(report, t)}${verdictBlock(report, opts)}</section>`;
}

/** The styles the section adds to the report's. */
export const SWEEP_STYLE = `
h4 { font-size: 0.9rem; margin: 0.8rem 0 0.2rem; }
table.importance { width: auto; min-width: 60%; }
table.importance tr.interaction td { color: #5b6170; }
.bar { display: inline-block; height: 0.7rem; min-width: 1px; background: #3b82f6; border-radius: 2px; width: 0; }
table.importance td:nth-child(2) { width: 50%; }
`;
