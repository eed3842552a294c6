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
  if ('values' in r) return `${settingName(r.name, t)}: ${r.values.map(formatSetting).join(', ')}`;
  const points = r.points ? `, ${r.points} points` : '';
  return `${settingName(r.name, t)}: ${formatSetting(r.min)} to ${formatSetting(r.max)} (${r.scale} scale${points})`;
}

function searchText(report: SweepReport, t: Translate): string {
  const s = report.sweep;
  const how = s.search === 'grid' ? `a full grid of ${s.trials} trials` : `${s.trials} trials drawn at random (draw seed ${s.drawSeed})`;
  const halving = s.halving
    ? `Successive halving (ASHA): at steps ${s.halving.minSteps} × ${s.halving.eta}^k, a run not in the best 1/${s.halving.eta} of its cell's runs at that step is stopped.`
    : 'No early stopping: every trial trains all its steps.';
  return `<p>Each cell was tuned on ${how}, the same trials for every cell, over ${s.ranges.map((r) => esc(rangeText(r, t))).join('; ')}. ${esc(halving)}</p>`;
}

function countsText(c: SweepCellReport): string {
  const other = c.trials.total - c.trials.completed - c.trials.stopped;
  return `${c.trials.completed} completed, ${c.trials.stopped} stopped${other > 0 ? `, ${other} other (training, failed or cancelled)` : ''} of ${c.trials.total}`;
}

function bestTable(report: SweepReport, t: Translate): string {
  const names = report.sweep.ranges.map((r) => r.name);
  const head = `<tr><th class="left">Cell</th><th>Trials</th>${names.map((n) => `<th>${esc(settingName(n, t))}</th>`).join('')}<th>Final val loss</th><th class="left">Run</th></tr>`;
  const body = report.cells.map((c, i) => {
    const cells = c.best
      ? `${names.map((n) => `<td>${esc(formatSetting(c.best!.values[n]))}</td>`).join('')}<td class="best">${formatNats(c.best.valLoss)}</td><td class="left muted">#${c.best.runId}, trial ${c.best.trial}, seed ${c.best.seed}</td>`
      : `<td class="left muted" colspan="${names.length + 2}">no completed trial yet</td>`;
    return `<tr data-cell="${esc(c.cell)}"><td class="left"><span class="swatch" style="background:${esc(runColor(i))}"></span> <strong>${esc(cellTitle(c.cell))}</strong></td><td>${esc(countsText(c))}</td>${cells}</tr>`;
  }).join('\n');
  return `<h3>Best configuration of each cell</h3><table class="data sweep-best"><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

function importanceBlock(report: SweepReport, t: Translate): string {
  const names = report.sweep.ranges.map((r) => r.name);
  const blocks = report.cells.map((c) => {
    const head = `<h4>${esc(cellTitle(c.cell))}</h4>`;
    if (!c.importanceMethod) return `<div class="importance" data-cell="${esc(c.cell)}">${head}<p class="muted">Not enough finished trials yet to estimate it.</p></div>`;
    const rows = importanceBars(c.importance, names, (n) => settingName(n, t), t('sweep.importance.interactions')).map((b) => `<tr${b.interaction ? ' class="interaction"' : ''}><td class="left">${esc(b.label)}</td>`
      + `<td class="left"><span class="bar" style="width:${(Math.max(0, Math.min(1, b.share)) * 100).toFixed(1)}%"></span></td><td>${(100 * b.share).toFixed(1)}%</td></tr>`).join('');
    return `<div class="importance" data-cell="${esc(c.cell)}">${head}<p class="muted">${esc(importanceMethodText(c, t))}</p>`
      + `<table class="data importance"><tbody>${rows}</tbody></table></div>`;
  });
  return '<h3>Importance of each setting</h3><p class="muted">Each setting\'s share of the variance of the final validation loss over the trials of a cell (then the share no setting explains alone: the settings acting together).</p>'
    + blocks.join('');
}

function verdictBlock(report: SweepReport, opts: SweepSectionOptions): string {
  const confirm = report.confirm
    ? `<p>The confirmation experiment #${report.confirm.experimentId} reruns each cell's best configuration on fresh seeds; its summary over seeds:</p>${opts.confirmSummary(report.confirm.experimentId)}`
    : '<p class="muted">Not confirmed yet: Confirm the best, on the sweep\'s Experiment screen, reruns each cell\'s best configuration on at least 3 fresh seeds.</p>';
  return `<div class="sweep-verdict"><h3>Verdict between the cells at their best</h3><p class="muted">${esc(opts.t('sweep.confirm.noVerdict'))}</p>${confirm}</div>`;
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
    figure('Final validation loss per cell', stripSvg(stripPlot(cells, report.trials)),
      'One dot per trial (spread sideways only to be seen); rings are trials the halving rule stopped, at the loss they were stopped at. The box covers the completed trials: quartiles, median, whiskers to the furthest trial within 1.5 interquartile ranges.'),
    figure('Expected best validation loss against the number of trials', expectedBestSvg(report.cells.map((c, index) => ({ ...c, index }))), t('sweep.expectedBest.caption')),
    ...scatters.map((p) => figure(`Final validation loss against ${p.axis.label}`, scatterSvg(p))),
    figure('Parallel coordinates', parallelSvg(parallelCoordinates(axes, cells, report.trials, t('sweep.parallel.loss')), cells), 'Each line is one trial, in its cell\'s colour, through its settings to its final validation loss; dashed lines are trials the halving rule stopped.'),
  ];
  return `<section class="sweep"><h2>Sweep</h2>${searchText(report, t)}${bestTable(report, t)}${figures.join('\n')}${importanceBlock(report, t)}${verdictBlock(report, opts)}</section>`;
}

/** The styles the section adds to the report's. */
export const SWEEP_STYLE = `
h4 { font-size: 0.9rem; margin: 0.8rem 0 0.2rem; }
table.importance { width: auto; min-width: 60%; }
table.importance tr.interaction td { color: #5b6170; }
.bar { display: inline-block; height: 0.7rem; min-width: 1px; background: #3b82f6; border-radius: 2px; width: 0; }
table.importance td:nth-child(2) { width: 50%; }
`;
