// appInfo passes on the system's locale that the desktop shell gives its handlers (app.getLocale()), and says none in browser mode.
import { afterAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/api/methods.ts';
import { temporaryLab } from '../e2e/support.ts';

const { lab, dispose } = temporaryLab('app-info-locale', 1);
afterAll(dispose);

describe('appInfo.locale', () => {
  it("is the shell's locale when it has one, and absent otherwise", async () => {
    const desktop = await dispatch(lab, 'appInfo', {}, { emit: () => {}, shell: 'electron', locale: 'ko-KR' });
    expect(desktop).toMatchObject({ ok: true, value: { shell: 'electron', locale: 'ko-KR' } });
    const browser = await dispatch(lab, 'appInfo', {}, { emit: () => {} });
    expect(browser.ok).toBe(true);
    expect(browser.ok && Object.keys(browser.value as object)).not.toContain('locale');
  });
});
