/**
 * The files the app hands out (metrics as CSV or JSON, models as .safetensors or ONNX, the HTML report),
 * named for saving.
 * The CSV has the columns of `rnn-lab metrics export`.
 */
import { modelConfig, type ModelConfigInput } from '../../src-worker/engine/config.ts';
import { readSafetensors } from '../../src-worker/engine/safetensors.ts';
import type { Lab, MetricsRow } from '../lab/lab.ts';
import type { CheckpointKind, ExportFormat } from './types.ts';
import { buildReport } from '../report/report.ts';
import type { ExportedFile } from './contract.ts';
import { pythonSnippet } from './python-snippet.ts';
import type { Lang } from '../../src-shared/locales/index.ts';

const CSV_COLUMNS: (keyof MetricsRow)[] = ['experiment', 'run', 'cell', 'seed', 'step', 'chars_seen', 'wall_seconds', 'train_loss', 'val_loss', 'bits_per_char', 'grad_norm', 'lr'];

export function metricsCsv(rows: MetricsRow[]): string {
  return [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n';
}

/**
 * One CSV field. A spreadsheet runs a cell that starts with =, +, -, @, tab or carriage return as a
 * formula, so such text gets a leading single quote and quotes (OWASP, CSV injection); numbers are
 * written as numbers, so a negative one stays a number.
 */
function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  if (/^[=+\-@\t\r]/.test(v)) return `"'${v.replace(/"/g, '""')}"`;
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
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

/**
 * A run's model as .safetensors (with the Python snippet that loads it into torch.nn, for the cells
 * torch.nn has modules for) or as ONNX (one step with state, or the whole sequence).
 */
export function exportModel(lab: Lab, runId: number, checkpoint: CheckpointKind, format: ExportFormat = 'safetensors'): ExportedFile {
  const bytes = lab.exportModel(runId, checkpoint, format);
  const run = lab.run(runId);
  const fileName = `${safeFileName(`run ${run.id} ${run.cell} seed ${run.seed} ${checkpoint}${format === 'safetensors' ? '' : ` ${format}`}`)}.${format === 'safetensors' ? 'safetensors' : 'onnx'}`;
  if (format !== 'safetensors') return { fileName, bytes };
  const meta = readSafetensors(bytes).metadata;
  const config = modelConfig(JSON.parse(meta.get('config')!) as ModelConfigInput);
  const vocab = JSON.parse(meta.get('vocab')!) as string[];
  const snippet = pythonSnippet(config, fileName, snippetPrime(vocab));
  return snippet === null ? { fileName, bytes } : { fileName, bytes, snippet };
}

/** "The " when the vocabulary has those characters, else its first few. */
function snippetPrime(vocab: string[]): string {
  const has = new Set(vocab);
  for (const p of ['The ', 'the ', 'a']) if ([...p].every((c) => has.has(c))) return p;
  return vocab.slice(0, 3).join('');
}

/**
 * The experiment's HTML report, with its corpus's baselines (computed in the model worker once per
 * corpus, so this waits for them the first time). Without them, the report says so.
 */
export async function exportReport(lab: Lab, experimentId: number, lang?: Lang): Promise<ExportedFile> {
  const { experiment } = lab.experiment(experimentId);
  const baselines = await lab.baselines(experiment.corpusId).catch(() => null);
  const text = buildReport(lab, experimentId, { baselines, ...(lang ? { lang } : {}) });
  return { fileName: `${safeFileName(experiment.name)} report.html`, text };
}
