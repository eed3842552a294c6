/**
 * The installed app's layout, without the network: electron-builder packs the built app with
 * electron-builder.yml into a temporary folder (`--linux dir`, the unpacked form every installer is
 * made from), with a stand-in Electron (electronDist: a folder holding a dummy `electron`
 * executable) and a stand-in for the Electron-ABI better-sqlite3 addon that `npm run dist` builds.
 * Then it checks that app.asar holds the app, that everything a worker thread loads by path is
 * unpacked beside it (and loads as ES modules), and that the addon sits where main.ts looks for it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAppBuilt, repoRoot } from '../e2e/support.ts';

const require = createRequire(import.meta.url);
const ADDON_STAND_IN = 'stand-in for better-sqlite3 built for Electron\n';

function electronBuilderCli(): string | null {
  try {
    return join(dirname(require.resolve('electron-builder/package.json', { paths: [repoRoot] })), 'cli.js');
  } catch {
    return null;
  }
}

interface AsarEntry {
  files?: Record<string, AsarEntry>;
  size?: number;
  offset?: string;
  unpacked?: boolean;
}

/** An asar archive read by hand: a pickled JSON header of nested `files`, then the file bodies. */
class Asar {
  private readonly buf: Buffer;
  private readonly header: AsarEntry;
  private readonly bodyStart: number;

  constructor(path: string) {
    this.buf = readFileSync(path);
    // [u32 4][u32 header pickle size] then the pickle: [u32 payload size][u32 json length][json]
    const pickleSize = this.buf.readUInt32LE(4);
    const jsonLength = this.buf.readUInt32LE(12);
    this.header = JSON.parse(this.buf.toString('utf8', 16, 16 + jsonLength)) as AsarEntry;
    this.bodyStart = 8 + pickleSize;
  }

  /** every file's path, with forward slashes */
  files(): string[] {
    const out: string[] = [];
    const walk = (entry: AsarEntry, prefix: string): void => {
      for (const [name, child] of Object.entries(entry.files ?? {})) {
        const p = prefix ? `${prefix}/${name}` : name;
        if (child.files) walk(child, p);
        else out.push(p);
      }
    };
    walk(this.header, '');
    return out;
  }

  entry(path: string): AsarEntry | undefined {
    let e: AsarEntry | undefined = this.header;
    for (const part of path.split('/')) e = e?.files?.[part];
    return e;
  }

  read(path: string): string {
    const e = this.entry(path);
    if (!e || e.unpacked || e.offset === undefined || e.size === undefined) throw new Error(`${path} is not packed in the archive`);
    const start = this.bodyStart + Number(e.offset);
    return this.buf.toString('utf8', start, start + e.size);
  }
}

/** The worker entries and every file they import, transitively, relative to out/main. */
function workerClosure(): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(repoRoot, 'out/main', file), 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g)) {
      visit(posix.normalize(posix.join(posix.dirname(file), m[1])));
    }
  };
  visit('train.worker.js');
  visit('model.worker.js');
  visit('shard.worker.js');
  return [...seen].sort();
}

const cli = electronBuilderCli();

