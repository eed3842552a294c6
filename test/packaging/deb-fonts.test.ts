/**
 * The .deb recommends a font that draws Hangul (the interface speaks Korean), keeping the
 * recommendation electron-builder makes by default, and the app's notice for a system without one
 * names the same packages. electron-builder.yml is read with the YAML parser electron-builder reads
 * it with.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUES, LANGS } from '../../src-shared/locales/index.ts';
import { repoRoot } from '../helpers.ts';

const require = createRequire(import.meta.url);
const builderRequire = createRequire(require.resolve('app-builder-lib/package.json', { paths: [repoRoot] }));
const yaml = builderRequire('js-yaml') as { load(text: string): unknown };
const config = yaml.load(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8')) as { deb?: { recommends?: string[] }; linux?: { target?: string[] } };

describe('the .deb and Korean fonts', () => {
  const recommends = config.deb?.recommends ?? [];
  /** the alternatives of the recommendation that is about fonts, e.g. ["fonts-noto-cjk", "fonts-nanum"] */
  const fontPackages = (recommends.find((r) => r.includes('fonts-')) ?? '').split('|').map((p) => p.trim());

  it('is built, and recommends Noto Sans CJK, else Nanum, beside electron-builder\'s own default', () => {
    expect(config.linux?.target).toContain('deb');
    expect(fontPackages).toEqual(['fonts-noto-cjk', 'fonts-nanum']);
    expect(recommends).toContain('libappindicator3-1');
  });

  it('names the same packages in the notice a system without a Hangul font gets, in every language', () => {
    for (const lang of LANGS) {
      for (const p of fontPackages) expect(CATALOGUES[lang].fonts.missing, lang).toContain(p);
    }
  });
});
