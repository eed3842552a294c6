/**
 * `npm run build` (electron-vite build) -> out/main (the app's main process, with the two Piscina
 * workers and the shard thread of multi-threaded runs as extra entries: they are loaded by path at
 * run time), out/preload (CommonJS, as a
 * sandboxed preload must be) and out/renderer (the Vue app, also served by `rnn-lab serve`).
 * Packages stay external in main (better-sqlite3 is native; piscina loads its worker by path).
 */
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';
import { CONTENT_SECURITY_POLICY_META } from './src-main/api/csp.ts';

const root = import.meta.dirname;

/**
 * The production page carries the policy itself (it is what applies to file:// in the app): the
 * one from src-main/api/csp.ts, replacing any policy written in index.html.
 */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'rnn-lab-csp',
    apply: 'build',
    transformIndexHtml: (html) => ({
      html: html.replace(/[ \t]*<meta\s+http-equiv=["']Content-Security-Policy["'][^>]*>\s*\n?/gi, ''),
      tags: [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY_META }, injectTo: 'head-prepend' }],
    }),
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rolldownOptions: {
        input: {
          index: resolve(root, 'src-main/electron/main.ts'),
          'train.worker': resolve(root, 'src-worker/train.worker.ts'),
          'model.worker': resolve(root, 'src-worker/model.worker.ts'),
          'shard.worker': resolve(root, 'src-worker/shard.worker.ts'),
        },
        output: { entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      rolldownOptions: {
        input: { preload: resolve(root, 'src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [vue(), contentSecurityPolicy()],
    // vue-i18n's esm-bundler build asks for its feature flags: the Composition API only, no devtools
    define: { __VUE_I18N_FULL_INSTALL__: 'true', __VUE_I18N_LEGACY_API__: 'false', __INTLIFY_PROD_DEVTOOLS__: 'false' },
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      rolldownOptions: { input: resolve(root, 'src-renderer/index.html') },
    },
  },
});
