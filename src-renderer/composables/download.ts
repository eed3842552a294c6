import type { ExportedFile } from '../../src-main/api/contract.ts';

/** Saves an exported file through the browser's (or Electron's) download. */
export function downloadFile(file: ExportedFile): void {
  const part: BlobPart = file.bytes ? (file.bytes as Uint8Array<ArrayBuffer>) : (file.text ?? '');
  const blob = new Blob([part], { type: file.bytes ? 'application/octet-stream' : 'text/plain;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
