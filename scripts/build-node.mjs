#!/usr/bin/env node
/**
 * Bundles the parts that run in plain Node 20 into out/node/: the worker entries (the two Piscina
 * tasks and a multi-threaded run's shard threads: one file per worker, loaded by path at run time,
 * so they cannot live inside another bundle) and the CLI.
 * Packages in node_modules stay external (better-sqlite3 is native; piscina loads its own worker
 * file by path). Prints nothing on success.
 */
import { build } from 'esbuild';
import { ensureWasmBuilt } from './build-wasm.mjs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// esbuild turns a bundled require() of CommonJS code into a shim that needs a real `require` in
// scope; an ES module has none, so make one.
const banner = [
  "import { createRequire as __rnnLabCreateRequire } from 'node:module';",
  'const require = __rnnLabCreateRequire(import.meta.url);',
].join('\n');

export async function buildNode() {
  await ensureWasmBuilt(); // the engine imports the generated kernels module
  await build({
    absWorkingDir: root,
    entryPoints: {
      'train.worker': 'src-worker/train.worker.ts',
      'model.worker': 'src-worker/model.worker.ts',
      'shard.worker': 'src-worker/shard.worker.ts',
      cli: 'src-main/cli/main.ts',
    },
    outdir: 'out/node',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    packages: 'external',
    banner: { js: banner },
    logLevel: 'warning',
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // esbuild has already printed the errors
  buildNode().catch(() => {
    process.exitCode = 1;
  });
}
