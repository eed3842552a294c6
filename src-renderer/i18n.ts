/**
 * The interface's language: vue-i18n (Composition API) over the catalogues in src-shared/locales.
 * Components call `const { t } = useI18n()`; stores and composables, which have no component,
 * call `tr`. The language is, in order: the one chosen in the app (remembered in localStorage),
 * else the system's (Electron's app.getLocale() through appInfo, else navigator.languages), else
 * English. <html lang> follows it.
 */
import { watch } from 'vue';
import { createI18n } from 'vue-i18n';
import { CATALOGUES, isLang, pickLang, type Lang } from '../src-shared/locales/index.ts';

const STORAGE_KEY = 'rnn-lab.language';

/*
 * The page's storage and languages, where there are some: the composables that translate are also
 * imported by unit tests that run in plain Node, without a DOM.
 */
const pageStorage = (): Storage | null => globalThis.localStorage ?? null;
const pageLanguages = (): readonly string[] => globalThis.navigator?.languages ?? [];

/** The language chosen in the app, if any (an unknown value, from an older or newer app, is ignored). */
export function chosenLang(storage: Storage | null = pageStorage()): Lang | null {
  const s = storage?.getItem(STORAGE_KEY) ?? null;
  return s !== null && isLang(s) ? s : null;
}

export const i18n = createI18n({
  legacy: false,
  locale: chosenLang() ?? pickLang(pageLanguages()),
  fallbackLocale: 'en',
  messages: CATALOGUES,
});

export const tr = i18n.global.t;

export function currentLang(): Lang {
  return i18n.global.locale.value;
}

/** Chooses a language in the app, and remembers it. */
export function chooseLang(lang: Lang, storage: Storage | null = pageStorage()): void {
  storage?.setItem(STORAGE_KEY, lang);
  i18n.global.locale.value = lang;
}

/** The system's locale as the shell reports it (Electron's app.getLocale()): used unless one was chosen. */
export function followSystemLocale(locale: string | null, storage: Storage | null = pageStorage()): void {
  if (chosenLang(storage) === null && locale) i18n.global.locale.value = pickLang([locale, ...pageLanguages()]);
}

watch(
  () => i18n.global.locale.value,
  (lang) => {
    if (typeof document !== 'undefined') document.documentElement.lang = lang;
  },
  { immediate: true },
);
