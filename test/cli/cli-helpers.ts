/**
 * What the end-to-end tests of the rnn-lab command share: the built CLI (bin/rnn-lab.mjs ->
 * out/node/cli.mjs) and the built train/model workers, run as child processes against a real
 * SQLite file. Every test has its own temporary directory and --db (removeSandboxes in afterAll
 * deletes them). Configs are tiny so each file runs in seconds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { repoRoot } from '../helpers.ts';

const BIN = resolve(repoRoot, 'bin/rnn-lab.mjs');

// ---- texts, made here from a fixed seed ----

/** xorshift32: the same texts on every machine */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

function wordsText(words: readonly string[], lines: number, perLine: number, seed: number, end = ''): string {
  const r = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(Array.from({ length: perLine }, () => words[Math.floor(r() * words.length)]).join(' ') + end);
  return out.join('\n') + '\n';
}

const EN_WORDS = 'the quick brown fox jumps over a lazy dog while seven wizards hex many jolly boxers'.split(' ');
/** about 2 KB of English-looking text */
export const EN = wordsText(EN_WORDS, 40, 10, 7);
/** other text with the same characters, for eval */
export const EN_EVAL = wordsText(EN_WORDS, 10, 10, 99);
export const KO = wordsText(['안녕하세요', '오늘은', '날씨가', '좋습니다', '우리는', '한국어를', '공부합니다', '학교에', '갑니다', '고맙습니다', '그리고'], 40, 6, 3, '.');
/** emoji outside the BMP (two UTF-16 units each, one character) among a few letters */
export const EMOJI_TOKENS = ['😀', '🐱', '🚀', '🌍', '🎉', '🍕', 'a', 'b', ' '];
export const EMOJI = (() => {
  const r = rng(5);
  let s = '';
  for (let line = 0; line < 40; line++) {
    for (let k = 0; k < 20; k++) s += EMOJI_TOKENS[Math.floor(r() * EMOJI_TOKENS.length)];
    s += '\n';
  }
  return s;
})();

/** characters as the lab counts them: code points */
export const chars = (s: string): string[] => [...s];

// ---- running the command ----

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Started {
  child: ChildProcess;
  done: Promise<Result>;
  readonly stdout: string;
  readonly stderr: string;
}

const env = { ...process.env };
delete env.RNN_LAB_DB;

export function start(args: string[], cwd: string): Started {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Result>((res, rej) => {
    child.on('error', rej);
    child.on('close', (code, signal) => res({ code, signal, stdout, stderr }));
  });
  return { child, done, get stdout() { return stdout; }, get stderr() { return stderr; } };
}

const dirs: string[] = [];

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON from the command */
export type Json = any;

/** A temporary directory with its own database, and the command run against it. */
export function sandbox(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `rnn-lab-cli-${name}-`));
  dirs.push(dir);
  const db = join(dir, 'lab.db');
  const withDb = (args: (string | number)[]): string[] => [...args.map(String), '--db', db];
  const cli = (...args: (string | number)[]): Promise<Result> => start(withDb(args), dir).done;
  const ok = async (...args: (string | number)[]): Promise<Result> => {
    const r = await cli(...args);
    expect(r.code, `rnn-lab ${args.join(' ')} exited ${r.code}:\n${r.stderr}`).toBe(0);
    return r;
  };
  return {
    dir,
    db,
    file(fileName: string, content: string | Uint8Array): string {
      const p = join(dir, fileName);
      writeFileSync(p, content);
      return p;
    },
    cli,
    ok,
    /** runs with --json, expects exit 0 and one JSON document on stdout */
    async json(...args: (string | number)[]): Promise<Json> {
      const r = await ok(...args, '--json');
      return JSON.parse(r.stdout);
    },
    /** expects a refusal: non-zero exit, one clear line on stderr (no stack trace) and nothing on stdout */
    async fails(args: (string | number)[], message: RegExp, code?: number): Promise<Result> {
      const r = await cli(...args);
      expect(r.code, `rnn-lab ${args.join(' ')} should fail; stdout: ${r.stdout}`).not.toBe(0);
      if (code !== undefined) expect(r.code).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/^rnn-lab/);
      expect(r.stderr, 'a stack trace instead of a message').not.toMatch(/^\s+at /m);
      expect(r.stdout).toBe('');
      return r;
    },
    spawn: (...args: (string | number)[]): Started => start(withDb(args), dir),
    /** reads the database directly (read-only), as another process would */
    read<T>(fn: (db: Database.Database) => T): T {
      const conn = new Database(db, { readonly: true, fileMustExist: true });
      try {
        return fn(conn);
      } finally {
        conn.close();
      }
    },
  };
}
export type Sandbox = ReturnType<typeof sandbox>;

export async function waitFor(what: string, cond: () => boolean, timeoutMs: number, everyMs = 25): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (cond()) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits for a child and fails the test (killing it) if it runs too long. */
export async function within(started: Started, ms: number): Promise<Result> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => {
      started.child.kill('SIGKILL');
      rej(new Error(`still running after ${ms} ms; stderr:\n${started.stderr}`));
    }, ms);
  });
  try {
    return await Promise.race([started.done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const TINY = ['--hidden', 12, '--seq', 8, '--batch', 4, '--steps', 30, '--eval-every', 10, '--checkpoint-every', 10];

export async function englishCorpus(s: Sandbox): Promise<number> {
  return (await s.json('corpus', 'import', s.file('en.txt', EN))).id;
}

export const runStatuses = (s: Sandbox): { id: number; status: string; step: number }[] =>
  s.read((db) => db.prepare('SELECT id, status, step FROM runs ORDER BY id').all() as { id: number; status: string; step: number }[]);

export const integrity = (s: Sandbox): unknown => s.read((db) => db.pragma('integrity_check', { simple: true }));

export function removeSandboxes(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
