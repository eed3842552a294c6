#!/usr/bin/env node
/**
 * `npm start [-- serve options]`: builds the app (electron-vite build, then the CLI and workers),
 * then opens the desktop app if Electron's binary is installed; otherwise says so in one line and
 * starts browser mode (`rnn-lab serve` on the default database), which prints the URL to open.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNode } from './build-node.mjs';
import { electronBinary, electronSqliteBinding } from './electron-binary.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** Runs a child to the end of this process, passing on termination signals; exits with its code. */
function handOver(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

await buildNode(); // first: it also builds the WebAssembly kernels the app bundles import
const electronVite = join(dirname(require.resolve('electron-vite/package.json', { paths: [root] })), 'bin', 'electron-vite.js');
const built = spawnSync(process.execPath, [electronVite, 'build'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const electron = electronBinary(root);
if (electron) {
  process.env.RNN_LAB_SQLITE_BINDING = electronSqliteBinding(root);
  handOver(electron, ['.', ...process.argv.slice(2)]);
} else {
  console.log('The Electron binary is not installed on this machine (get it with `npx install-electron`); starting browser mode instead.');
  handOver(process.execPath, [join(root, 'bin', 'rnn-lab.mjs'), 'serve', ...process.argv.slice(2)]);
}