describe.skipIf(!cli)('the packaged app (electron-builder --dir, offline)', () => {
  let tmp: string;
  let resources: string;
  let asar: Asar;
  let packMs = 0;

  beforeAll(() => {
    ensureAppBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'rnn-lab-packaging-'));
    const electronDist = join(tmp, 'electron');
    mkdirSync(electronDist);
    writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\necho "stand-in for Electron"\n');
    chmodSync(join(electronDist, 'electron'), 0o755);
    const addonDir = join(tmp, 'native');
    mkdirSync(addonDir);
    writeFileSync(join(addonDir, 'better_sqlite3.node'), ADDON_STAND_IN);

    const started = Date.now();
    const r = spawnSync(process.execPath, [
      cli!, '--linux', 'dir', '--publish', 'never',
      `-c.electronDist=${electronDist}`,
      `-c.directories.output=${join(tmp, 'dist')}`,
    ], {
      cwd: repoRoot,
      encoding: 'utf8',
      // electron-builder resolves extraResources' `from` against the project, macro and all
      env: { ...process.env, RNN_LAB_ELECTRON_SQLITE_DIR: relative(repoRoot, addonDir), CI: '1' },
      timeout: 50_000,
    });
    packMs = Date.now() - started;
    if (r.status !== 0) throw new Error(`electron-builder failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
    resources = join(tmp, 'dist', 'linux-unpacked', 'resources');
    asar = new Asar(join(resources, 'app.asar'));
  }, 58_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('packs in well under a minute, with the executable named for the app', () => {
    console.log(`electron-builder --dir took ${(packMs / 1000).toFixed(1)} s`);
    expect(packMs).toBeLessThan(45_000);
    expect(existsSync(join(tmp, 'dist', 'linux-unpacked', 'rnn-lab'))).toBe(true);
  });

  it('puts the built app in resources/app.asar', () => {
    const files = new Set(asar.files());
    for (const f of ['package.json', 'out/main/index.js', 'out/renderer/index.html', 'out/preload/preload.cjs']) {
      expect(files.has(f), f).toBe(true);
    }
    const pkg = JSON.parse(asar.read('package.json')) as { main: string; type: string };
    expect(pkg).toMatchObject({ main: 'out/main/index.js', type: 'module' });
    expect(asar.read('out/renderer/index.html')).toContain('Content-Security-Policy');
    // the packed main process is the one electron-vite just built
    expect(asar.read('out/main/index.js')).toBe(readFileSync(join(repoRoot, 'out/main/index.js'), 'utf8'));
    // the rnn-lab command's bundle and npm start's Electron builds are not part of the app
    expect([...files].filter((f) => f.startsWith('out/node/') || f.startsWith('out/native/'))).toEqual([]);
  });

  it('unpacks the Piscina workers and every chunk they import, and Piscina\'s own worker', () => {
    const closure = workerClosure();
    expect(closure).toEqual(expect.arrayContaining(['train.worker.js', 'model.worker.js', 'shard.worker.js']));
    expect(closure.some((f) => f.startsWith('chunks/'))).toBe(true);
    for (const f of closure) {
      const p = `out/main/${f}`;
      expect(asar.entry(p)?.unpacked, `${p} marked unpacked in app.asar`).toBe(true);
      expect(readFileSync(join(resources, 'app.asar.unpacked', p), 'utf8')).toBe(readFileSync(join(repoRoot, p), 'utf8'));
    }
    expect(asar.entry('node_modules/piscina/dist/worker.js')?.unpacked).toBe(true);
    expect(existsSync(join(resources, 'app.asar.unpacked/node_modules/piscina/dist/worker.js'))).toBe(true);
  });

  it('makes the unpacked workers load as ES modules straight from disk', () => {
    expect(JSON.parse(readFileSync(join(resources, 'app.asar.unpacked/out/package.json'), 'utf8'))).toMatchObject({ type: 'module' });
    const main = join(resources, 'app.asar.unpacked/out/main');
    const script = `
      const train = await import(${JSON.stringify(pathToFileURL(join(main, 'train.worker.js')).href)});
      const model = await import(${JSON.stringify(pathToFileURL(join(main, 'model.worker.js')).href)});
      console.log(JSON.stringify({ train: Object.keys(train).sort(), model: Object.keys(model).sort() }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ train: ['default'], model: ['baselines', 'diagnose', 'evaluate', 'generate'] });
  });

  it('ships better-sqlite3 for Electron in resources/native, and not the Node build', () => {
    expect(readFileSync(join(resources, 'native', 'better_sqlite3.node'), 'utf8')).toBe(ADDON_STAND_IN);
    expect(asar.files().filter((f) => f.endsWith('better_sqlite3.node'))).toEqual([]);
    // its JavaScript is packed; main.ts hands it the addon's path
    expect(asar.entry('node_modules/better-sqlite3/lib/index.js')).toBeDefined();
  });
});

describe('the icons in resources/', () => {
  const pngSize = (buf: Buffer): number[] => [buf.readUInt32BE(16), buf.readUInt32BE(20)];

  it('come in the forms electron-builder takes as they are (no conversion, so no download)', () => {
    // Linux: a folder of NxN.png; Windows: an .ico with a 256 entry; macOS: an .icns with 512 and 1024
    for (const n of [16, 32, 48, 64, 128, 256, 512]) {
      expect(pngSize(readFileSync(join(repoRoot, `resources/icons/${n}x${n}.png`)))).toEqual([n, n]);
    }
    expect(pngSize(readFileSync(join(repoRoot, 'resources/icon.png')))).toEqual([512, 512]);
    const ico = readFileSync(join(repoRoot, 'resources/icon.ico'));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const icoWidths = Array.from({ length: ico.readUInt16LE(4) }, (_, i) => ico[6 + 16 * i] || 256);
    expect(icoWidths).toContain(256);
    const icns = readFileSync(join(repoRoot, 'resources/icon.icns'));
    expect(icns.toString('latin1', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types: string[] = [];
    for (let o = 8; o < icns.length; o += icns.readUInt32BE(o + 4)) types.push(icns.toString('latin1', o, o + 4));
    expect(types).toEqual(expect.arrayContaining(['ic08', 'ic09', 'ic10']));
  });
});

if (!cli) console.log('test/packaging/layout.test.ts skipped: electron-builder is not installed (npm install)');
