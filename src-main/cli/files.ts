/** Files a command reads or writes, refused with what and why rather than a stack trace. */
import { readFileSync, writeFileSync } from 'node:fs';
import { LabError } from '../lab/lab.ts';

const reason = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

export function readFile(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new LabError('bad-input', `cannot read ${what} ${path}: ${reason(e)}`);
  }
}

export function writeFile(path: string, data: string | Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw new LabError('bad-input', `cannot write ${path}: ${reason(e)}`);
  }
}
