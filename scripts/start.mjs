#!/usr/bin/env node
/**
 * `npm start [-- serve options]`: builds the app (electron-vite build, then the CLI and workers),
 * then opens the desktop app if Electron's binary is installed; otherwise says so in one line and
 * starts browser mode (`rnn-lab serve` on the default database), which prints the URL to open.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNode } from './build-node.mjs';
import { electronBinary } from './electron-binary.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/**
 * better-sqlite3's addon built for this Electron's ABI, next to (not instead of) the Node build that
 * the CLI and tests load: made once per Electron version in out/native/, from a copy of the package,
 * with its prebuilt binary for Electron or else compiled against Electron's headers.
 */
function electronSqliteBinding() {
  const version = JSON.parse(readFileSync(require.resolve('electron/package.json', { paths: [root] }), 'utf8')).version;
  const target = join(root, 'out', 'native', `electron-${version}-${process.platform}-${process.arch}`, 'better_sqlite3.node');
  if (existsSync(target)) return target;
  console.log(`Building better-sqlite3 for Electron ${version} (once)...`);
  const pkg = dirname(require.resolve('better-sqlite3/package.json', { paths: [root] }));
  const work = mkdtempSync(join(tmpdir(), 'rnn-lab-sqlite-'));
  cpSync(pkg, work, { recursive: true, filter: (src) => !src.startsWith(join(pkg, 'build')) });
  // npm's user config may set nodedir (here: /usr), which silently builds for Node instead of Electron
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_nodedir$/i.test(k)));
  const prebuilt = spawnSync(process.execPath, [require.resolve('prebuild-install/bin.js', { paths: [pkg] }), '--runtime', 'electron', '--target', version, '--arch', process.arch], { cwd: work, env, stdio: 'inherit' });
  if (prebuilt.status !== 0) {
    // npm names its own node-gyp to the scripts it runs
    const nodeGyp = process.env.npm_config_node_gyp ?? require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
    const compiled = spawnSync(process.execPath, [nodeGyp, 'rebuild', '--release', '--runtime=electron', `--target=${version}`, `--arch=${process.arch}`, '--dist-url=https://electronjs.org/headers'], { cwd: work, env, stdio: 'inherit' });
    if (compiled.status !== 0) throw new Error('could not build better-sqlite3 for Electron; see the output above');
  }
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(work, 'build', 'Release', 'better_sqlite3.node'), target);
  rmSync(work, { recursive: true, force: true });
  return target;
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

const electron = electronBinary(root);
if (electron) {
  process.env.RNN_LAB_SQLITE_BINDING = electronSqliteBinding();
  handOver(electron, ['.', ...process.argv.slice(2)]);
} else {
  console.log('The Electron binary is not installed on this machine (get it with `npx install-electron`); starting browser mode instead.');
  handOver(process.execPath, [join(root, 'bin', 'rnn-lab.mjs'), 'serve', ...process.argv.slice(2)]);
}
