/** Input checks shared by the diagnostics: each error names the option or input at fault. */
import { ConfigError } from '../config.ts';
import type { TokenIds } from '../data.ts';

/** Throws unless every id is a whole number in [0, V); names the first offending position. */
export function checkIds(field: string, ids: TokenIds, V: number, minLength: number): void {
  if (ids.length < minLength) throw new ConfigError(field, `needs at least ${minLength} character${minLength === 1 ? '' : 's'}, got ${ids.length}`);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < V)) throw new ConfigError(field, `token id ${id} at position ${i} is outside the vocabulary of ${V}`);
  }
}

/** A whole number in [min, max], or `fallback` when undefined. */
export function wholeOption(field: string, v: number | undefined, fallback: number, min: number, max: number): number {
  const x = v ?? fallback;
  if (!Number.isInteger(x) || x < min || x > max) throw new ConfigError(field, `must be a whole number from ${min} to ${max}, got ${String(v)}`);
  return x;
}
