import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // component tests import .vue files
  plugins: [vue()],
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['./test/global-setup.ts'],
    // components translate with useI18n: every mount gets the app's i18n (in a DOM environment)
    setupFiles: ['./test/renderer/i18n-setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 60_000,
  },
});
