/**
 * rnn-lab on a database file the user may not write (chmod 444; run as uid 65534 when the tests
 * run as root, who may write any file): refused at open with what to do; with --read-only it
 * browses, and a command that would change the file says it cannot, as does browser mode's API.
 * No stack trace anywhere, and the file's bytes stay as they were.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../../src-main/lab/lab.ts';
import { repoRoot } from '../helpers.ts';
import { EN, type Json, removeSandboxes, sandbox } from './cli-helpers.ts';

afterAll(removeSandboxes);

const BIN = resolve(repoRoot, 'bin/rnn-lab.mjs');
const otherUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

interface Result { code: number | null; stdout: string; stderr: string }

/** rnn-lab as the user who may not write the file */
function cli(args: string[]): Promise<Result> {
  const child = spawn(process.execPath, [BIN, ...args], { ...otherUser, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((done, reject) => {
    child.on('error', reject);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const noStack = (r: Result): void => expect(r.stderr, 'a stack trace').not.toMatch(/^\s+at /m);

let db: string;
let before: string;
beforeAll(async () => {
  const s = sandbox('read-only');
  db = s.db;
  const lab = Lab.open({ db, workers: 1 });
  const { corpus } = lab.importCorpus(new TextEncoder().encode(EN), { name: 'english' });
  lab.importCorpus(new TextEncoder().encode('defdefdeg\n'.repeat(300)), { name: 'unused' });
  lab.createExperiment({ corpusId: corpus.id, name: 'exp', spec: { cells: ['gru'], budget: { mode: 'hidden', hidden: 8 }, train: { seqLen: 8, batch: 2, steps: 10 } } });
  await lab.close();
  chmodSync(s.dir, 0o777); // the folder may be written (SQLite's -shm and -wal go there), the file not
  chmodSync(db, 0o444);
  before = sha(db);
});

describe('rnn-lab on a read-only file', () => {
  it('without --read-only: refused at open, saying what to do (exit 1)', async () => {
    const r = await cli(['corpus', 'list', '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`rnn-lab corpus list: ${db} is read-only: open it read-only to browse (rnn-lab --read-only), or copy it to change it\n`);
    expect(r.stdout).toBe('');
  });

  it('with --read-only: lists and shows; a change is refused, saying why', async () => {
    const list = await cli(['corpus', 'list', '--db', db, '--read-only']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ {3}1 {2}english/m);
    expect(list.stdout).toMatch(/^ {3}2 {2}unused/m);
    for (const args of [['corpus', 'show', '1'], ['experiment', 'list'], ['experiment', 'show', '1'], ['run', 'show', '1']]) {
      const r = await cli([...args, '--db', db, '--read-only']);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stderr, args.join(' ')).toBe('');
    }
    const changes = [
      ['corpus', 'rm', '2'],
      ['corpus', 'import', resolve(repoRoot, 'README.md')],
      ['experiment', 'create', '--corpus', '1', '--cells', 'rnn', '--hidden', '8', '--seq', '8', '--batch', '2', '--steps', '10'],
      ['experiment', 'run', '1'],
      ['experiment', 'rm', '1'],
    ];
    for (const args of changes) {
      const r = await cli([...args, '--db', db, '--read-only']);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toBe(`rnn-lab ${args.slice(0, 2).join(' ')}: the lab's database is open read-only: it can be browsed, not changed (open it without --read-only, or a copy of it, to make changes)\n`);
      noStack(r);
    }
    expect(sha(db)).toBe(before);
  });

  it('serve --read-only: the API browses, and a change answers the read-only code', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--db', db, '--read-only', '--json', '--port', '0'], { ...otherUser, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    try {
      const { port, token } = await new Promise<{ port: number; token: string }>((done, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          if (out.includes('\n')) done(JSON.parse(out));
        });
        child.on('close', () => reject(new Error(`serve ended: ${stderr}`)));
      });
      const api = async (method: string, req: unknown): Promise<Json> => (await fetch(`http://127.0.0.1:${port}/api/${method}`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify({ req }),
      })).json();
      expect((await api('listCorpora', {})).value.map((c: { name: string }) => c.name)).toEqual(['english', 'unused']);
      expect((await api('listExperiments', {})).value.map((e: { name: string }) => e.name)).toEqual(['exp']);
      const refused = await api('deleteCorpus', { id: 2 });
      expect(refused).toEqual({ ok: false, code: 'read-only', message: "the lab's database is open read-only: it can be browsed, not changed (open it without --read-only, or a copy of it, to make changes)" });
      expect(await api('runExperiment', { id: 1 })).toMatchObject({ ok: false, code: 'read-only' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toContain('internal');
    expect(sha(db)).toBe(before);
  });
});
