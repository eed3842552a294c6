/**
 * A database the user cannot write. Root may write any file whatever its mode, and these tests
 * often run as root, so the opening is done by a child process (read-only.fixture.ts) running as
 * uid 65534 (nobody) when we are root, or as ourselves otherwise: the file really is read-only to
 * the process that opens it, and SQLite's own open and write paths are what is tested.
 *
 * - Opened as usual, a read-only file is refused at open, with what to do, instead of failing at
 *   the first write with a raw SqliteError; so is a file in a folder the user cannot write (SQLite
 *   keeps the WAL's -wal and -shm files beside it and must create them even to read).
 * - Opened read-only (Lab.open({ readOnly: true }), rnn-lab --read-only), it can be browsed, and
 *   every write answers the API's 'read-only' code; the file's bytes do not change.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/api/methods.ts';
import { Lab } from '../../src-main/lab/lab.ts';
import { repoRoot } from '../helpers.ts';

const asRoot = process.getuid?.() === 0;
/** the user the fixture runs as: one that may not write a file only root may write */
const otherUser = asRoot ? { uid: 65534, gid: 65534 } : {};
const FIXTURE = join(repoRoot, 'test/store/read-only.fixture.ts');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rnn-lab-read-only-'));
  chmodSync(dir, 0o755);
});
afterAll(() => {
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A lab file with a corpus and an experiment, closed (so no -wal or -shm beside it), in a folder of its own. */
async function labFile(name: string): Promise<{ folder: string; db: string }> {
  const folder = join(dir, name);
  execFileSync('mkdir', [folder]);
  const db = join(folder, 'lab.db');
  const lab = Lab.open({ db, workers: 1 });
  const { corpus } = lab.importCorpus(new TextEncoder().encode('abcabcabd\n'.repeat(300)), { name: 'abc' });
  lab.createExperiment({ corpusId: corpus.id, name: 'exp', spec: { cells: ['gru'], budget: { mode: 'hidden', hidden: 8 }, train: { seqLen: 8, batch: 2, steps: 10 } } });
  lab.importCorpus(new TextEncoder().encode('defdefdeg\n'.repeat(300)), { name: 'unused' });
  await lab.close();
  expect(existsSync(`${db}-wal`)).toBe(false);
  return { folder, db };
}

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON from the fixture */
function openAsOther(db: string, mode: 'read-write' | 'read-only'): any {
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', FIXTURE, db, mode], { cwd: repoRoot, ...otherUser, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

const READ_ONLY_WRITE = /^the lab's database is open read-only: it can be browsed, not changed/;

describe('a read-only file in a folder the user may write', () => {
  let db: string;
  let before: string;
  beforeAll(async () => {
    const made = await labFile('file');
    db = made.db;
    chmodSync(made.folder, 0o777);
    chmodSync(db, 0o444);
    before = sha(db);
  });

  it('opened as usual: refused at open, saying it is read-only and what to do', () => {
    expect(openAsOther(db, 'read-write')).toEqual({
      error: { name: 'StoreError', code: 'read-only', message: `${db} is read-only: open it read-only to browse (rnn-lab --read-only), or copy it to change it` },
    });
    expect(sha(db)).toBe(before);
  });

  it('opened read-only: browsing works, every write answers read-only, the file is unchanged', () => {
    const seen = openAsOther(db, 'read-only');
    expect(seen).toMatchObject({ corpora: ['abc', 'unused'], corpus: 3000, experiments: ['exp'], runs: 1 });
    for (const [method, r] of Object.entries(seen.writes)) {
      expect(r, method).toMatchObject({ ok: false, code: 'read-only' });
      expect((r as { message: string }).message, method).toMatch(READ_ONLY_WRITE);
    }
    expect(sha(db)).toBe(before);
  });
});

describe('a file in a folder the user may not write', () => {
  let db: string;
  let before: string;
  beforeAll(async () => {
    const made = await labFile('folder');
    db = made.db;
    if (!asRoot) chmodSync(made.folder, 0o555);
    // as root the folder stays root's 0755: the other user cannot write it
    before = sha(db);
  });

  it('opened either way: refused at open, saying why a WAL database needs its folder, and to copy it', () => {
    const why = `${db} is in a folder this user cannot write, and SQLite must create lab.db-shm beside a WAL database even to read it: copy it to a folder you can write`;
    expect(openAsOther(db, 'read-write')).toEqual({ error: { name: 'StoreError', code: 'read-only', message: why } });
    expect(openAsOther(db, 'read-only')).toEqual({ error: { name: 'StoreError', code: 'read-only', message: why } });
    expect(sha(db)).toBe(before);
  });
});

describe('read-only mode in this process', () => {
  it('a file this process could write, opened read-only: browsing works, writes answer read-only, nothing changes', async () => {
    const { db } = await labFile('mode');
    const before = sha(db);
    const lab = Lab.open({ db, workers: 1, readOnly: true });
    try {
      expect(lab.readOnly).toBe(true);
      expect(lab.listCorpora().map((c) => c.name)).toEqual(['abc', 'unused']);
      const call = (method: string, req: unknown) => dispatch(lab, method, req, { emit: () => undefined, shell: 'test' });
      expect(await call('listExperiments', {})).toMatchObject({ ok: true, value: [{ name: 'exp' }] });
      const refused = await call('deleteCorpus', { id: 2 });
      expect(refused).toMatchObject({ ok: false, code: 'read-only' });
      expect((refused as { message: string }).message).toMatch(READ_ONLY_WRITE);
    } finally {
      await lab.close();
    }
    expect(sha(db)).toBe(before);
  });

  it('a new file cannot be made read-only: refused, naming the path', () => {
    const db = join(dir, 'missing.db');
    expect(() => Lab.open({ db, workers: 1, readOnly: true })).toThrow(`cannot open the database ${db}`);
    expect(existsSync(db)).toBe(false);
  });
});
