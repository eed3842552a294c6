/**
 * The report's words, from the catalogues the app's interface uses (src-shared/locales), through
 * the same library (vue-i18n's message format, plurals included), so the report reads as the app
 * does in each language.
 */
import { createI18n } from 'vue-i18n';
import { CATALOGUES, type Lang } from '../../src-shared/locales/index.ts';

export type Translate = (key: string, named?: Record<string, unknown>, plural?: number) => string;

const translators = new Map<Lang, Translate>();

export function reportTranslator(lang: Lang): Translate {
  let tr = translators.get(lang);
  if (!tr) {
    const translate = createI18n({ legacy: false, locale: lang, fallbackLocale: 'en', messages: CATALOGUES }).global.t as (key: string, named: Record<string, unknown>, plural: number) => string;
    tr = (key, named = {}, plural = 1) => translate(key, named, plural);
    translators.set(lang, tr);
  }
  return tr;
}
