/**
 * The languages the interface speaks, one catalogue file each: adding a language is adding its
 * file (typed as Messages, so a missing key does not compile) and its line here. The renderer
 * and the HTML report read the same catalogues.
 */
import en from './en.ts';
import ko from './ko.ts';

export const CATALOGUES = { en, ko };

export type Lang = keyof typeof CATALOGUES;

export const LANGS = Object.keys(CATALOGUES) as Lang[];

export function isLang(s: string): s is Lang {
  return Object.hasOwn(CATALOGUES, s);
}

/**
 * The first of the preferred locales (BCP 47, best first: 'ko-KR', 'en-US') whose language the
 * app speaks, else English.
 */
export function pickLang(preferred: readonly string[]): Lang {
  for (const tag of preferred) {
    const base = tag.trim().toLowerCase().split(/[-_]/)[0];
    if (isLang(base)) return base;
  }
  return 'en';
}
