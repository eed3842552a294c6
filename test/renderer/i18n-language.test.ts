// @vitest-environment happy-dom
/**
 * Which language the interface speaks: the system's (navigator.languages in the page, the desktop
 * shell's app.getLocale() through appInfo), unless one was chosen with the switch, which is
 * remembered; <html lang> follows; durations follow too.
 */
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import TheNavBar from '../../src-renderer/components/TheNavBar.vue';
import { formatDuration } from '../../src-renderer/composables/format.ts';
import { chooseLang, chosenLang, currentLang, followSystemLocale } from '../../src-renderer/i18n.ts';
import { pickLang } from '../../src-shared/locales/index.ts';

/** the page's preferred languages, as a browser set to them reports */
function prefer(languages: string[]): void {
  vi.spyOn(window.navigator, 'languages', 'get').mockReturnValue(languages);
}

/** a fresh copy of the i18n module, as a page that starts now would load it */
async function startPage(): Promise<typeof import('../../src-renderer/i18n.ts')> {
  vi.resetModules();
  return import('../../src-renderer/i18n.ts');
}

beforeEach(() => {
  setActivePinia(createPinia());
  window.localStorage.clear();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('pickLang', () => {
  it('takes the first preferred language the app speaks, by its base language, else English', () => {
    expect(pickLang(['ko-KR', 'en-US'])).toBe('ko');
    expect(pickLang(['fr-FR', 'ko'])).toBe('ko');
    expect(pickLang(['en-GB', 'ko-KR'])).toBe('en');
    expect(pickLang(['KO_kr'])).toBe('ko');
    expect(pickLang(['fr', 'de'])).toBe('en');
    expect(pickLang([])).toBe('en');
  });
});

describe('the language at start', () => {
  it("follows the page's languages and sets <html lang>", async () => {
    prefer(['ko-KR', 'en-US']);
    const page = await startPage();
    expect(page.currentLang()).toBe('ko');
    await nextTick();
    expect(document.documentElement.lang).toBe('ko');
    expect(page.tr('nav.corpora')).toBe('말뭉치');
  });

  it('keeps the language chosen before over the system one', async () => {
    prefer(['ko-KR']);
    window.localStorage.setItem('rnn-lab.language', 'en');
    const page = await startPage();
    expect(page.currentLang()).toBe('en');
    expect(page.tr('nav.corpora')).toBe('Corpora');
  });

  it('ignores a remembered language it does not speak', async () => {
    prefer(['ko']);
    window.localStorage.setItem('rnn-lab.language', 'xx');
    const page = await startPage();
    expect(page.chosenLang()).toBeNull();
    expect(page.currentLang()).toBe('ko');
  });
});

describe("the desktop shell's locale", () => {
  it('is followed when nothing was chosen', () => {
    prefer(['en-US']);
    followSystemLocale('ko-KR');
    expect(currentLang()).toBe('ko');
    expect(chosenLang()).toBeNull();
  });

  it('does not override a choice, and an unknown or missing locale changes nothing', () => {
    chooseLang('en');
    followSystemLocale('ko');
    expect(currentLang()).toBe('en');
    window.localStorage.clear();
    followSystemLocale(null);
    expect(currentLang()).toBe('en');
  });
});

describe('the switch in the nav bar', () => {
  it('changes the labels, <html lang> and durations at once, and is remembered', async () => {
    const wrapper = mount(TheNavBar);
    expect(wrapper.get('#tab-corpora').text()).toBe('Corpora');
    const options = wrapper.findAll('[data-testid="language"] option').map((o) => o.text());
    expect(options).toEqual(['English', '한국어']);
    expect(formatDuration(187)).toBe('3m 07s');

    await wrapper.get('[data-testid="language"]').setValue('ko');
    expect(wrapper.get('#tab-corpora').text()).toBe('말뭉치');
    expect(wrapper.get('#tab-inside').text()).toBe('셀 내부');
    expect(wrapper.get('[role="tablist"]').attributes('aria-label')).toBe('화면');
    expect(document.documentElement.lang).toBe('ko');
    expect(formatDuration(187)).toBe('3분 07초');
    expect(chosenLang()).toBe('ko');

    const later = await startPage();
    expect(later.currentLang()).toBe('ko');
    wrapper.unmount();
  });
});
