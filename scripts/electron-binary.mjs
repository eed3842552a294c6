// Electron beside plain Node: finding its binary, and building better-sqlite3 for its ABI.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The installed Electron executable, or null. Found without require('electron'), which would try to
 * download the binary when it is missing.
 */
export function electronBinary(root) {
  let dir;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('electron/package.json', { paths: [root] }));
  } catch {
    return null;
  }
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const exe = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(exe) ? exe : null;
}

/**
 * better-sqlite3's addon built for this Electron's ABI, next to (not instead of) the Node build:
 * made once per Electron version in out/native/, from a copy of the package, with its prebuilt
 * binary for Electron or else compiled against Electron's headers.
 */
export function electronSqliteBinding(root) {
  const require = createRequire(import.meta.url);
  const version = JSON.parse(readFileSync(require.resolve('electron/package.json', { paths: [root] }), 'utf8')).version;
  const target = join(root, 'out', 'native', `electron-${version}-${process.platform}-${process.arch}`, 'better_sqlite3.node');
  if (existsSync(target)) return target;
  console.log(`Building better-sqlite3 for Electron ${version} (once)...`);
  const pkg = dirname(require.resolve('better-sqlite3/package.json', { paths: [root] }));
  const work = mkdtempSync(join(tmpdir(), 'rnn-lab-sqlite-'));
  try {
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
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return target;
}
