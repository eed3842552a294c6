import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The shared tiny-shakespeare corpus beside the checkout (../shared/data), as CI provides it. */
export function corpusPath(): string {
  const p = process.env.RNN_LAB_CORPUS ?? resolve(repoRoot, '../shared/data/tinyshakespeare.txt');
  if (!existsSync(p)) throw new Error(`corpus not found at ${p}: put ../shared beside the checkout or set RNN_LAB_CORPUS`);
  return p;
}
