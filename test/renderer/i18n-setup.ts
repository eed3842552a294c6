/**
 * Every component test mounts with the app's i18n, as main.ts installs it, in English unless a test
 * chooses otherwise. Only where there is a DOM: the renderer's i18n reads localStorage and sets
 * <html lang>.
 */
import { afterEach } from 'vitest';

if (typeof window !== 'undefined') {
  const { config } = await import('@vue/test-utils');
  const { i18n } = await import('../../src-renderer/i18n.ts');
  config.global.plugins.push(i18n);
  afterEach(() => {
    window.localStorage.removeItem('rnn-lab.language');
    i18n.global.locale.value = 'en';
  });
}
