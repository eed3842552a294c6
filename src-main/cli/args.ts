/** Reading a command's arguments: numbers, ids and the checkpoint, refused with the flag's name. */
import type { CheckpointKind } from '../api/contract.ts';
import { LabError } from '../lab/lab.ts';
import type { BareContext } from './command.ts';

export function wholeNumber(flag: string, s: string, min = 1): number {
  const v = Number(s);
  if (!Number.isSafeInteger(v) || v < min) throw new LabError('bad-input', `${flag} must be a whole number >= ${min}, got ${JSON.stringify(s)}`);
  return v;
}

export function realNumber(flag: string, s: string): number {
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v)) throw new LabError('bad-input', `${flag} must be a number, got ${JSON.stringify(s)}`);
  return v;
}

/** A string option's value. */
export const str = (ctx: BareContext, name: string): string | undefined => ctx.values[name] as string | undefined;

/** The first positional, an id. */
export const id = (ctx: BareContext): number => wholeNumber('ID', ctx.positionals[0]);

export const checkpointOption = { checkpoint: { type: 'string' as const, default: 'best' } };

export function whichCheckpoint(ctx: BareContext, fallback?: CheckpointKind): CheckpointKind {
  const c = str(ctx, 'checkpoint') ?? fallback;
  if (c !== 'best' && c !== 'last') throw new LabError('bad-input', `--checkpoint must be best or last, got ${JSON.stringify(c)}`);
  return c;
}
