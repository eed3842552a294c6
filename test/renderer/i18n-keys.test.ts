// @vitest-environment happy-dom
/**
 * The catalogues against each other and against the sources: every key of en is in every other
 * language with the same placeholders, every message compiles, every key the sources use exists,
 * and every key exists because something uses it. Keys are found as string literals in t('…'),
 * $t('…') and tr('…') calls and <i18n-t keypath="…">; a call with a computed key is allowed only in
 * a file of DYNAMIC_KEY_FILES, which writes each key it can build out in full.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sourceFiles } from '../architecture/import-graph.ts';
import { repoRoot } from '../helpers.ts';
import { CATALOGUES, LANGS } from '../../src-shared/locales/index.ts';
import { i18n } from '../../src-renderer/i18n.ts';

/** files whose t() calls take a key from a variable; each names its keys in full as string literals */
const DYNAMIC_KEY_FILES: readonly string[] = [
  'src-shared/sweep-views.ts',
  // the plan's estimate: four sentences (under a second or not, halving or not) and two for halving
  'src-renderer/components/NewExperimentFormPlan.vue',
];

const SCANNED = ['src-renderer/', 'src-main/report/', 'src-shared/sweep-views.ts', 'src-shared/verdict-text.ts'];

type Tree = { [k: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

function placeholders(message: string): string[] {
  return [...new Set([...message.matchAll(/\{\s*([A-Za-z_]\w*)\s*\}/g)].map((m) => m[1]))].sort();
}

const catalogues = new Map(LANGS.map((lang) => [lang, flatten(CATALOGUES[lang] as unknown as Tree)]));
const en = catalogues.get('en')!;
const namespaces = new Set([...en.keys()].map((k) => k.split('.')[0]));

/** a call of t, $t or tr (not a method of something else, not a longer name ending in t) */
const CALL = /(?<![\w$.])(?:\$t|t|tr)\(\s*/g;
const LITERAL = /^(['"])([^'"\\]+)\1|^`([^`$\\]+)`/;
const KEYPATH = /(?<![:\w-])keypath="([^"]+)"/g;
const BOUND_KEYPATH = /:keypath="/g;
const KEY_LIKE = /(['"`])([a-z][A-Za-z0-9]*(?:\.[A-Za-z0-9_]+)+)\1/g;

interface Use {
  key: string;
  where: string;
}

function scan(): { uses: Use[]; computed: string[] } {
  const uses: Use[] = [];
  const computed: string[] = [];
  for (const f of sourceFiles(repoRoot).filter((f) => SCANNED.some((d) => f.path.startsWith(d)))) {
    const lineAt = (i: number) => f.text.slice(0, i).split('\n').length;
    for (const m of f.text.matchAll(CALL)) {
      const rest = f.text.slice(m.index + m[0].length);
      const lit = LITERAL.exec(rest);
      if (lit) uses.push({ key: lit[2] ?? lit[3], where: `${f.path}:${lineAt(m.index)}` });
      else if (!DYNAMIC_KEY_FILES.includes(f.path)) computed.push(`${f.path}:${lineAt(m.index)}: ${rest.split('\n')[0]}`);
    }
    for (const m of f.text.matchAll(KEYPATH)) uses.push({ key: m[1], where: `${f.path}:${lineAt(m.index)}` });
    if (!DYNAMIC_KEY_FILES.includes(f.path)) for (const m of f.text.matchAll(BOUND_KEYPATH)) computed.push(`${f.path}:${lineAt(m.index)}: a bound keypath`);
    if (DYNAMIC_KEY_FILES.includes(f.path)) {
      for (const m of f.text.matchAll(KEY_LIKE)) {
        if (namespaces.has(m[2].split('.')[0])) uses.push({ key: m[2], where: `${f.path}:${lineAt(m.index)}` });
      }
    }
  }
  return { uses, computed };
}

const { uses, computed } = scan();

afterEach(() => {
  vi.restoreAllMocks();
});

describe('message catalogues', () => {
  it('finds the keys the sources use (a sanity check of the scan)', () => {
    expect(uses.some((u) => u.key === 'nav.corpora' && u.where.startsWith('src-renderer/components/TheNavBar.vue'))).toBe(true);
    expect(en.size).toBeGreaterThan(5);
  });

  it('every language has exactly the keys of en', () => {
    for (const [lang, messages] of catalogues) {
      expect([...en.keys()].filter((k) => !messages.has(k)), `missing in ${lang}`).toEqual([]);
      expect([...messages.keys()].filter((k) => !en.has(k)), `in ${lang} but not in en`).toEqual([]);
    }
  });

  it('every message has the placeholders of its English one, and no empty message', () => {
    for (const [lang, messages] of catalogues) {
      const wrong = [...en].filter(([k, m]) => messages.has(k) && placeholders(messages.get(k)!).join() !== placeholders(m).join());
      expect(wrong.map(([k, m]) => `${lang} ${k}: ${JSON.stringify(messages.get(k))} vs ${JSON.stringify(m)}`)).toEqual([]);
      expect([...messages].filter(([, m]) => m.trim() === '').map(([k]) => `${lang} ${k}`)).toEqual([]);
    }
  });

  it('every message compiles and fills in all its placeholders', () => {
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    const t = i18n.global.t as (key: string, named: Record<string, unknown>, options: { locale: string; plural?: number }) => string;
    for (const [lang, messages] of catalogues) {
      for (const [key, message] of messages) {
        const named = Object.fromEntries(placeholders(message).map((p) => [p, `<${p}>`]));
        for (const plural of message.includes('|') ? [0, 1, 2] : [1]) {
          const out = t(key, { count: plural, n: plural, ...named }, { locale: lang, plural });
          expect(out, `${lang} ${key}`).not.toMatch(/[{}]/);
          expect(out, `${lang} ${key}`).not.toBe(key);
        }
      }
    }
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });

  it('every key the sources use is in the catalogues', () => {
    expect(uses.filter((u) => !en.has(u.key)).map((u) => `${u.where}: ${u.key}`)).toEqual([]);
  });

  it('every key in the catalogues is used somewhere', () => {
    const used = new Set(uses.map((u) => u.key));
    expect([...en.keys()].filter((k) => !used.has(k))).toEqual([]);
  });

  it('computes keys only in the files that list theirs', () => {
    expect(computed).toEqual([]);
  });
});
