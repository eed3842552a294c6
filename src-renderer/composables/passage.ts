/**
 * Which text the cell and loss views read, and how it is shown: the request for the lab, the
 * characters one by one (code points, as the vocabulary counts them), pages of a long passage, and
 * which character each loss belongs to.
 */
import type { PassageRequest } from '../../src-main/api/contract.ts';
import { formatInt } from '../../src-shared/format.ts';
import { DIAGNOSE_MAX_PASSAGE } from '../../src-shared/limits.ts';
import { tr } from '../i18n.ts';

/** characters drawn at once per run; a longer passage is shown a page at a time */
export const PASSAGE_PAGE = 1000;

export type PassageChoice =
  | { source: 'validation'; start: number; length: number }
  | { source: 'own'; text: string };

export const DEFAULT_PASSAGE: PassageChoice = { source: 'validation', start: 0, length: 400 };

export type PassageCheck = { ok: true; req: PassageRequest } | { ok: false; message: string };

/** The request for a choice, or why it cannot be sent. */
export function passageRequest(choice: PassageChoice): PassageCheck {
  if (choice.source === 'own') {
    const n = splitChars(choice.text).length;
    if (n < 2) return { ok: false, message: tr('inside.passage.tooShort') };
    if (n > DIAGNOSE_MAX_PASSAGE) return { ok: false, message: tr('inside.passage.tooLong', { max: formatInt(DIAGNOSE_MAX_PASSAGE), n: formatInt(n) }) };
    return { ok: true, req: { text: choice.text } };
  }
  const { start, length } = choice;
  if (!Number.isInteger(start) || start < 0) return { ok: false, message: tr('inside.passage.badStart') };
  if (!Number.isInteger(length) || length < 2 || length > DIAGNOSE_MAX_PASSAGE) return { ok: false, message: tr('inside.passage.badLength', { max: formatInt(DIAGNOSE_MAX_PASSAGE) }) };
  return { ok: true, req: { start, length } };
}

/** The characters of a text as the lab counts them: one per code point. */
export function splitChars(text: string): string[] {
  return Array.from(text);
}

export interface PassagePage {
  page: number;
  pages: number;
  /** first character shown, and one past the last */
  from: number;
  to: number;
}

/** Page `page` (clamped) of a passage of `count` characters. */
export function passagePage(count: number, page: number, size = PASSAGE_PAGE): PassagePage {
  const pages = Math.max(1, Math.ceil(count / size));
  const p = Math.min(pages - 1, Math.max(0, Math.floor(page) || 0));
  return { page: p, pages, from: p * size, to: Math.min(count, (p + 1) * size) };
}

/**
 * Each character's loss: nll[i] is the loss of predicting character i + 1 from the ones before,
 * so character 0 has none (NaN) and character i + 1 takes nll[i].
 */
export function lossPerChar(count: number, nll: readonly number[]): Float64Array {
  const out = new Float64Array(count).fill(NaN);
  for (let i = 0; i + 1 < count && i < nll.length; i++) out[i + 1] = nll[i];
  return out;
}

/** How a character is shown inside the passage: visible marks for newline and tab. */
export function shownChar(c: string): string {
  if (c === '\n') return '↵\n';
  if (c === '\t') return '⇥';
  if (c === '\r') return '␍';
  return c;
}
