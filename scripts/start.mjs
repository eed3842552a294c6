#!/usr/bin/env node
/**
 * `npm start [-- options]`: builds what is out of date (the CLI and workers, then the app with
 * electron-vite; neither when out/ is newer than its sources), then opens the desktop app if
 * Electron's binary is installed; otherwise says so in one line and starts browser mode
 * (`rnn-lab serve` on the default database), which prints the URL to open. `--serve` asks for
 * browser mode even where Electron is installed; the other options go to the app or to serve.
 *
 * Ctrl-C, SIGTERM or SIGHUP, sent to `npm start`, to this script or to their process group, stops
 * the app or the server (running runs pause with a checkpoint) and then this script. Two traps
 * stand in the way of simply passing the signal on:
 * - npm runs the script under `sh -c` and passes a SIGTERM to that shell only; dash dies of it
 *   without passing it on, leaving this script orphaned and deaf. So the script also stops when
 *   its parent process goes away (its parent pid changes).
 * - Ctrl-C signals the terminal's whole foreground process group. A child in that group would get
 *   SIGINT twice, from the terminal and from here, and the second would kill the server in the
 *   middle of pausing its runs. So the child runs in a process group of its own (where there are
 *   process groups) and gets exactly one signal: the one passed on from here.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_BUILD, isBuildFresh, NODE_BUILD } from './app-build.mjs';
import { buildNode } from './build-node.mjs';
import { electronBinary, electronSqliteBinding } from './electron-binary.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
/** how long the app or server may take to stop after the signal before it is killed */
const STOP_GRACE_MS = 30_000;

/** the child running now (a build, the app, the server) */
let child = null;
/** the signal this script is stopping on */
let stopping = null;

function stop(signal) {
  if (stopping) return; // one signal reaches the child, however many arrive here
  stopping = signal;
  if (!child) process.exit(128 + constants.signals[signal]);
  // serve and Electron stop cleanly on SIGINT and SIGTERM; SIGHUP's default would kill at once
  child.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal);
  const running = child;
  setTimeout(() => {
    console.error(`npm start: still running ${STOP_GRACE_MS / 1000} s after ${signal}; killing it`);
    running.kill('SIGKILL');
  }, STOP_GRACE_MS).unref();
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal));
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop('SIGTERM');
}, 250).unref();

/**
 * Runs a child (`what`: "the server") to its end; resolves with its exit code (128 + n for a
 * signal n), and says so when a signal ended it: it did not stop cleanly.
 */
function run(what, command, args, opts = {}) {
  return new Promise((done, fail) => {
    child = spawn(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], detached: process.platform !== 'win32', ...opts });
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      child = null;
      if (signal) console.error(`npm start: ${what} was ended by ${signal}`);
      done(code ?? 128 + (constants.signals[signal] ?? 0));
    });
  });
}

const args = process.argv.slice(2);
const serveAsked = args.includes('--serve');
const passOn = args.filter((a) => a !== '--serve');

// the Node build first: it also builds the WebAssembly kernels the app bundles import
if (!isBuildFresh(root, NODE_BUILD)) await buildNode();
if (isBuildFresh(root, APP_BUILD)) {
  console.log('The app in out/ is up to date with its sources: not building it again.');
} else {
  const electronVite = join(dirname(require.resolve('electron-vite/package.json', { paths: [root] })), 'bin', 'electron-vite.js');
  const built = await run('the build', process.execPath, [electronVite, 'build']);
  if (built !== 0 || stopping) process.exit(stopping ? 128 + constants.signals[stopping] : built);
}

const electron = serveAsked ? null : electronBinary(root);
let code;
if (electron) {
  code = await run('the app', electron, ['.', ...passOn], { env: { ...process.env, RNN_LAB_SQLITE_BINDING: electronSqliteBinding(root) } });
} else {
  if (!serveAsked) console.log('The Electron binary is not installed on this machine (get it with `npx install-electron`); starting browser mode instead.');
  code = await run('the server', process.execPath, [join(root, 'bin', 'rnn-lab.mjs'), 'serve', ...passOn]);
}
process.exit(code);
