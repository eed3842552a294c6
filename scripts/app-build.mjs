// Whether the builds in out/ are up to date with their sources, so that `npm start` and the
// end-to-end tests build only what changed. By modification time: a source (or the installed
// packages, through node_modules/.package-lock.json) newer than any output means build again.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** electron-vite build: the renderer (which bundles the icon in resources/), main and preload. */
export const APP_BUILD = {
  outputs: ['out/renderer/index.html', 'out/main/index.js', 'out/preload/preload.cjs'],
  sources: ['src-renderer', 'src-main', 'src-worker', 'src-shared', 'resources', 'electron.vite.config.ts', 'package.json', 'node_modules/.package-lock.json'],
};

/** scripts/build-node.mjs: the CLI and the worker entries (and the WebAssembly kernels they import). */
export const NODE_BUILD = {
  outputs: ['out/node/cli.mjs', 'out/node/train.worker.mjs', 'out/node/model.worker.mjs', 'out/node/shard.worker.mjs'],
  sources: ['src-main', 'src-worker', 'src-shared', 'scripts/build-node.mjs', 'scripts/build-wasm.mjs', 'package.json', 'node_modules/.package-lock.json'],
};

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file leaves only its folder's time
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry.name)));
  }
  return newest;
}

/** Whether every output of the build exists and is newer than every one of its sources. */
export function isBuildFresh(root, build) {
  const outputs = build.outputs.map((p) => resolve(root, p));
  if (!outputs.every((p) => existsSync(p))) return false;
  const sources = Math.max(...build.sources.map((p) => resolve(root, p)).filter((p) => existsSync(p)).map(newestMtime));
  return outputs.every((p) => statSync(p).mtimeMs >= sources);
}
