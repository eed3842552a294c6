#!/usr/bin/env node
/**
 * `npm run dist [-- electron-builder options]`: the installers for this machine's platform and
 * architecture (Linux: AppImage and deb, Windows: NSIS, macOS: dmg), in dist/.
 *
 * 1. electron-vite build (out/main, out/preload, out/renderer);
 * 2. better-sqlite3 for Electron's ABI, made in a copy of the package and kept in out/native/
 *    (node_modules/better-sqlite3 stays the Node build that the rnn-lab command and the tests load);
 * 3. electron-builder with electron-builder.yml, told where that build is
 *    (RNN_LAB_ELECTRON_SQLITE_DIR), which puts it in the installer's resources/native/.
 *
 * electron-builder itself is never allowed to rebuild native modules (npmRebuild: false): it would
 * do it in place, in this repository's node_modules. Cross-building is refused for the same reason
 * the addon is per platform: the one in out/native/ is for this machine.
 *
 * Needs the network: Electron's release zip and electron-builder's packaging tools (both from
 * GitHub, cached after the first run), and better-sqlite3's prebuilt addon for Electron (GitHub) or
 * else Electron's headers (electronjs.org) and a C++ toolchain.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { electronSqliteBinding } from './electron-binary.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const PLATFORM_FLAGS = { linux: ['--linux', '-l'], darwin: ['--mac', '-m', '--macos'], win32: ['--win', '-w', '--windows'] };
const ARCH_FLAGS = ['--x64', '--ia32', '--armv7l', '--arm64', '--universal'];
const LINUX_TARGETS = ['AppImage', 'deb', 'rpm', 'snap', 'flatpak', 'pacman', 'apk', 'freebsd', 'p5p', 'zip', '7z', 'dir', 'tar.gz', 'tar.xz', 'tar.bz2', 'tar.lz'];

/** Why these electron-builder arguments cannot be honoured here, or null. */
export function crossBuildRefusal(args) {
  const foreign = Object.entries(PLATFORM_FLAGS).filter(([p]) => p !== process.platform).flatMap(([, flags]) => flags);
  const platform = args.find((a) => foreign.includes(a));
  if (platform) return `${platform}: installers are built on the platform they are for (better-sqlite3 is a native addon); run npm run dist there`;
  const arch = args.find((a) => ARCH_FLAGS.includes(a) && a !== `--${process.arch}`);
  if (arch) return `${arch}: installers are built for this machine's architecture (${process.arch}) only`;
  return null;
}

/** What the deb target needs from package.json (Debian's Homepage and Maintainer fields), or null. */
export function debMetadataProblem(pkg) {
  const missing = [];
  if (!pkg.homepage && !pkg.repository) missing.push('"homepage"');
  if (!(typeof pkg.author === 'object' && pkg.author?.email) && !(typeof pkg.author === 'string' && /<[^>]+@[^>]+>/.test(pkg.author))) missing.push('"author" with an email');
  return missing.length ? `the deb package needs ${missing.join(' and ')} in package.json; add them, or build the AppImage alone with: npm run dist -- --linux AppImage` : null;
}

function run(command, args, env = process.env) {
  const r = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function main(args) {
  const refusal = crossBuildRefusal(args);
  if (refusal) {
    console.error(`npm run dist: ${refusal}`);
    process.exit(2);
  }
  const linuxTargets = args.filter((a) => LINUX_TARGETS.includes(a));
  const wantsDeb = !args.includes('--dir') && (linuxTargets.length === 0 || linuxTargets.includes('deb'));
  if (process.platform === 'linux' && wantsDeb) {
    const problem = debMetadataProblem(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')));
    if (problem) {
      console.error(`npm run dist: ${problem}`);
      process.exit(2);
    }
  }

  const electronVite = join(dirname(require.resolve('electron-vite/package.json', { paths: [root] })), 'bin', 'electron-vite.js');
  run(process.execPath, [electronVite, 'build']);
  let binding;
  try {
    binding = electronSqliteBinding(root);
  } catch (e) {
    console.error(`npm run dist: ${e.message}`);
    process.exit(1);
  }

  const builder = join(dirname(require.resolve('electron-builder/package.json', { paths: [root] })), 'cli.js');
  const hasPlatform = args.some((a) => Object.values(PLATFORM_FLAGS).flat().includes(a));
  const platformArgs = hasPlatform ? [] : [PLATFORM_FLAGS[process.platform][0]];
  // electron-builder reads extraResources' `from` relative to the project, macros included
  const env = { ...process.env, RNN_LAB_ELECTRON_SQLITE_DIR: relative(root, dirname(binding)) };
  run(process.execPath, [builder, ...platformArgs, ...args], env);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main(process.argv.slice(2));
