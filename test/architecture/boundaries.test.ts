/**
 * Where code may run is said by the folder it is in (as in VS Code's common / node / electron-main
 * / browser layering), and these tests keep it so:
 *
 *   src-shared/         pure code for every side: imports nothing outside itself, no package
 *   src-worker/engine/  the engine: imports only itself and src-shared, no package, no Node
 *   src-worker/         worker entries and task protocols: never src-main or src-renderer
 *   src-main/           main process and plain Node: never src-renderer
 *   src-main/electron/  the only files that import 'electron'
 *   src-renderer/       the UI: no Node, no Electron; from src-main only `import type` of the contract
 *
 * and no import cycle anywhere in src-*, type imports included.
 */
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers.ts';
import { importCycles, importEdges, sourceFiles, type ImportEdge } from './import-graph.ts';

const files = sourceFiles(repoRoot);
const edges = importEdges(repoRoot, files);

const NODE_BUILTINS = new Set(['fs', 'path', 'os', 'child_process', 'crypto', 'url', 'util', 'worker_threads', 'http', 'net', 'stream', 'events', 'module']);
const isNode = (spec: string) => spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0]);
const isPackage = (spec: string) => !spec.startsWith('.') && !spec.startsWith('node:');
const where = (e: ImportEdge) => `${e.from}:${e.line} imports ${e.specifier}`;
const inRoom = (path: string | null, room: string) => path !== null && path.startsWith(room);

function violations(room: string, broken: (e: ImportEdge) => boolean): string[] {
  return edges.filter((e) => e.from.startsWith(room) && broken(e)).map(where);
}

describe('import boundaries', () => {
  it('reads the whole tree (a sanity check of the parser)', () => {
    expect(files.length).toBeGreaterThan(150);
    expect(edges.some((e) => e.from === 'src-renderer/api/client.ts' && e.to === 'src-shared/methods.ts' && !e.typeOnly)).toBe(true);
    expect(edges.some((e) => e.from === 'src-main/api/contract.ts' && e.to === 'src-main/api/types.ts' && e.typeOnly)).toBe(true);
    // every relative import resolves to a file, so no edge is silently missed
    expect(edges.filter((e) => e.specifier.startsWith('.') && e.to === null).map(where)).toEqual([]);
  });

  it('the shared layer imports nothing outside itself', () => {
    expect(violations('src-shared/', (e) => !inRoom(e.to, 'src-shared/'))).toEqual([]);
  });

  it('the engine imports nothing outside itself but the shared layer: no Node, Electron, DOM or package', () => {
    expect(violations('src-worker/engine/', (e) => !inRoom(e.to, 'src-worker/engine/') && !inRoom(e.to, 'src-shared/'))).toEqual([]);
  });

  it('the workers never import the main process or the renderer', () => {
    expect(violations('src-worker/', (e) => inRoom(e.to, 'src-main/') || inRoom(e.to, 'src-renderer/') || e.specifier === 'electron')).toEqual([]);
  });

  it('only src-main/electron/ imports electron', () => {
    const outside = edges.filter((e) => e.specifier === 'electron' || e.specifier.startsWith('electron/'));
    expect(outside.filter((e) => !e.from.startsWith('src-main/electron/')).map(where)).toEqual([]);
  });

  it('src-main never imports the renderer', () => {
    expect(violations('src-main/', (e) => inRoom(e.to, 'src-renderer/'))).toEqual([]);
  });

  it('the renderer imports no Node and nothing from src-main or src-worker but the contract, as types', () => {
    expect(violations('src-renderer/', (e) => isNode(e.specifier) || ['better-sqlite3', 'piscina', 'electron'].includes(e.specifier))).toEqual([]);
    expect(violations('src-renderer/', (e) => (inRoom(e.to, 'src-main/') && !(e.typeOnly && e.to === 'src-main/api/contract.ts')) || inRoom(e.to, 'src-worker/'))).toEqual([]);
  });

  it('the packages each room may use', () => {
    const allowed: Record<string, readonly string[]> = {
      'src-renderer/': ['vue', 'pinia', 'chart.js', 'vue-i18n'],
      'src-worker/': ['piscina'],
    };
    for (const [room, packages] of Object.entries(allowed)) {
      expect(violations(room, (e) => isPackage(e.specifier) && !isNode(e.specifier) && !packages.some((p) => e.specifier === p || e.specifier.startsWith(`${p}/`)))).toEqual([]);
    }
  });

  it('has no import cycle in src-*, type imports included', () => {
    expect(importCycles(edges).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('finds a cycle and a forbidden edge when there is one', () => {
    const fake = (from: string, to: string): ImportEdge => ({ from, to, specifier: to, typeOnly: false, line: 1 });
    expect(importCycles([fake('a.ts', 'b.ts'), fake('b.ts', 'c.ts'), fake('c.ts', 'a.ts'), fake('c.ts', 'd.ts')])).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    expect(importCycles([fake('a.ts', 'b.ts'), fake('b.ts', 'c.ts')])).toEqual([]);
  });
});

describe('file sizes', () => {
  /** about 400 lines at most; a longer file says at its top why one concept needs it */
  const LIMIT = 420;
  const REASON = /Longer than 400 lines because/;

  it(`no source file is longer than about 400 lines unless it says why at its top`, () => {
    const long = files.filter((f) => f.lines > LIMIT && !REASON.test(f.text.slice(0, 2000)));
    expect(long.map((f) => `${f.path}: ${f.lines} lines`)).toEqual([]);
  });
});
