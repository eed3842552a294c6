/**
 * English, the reference catalogue: every other language has exactly its keys and placeholders
 * (the type below makes a missing key a compile error; test/renderer/i18n-keys.test.ts checks the
 * placeholders and that every key is used). Messages are vue-i18n's format: `{name}` placeholders,
 * `a | b` plural forms chosen by the count, and `{'@'}`, `{'|'}`, `{'{'}` for those characters.
 * Top-level namespaces by area: app, nav, toasts, dialogs, common, corpora, generate, exportDialog,
 * form, report, fonts; experiment, runs, charts, summary, equations, compare, inside.
 */
const en = {
  app: {
    /** the language's own name, as the switch lists it */
    languageName: 'English',
    language: 'Language',
  },
  nav: {
    screens: 'Screens',
    corpora: 'Corpora',
    newExperiment: 'New experiment',
    experiment: 'Experiment',
    compare: 'Compare',
    generate: 'Generate',
    inside: 'Inside the cells',
  },
  toasts: {
    labDidNotStart: 'The lab did not start',
  },
};

/** The shape every catalogue has: en's keys, each a message. */
export type Messages = DeepStrings<typeof en>;
type DeepStrings<T> = { [K in keyof T]: T[K] extends string ? string : DeepStrings<T[K]> };

export default en satisfies Messages;
