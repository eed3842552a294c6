/**
 * The renderer never imports Node or Electron, and takes from src-main/src-worker only types, the
 * method list (contract.ts) and the wire format (wire.ts), which have no Node imports.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../src-renderer/', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|vue)$/.test(name) ? [p] : [];
  });
}

const RUNTIME_IMPORT = /^\s*import\s+(?!type\b)([^'"]*?)\s*from\s*['"]([^'"]+)['"]/gm;
const ALLOWED_FROM_MAIN = ['src-main/api/contract.ts', 'src-main/api/wire.ts'];

describe('renderer boundaries', () => {
  it('imports no Node or Electron, and only types from the main side except the contract and wire format', () => {
    const problems: string[] = [];
    for (const f of files(root)) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(RUNTIME_IMPORT)) {
        const [, what, spec] = m;
        const where = relative(root, f);
        if (spec.startsWith('node:') || ['electron', 'fs', 'path', 'os', 'child_process', 'better-sqlite3', 'piscina'].includes(spec)) problems.push(`${where}: ${spec}`);
        if (/src-(main|worker)\//.test(spec) && !ALLOWED_FROM_MAIN.some((a) => spec.endsWith(a))) problems.push(`${where}: runtime import of ${spec}`);
        if (spec.endsWith('src-main/api/contract.ts') && !/^\{\s*METHOD_NAMES\s*\}$/.test(what.replace(/\btype\s+\w+,?/g, '').replace(/,\s*\}/, ' }').trim())) {
          problems.push(`${where}: contract.ts may give only METHOD_NAMES at run time (${what})`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
