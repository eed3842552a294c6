/**
 * The installed Electron executable, or null. Found without require('electron'), which would try to
 * download the binary when it is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export function electronBinary(root) {
  let dir;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('electron/package.json', { paths: [root] }));
  } catch {
    return null;
  }
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const exe = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(exe) ? exe : null;
}
