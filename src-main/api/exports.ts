/**
 * The files the app hands out (metrics as CSV or JSON, models as .safetensors, the HTML report),
 * named for saving.
 * The CSV has the columns of `rnn-lab metrics export`.
 */
import type { Lab, MetricsRow } from '../lab/lab.ts';
import { buildReport } from '../report/report.ts';
import type { ExportedFile } from './contract.ts';

const CSV_COLUMNS: (keyof MetricsRow)[] = ['experiment', 'run', 'cell', 'seed', 'step', 'chars_seen', 'wall_seconds', 'train_loss', 'val_loss', 'bits_per_char', 'grad_norm', 'lr'];

export function metricsCsv(rows: MetricsRow[]): string {
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

/** A name that is safe as a file name on every platform. */
export function safeFileName(name: string): string {
  const s = name.replace(/[^\p{L}\p{N}._ -]+/gu, '-').replace(/\s+/g, ' ').trim().replace(/^[.-]+/, '').slice(0, 80);
  return s || 'rnn-lab';
}

export function exportMetrics(lab: Lab, experimentId: number, format: 'csv' | 'json'): ExportedFile {
  const { experiment, spec, runs } = lab.experiment(experimentId);
  const rows = lab.metricsTable(experimentId);
  const base = `${safeFileName(experiment.name)} metrics`;
  if (format === 'csv') return { fileName: `${base}.csv`, text: metricsCsv(rows) };
  const text = JSON.stringify({ experiment, spec, runs: runs.map((r) => ({ ...r, metrics: rows.filter((m) => m.run === r.id) })) }, null, 1);
  return { fileName: `${base}.json`, text };
}

export function exportModel(lab: Lab, runId: number, checkpoint: 'best' | 'last'): ExportedFile {
  const bytes = lab.exportModel(runId, checkpoint);
  const run = lab.run(runId);
  return { fileName: `${safeFileName(`run ${run.id} ${run.cell} seed ${run.seed} ${checkpoint}`)}.safetensors`, bytes };
}

export function exportReport(lab: Lab, experimentId: number): ExportedFile {
  const text = buildReport(lab, experimentId);
  return { fileName: `${safeFileName(lab.experiment(experimentId).experiment.name)} report.html`, text };
}
