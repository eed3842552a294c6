#!/usr/bin/env node
/**
 * `npm start [-- serve options]`: builds the app (electron-vite build, then the CLI and workers),
 * then opens the desktop app if Electron's binary is installed; otherwise says so in one line and
 * starts browser mode (`rnn-lab serve` on the default database), which prints the URL to open.
 *
 * Electron's binary is looked up without require('electron'): that require would try to download
 * it when it is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNode } from './build-node.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The installed Electron executable, or null. */
function electronBinary() {
  let dir;
  try {
    dir = dirname(require.resolve('electron/package.json', { paths: [root] }));
  } catch {
    return null;
  }
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const exe = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(exe) ? exe : null;
}

/** Runs a child to the end of this process, passing on termination signals; exits with its code. */
function handOver(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const electronVite = join(dirname(require.resolve('electron-vite/package.json', { paths: [root] })), 'bin', 'electron-vite.js');
const built = spawnSync(process.execPath, [electronVite, 'build'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
await buildNode();

const electron = electronBinary();
if (electron) {
  handOver(electron, ['.', ...process.argv.slice(2)]);
} else {
  console.log('The Electron binary is not installed on this machine (get it with `npx install-electron`); starting browser mode instead.');
  handOver(process.execPath, [join(root, 'bin', 'rnn-lab.mjs'), 'serve', ...process.argv.slice(2)]);
}
