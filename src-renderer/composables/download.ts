import type { ExportedFile } from '../../src-main/api/contract.ts';

const TYPES: Record<string, string> = {
  csv: 'text/csv;charset=utf-8',
  json: 'application/json',
  html: 'text/html;charset=utf-8',
  pdf: 'application/pdf',
  png: 'image/png',
};

function typeOf(fileName: string, binary: boolean): string {
  const ext = fileName.split('.').pop()?.toLowerCase() ?? '';
  return TYPES[ext] ?? (binary ? 'application/octet-stream' : 'text/plain;charset=utf-8');
}

/** Saves an exported file through the browser's (or Electron's) download. */
export function downloadFile(file: ExportedFile): void {
  const part: BlobPart = file.bytes ? (file.bytes as Uint8Array<ArrayBuffer>) : (file.text ?? '');
  downloadBlob(new Blob([part], { type: typeOf(file.fileName, file.bytes !== undefined) }), file.fileName);
}

/** Saves a Blob (a chart's PNG) under a file name. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A name that is safe as a file name on every platform (as the lab names its exports). */
export function safeFileName(name: string): string {
  const s = name.replace(/[^\p{L}\p{N}._ -]+/gu, '-').replace(/\s+/g, ' ').trim().replace(/^[.-]+/, '').slice(0, 80);
  return s || 'rnn-lab';
}
