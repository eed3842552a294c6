/**
 * The source tree's imports, read from the text of every .ts and .vue file under src-*: enough
 * for the boundary tests to say which room imports which, and to find cycles. It reads static
 * imports and re-exports, side-effect imports and dynamic `import('...')` (also in type
 * positions). Only `import type` / `export type` count as type-only: under verbatimModuleSyntax an
 * `import { type A }` stays in the output as a module load.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface ImportEdge {
  /** the file that imports, relative to the repository, with forward slashes */
  from: string;
  /** as written */
  specifier: string;
  /** the imported file relative to the repository, for relative specifiers that resolve; else null */
  to: string | null;
  typeOnly: boolean;
  line: number;
}

export interface SourceFile {
  path: string;
  text: string;
  lines: number;
}

const SOURCE = /\.(ts|vue)$/;
const STATIC = /(^|\n)[ \t]*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s*)?['"]([^'"\n]+)['"]/g;
const DYNAMIC = /\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : SOURCE.test(name) && !name.endsWith('.d.ts') && !name.endsWith('.as.ts') ? [p] : [];
  });
}

export function sourceFiles(root: string): SourceFile[] {
  const dirs = readdirSync(root).filter((d) => d.startsWith('src-') && statSync(join(root, d)).isDirectory());
  return dirs.flatMap((d) => walk(join(root, d))).map((p) => {
    const text = readFileSync(p, 'utf8');
    return { path: relative(root, p).split('\\').join('/'), text, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0) };
  });
}

function lineOf(text: string, index: number): number {
  let n = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function resolveSpecifier(root: string, from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const p = resolve(root, dirname(from), specifier);
  return existsSync(p) ? relative(root, p).split('\\').join('/') : null;
}

export function importEdges(root: string, files: readonly SourceFile[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const f of files) {
    // a .vue file's imports are in its <script> blocks; the template has none to confuse
    const code = f.path.endsWith('.vue') ? f.text.replace(/<template>[\s\S]*<\/template>/, (m) => m.replace(/[^\n]/g, ' ')) : f.text;
    for (const m of code.matchAll(STATIC)) {
      const at = m.index + m[1].length;
      edges.push({ from: f.path, specifier: m[4], to: resolveSpecifier(root, f.path, m[4]), typeOnly: m[3] !== undefined, line: lineOf(code, at) });
    }
    for (const m of code.matchAll(DYNAMIC)) {
      edges.push({ from: f.path, specifier: m[1], to: resolveSpecifier(root, f.path, m[1]), typeOnly: false, line: lineOf(code, m.index) });
    }
  }
  return edges;
}

/** Every strongly connected set of two or more files (Tarjan), each as its files in a cycle's order of discovery. */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) if (e.to) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) cycles.push(group.reverse());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return cycles;
}
